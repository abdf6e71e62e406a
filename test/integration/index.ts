// The integration suite's entry: a mocha run() that any VS Code host can load (code-server's
// extension host here, @vscode/test-electron's where VS Code can be downloaded).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { flushLog, log, screenshot, OUTPUT_DIR } from './support';

export async function run(): Promise<void> {
  // The spec reporter prints through Base.consoleLog: send it to the harness terminal too.
  Mocha.reporters.Base.consoleLog = log;
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120_000, reporter: 'spec' });
  if (process.env.BULKHEAD_GREP) mocha.grep(process.env.BULKHEAD_GREP);
  // A screenshot of the window after every top-level suite, so anyone can see what a user saw.
  mocha.suite.on('suite', (suite: Mocha.Suite) => {
    suite.afterAll(async function () {
      this.timeout(30_000);
      await screenshot(`suite-${suite.title}`);
    });
  });
  const dir = join(__dirname, 'suite');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(join(dir, f));

  const results = { passed: 0, failed: 0, pending: 0, failures: [] as { title: string; error: string }[] };
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run(async (failures) => {
      mkdirSync(OUTPUT_DIR, { recursive: true });
      writeFileSync(process.env.BULKHEAD_RESULTS_FILE ?? join(OUTPUT_DIR, 'integration-results.json'), JSON.stringify(results, null, 2));
      await flushLog();
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else if (results.passed === 0) reject(new Error('no integration test ran'));
      else resolve();
    });
    runner.on('pass', () => results.passed++);
    runner.on('pending', () => results.pending++);
    runner.on('fail', (test, err: Error) => {
      results.failed++;
      results.failures.push({ title: test.fullTitle(), error: String(err?.stack ?? err) });
    });
  });
}
