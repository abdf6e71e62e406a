// Runs test/integration inside a real VS Code.
//   BULKHEAD_TEST_HOST=code-server (default on Linux): code-server + Debian Chromium, fully offline.
//   BULKHEAD_TEST_HOST=electron (default elsewhere): @vscode/test-electron downloads VS Code.
// BULKHEAD_GREP=<pattern> runs matching tests only. Screenshots and results go to test-output/.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, ROOT, ensureCodeServer, freePort, startCodeServer, workbenchUrl } from './vscode-host.mjs';
import { generateLargeWorkspace } from '../test/fixtures/generate-workspace.mjs';

const host = process.env.BULKHEAD_TEST_HOST ?? (process.platform === 'linux' ? 'code-server' : 'electron');
const OUTPUT = join(ROOT, 'test-output');
const SHOTS = join(OUTPUT, 'screenshots');
const TIMEOUT_MS = Number(process.env.BULKHEAD_INTEGRATION_TIMEOUT_MS ?? 25 * 60_000);

mkdirSync(SHOTS, { recursive: true });
// Per run, so parallel runs on one machine never read each other's results.
const RESULTS = join(OUTPUT, `integration-results-${process.pid}.json`);
rmSync(RESULTS, { force: true });
// The suite is compiled TypeScript; the extension is the esbuild bundle in dist/: build both, so
// the run never tests a stale bundle.
execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
execFileSync('npx', ['tsc', '-p', 'test/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });

// Tests edit files: run them on a fresh copy of the fixture workspace.
const workspace = mkdtempSync(join(tmpdir(), 'bulkhead-ws-'));
cpSync(join(ROOT, 'test/fixtures/workspace'), workspace, { recursive: true });
// A large repository exists before VS Code opens it (the workspace-audit suite relies on it).
generateLargeWorkspace(workspace);
const testsPath = join(ROOT, 'out/test/integration/index');
const env = { BULKHEAD_TEST_OUTPUT: OUTPUT, BULKHEAD_RESULTS_FILE: RESULTS, BULKHEAD_TEST_WORKSPACE: workspace, ...(process.env.BULKHEAD_GREP ? { BULKHEAD_GREP: process.env.BULKHEAD_GREP } : {}) };

function summarize(code) {
  let results;
  try {
    results = JSON.parse(readFileSync(RESULTS, 'utf8'));
    rmSync(RESULTS, { force: true });
  } catch {
    console.error('integration: the suite wrote no results (it did not run to the end)');
    return code || 1;
  }
  for (const f of results.failures) console.error(`FAILED: ${f.title}\n${f.error}\n`);
  console.log(`integration: ${results.passed} passed, ${results.failed} failed${results.pending ? `, ${results.pending} skipped` : ''}`);
  return results.failed || code ? 1 : results.passed ? 0 : 1;
}

async function runInCodeServer() {
  const bin = ensureCodeServer();
  const { chromium } = await import('playwright-core');
  const shotsTaken = [];
  let page;
  // The suite asks this server for screenshots of the real window and echoes its output here.
  const harness = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      try {
        if (req.url === '/log') process.stdout.write(`  ${body}\n`);
        else if (req.url === '/text' && page) {
          // What a user can read in the window (body is an optional CSS selector).
          res.end(await page.locator(body || 'body').first().innerText({ timeout: 5000 }).catch(() => ''));
          return;
        }
        else if (req.url === '/screenshot' && page) {
          const file = join(SHOTS, `${body}.png`);
          await page.screenshot({ path: file });
          shotsTaken.push(file);
          res.end(file);
          return;
        }
        res.end('');
      } catch (e) {
        res.statusCode = 500;
        res.end(String(e));
      }
    });
  });
  await new Promise((r) => harness.listen(0, '127.0.0.1', r));
  env.BULKHEAD_HARNESS_URL = `http://127.0.0.1:${harness.address().port}`;

  const port = await freePort();
  const scratch = mkdtempSync(join(tmpdir(), 'bulkhead-cs-'));

  const serverLog = [];
  const server = await startCodeServer({
    bin, port, workspace, env,
    userDataDir: join(scratch, 'user-data'), extensionsDir: join(scratch, 'extensions'),
    log: (d) => serverLog.push(d),
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const exited = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code))));
    page.on('pageerror', (e) => serverLog.push(`[page error] ${e.message}\n`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') serverLog.push(`[renderer ${m.type()}] ${m.text()}\n`);
    });
    console.log(`integration: VS Code (code-server) on port ${port}, workspace ${workspace}`);
    // The page load is slow on a busy machine; the suite itself has its own deadline below.
    await page.goto(workbenchUrl(port, workspace, { extensionTestsPath: testsPath }), { timeout: 180_000 });
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), TIMEOUT_MS))]);
    if (code === 'timeout') {
      await page.screenshot({ path: join(SHOTS, 'timeout.png') }).catch(() => {});
      console.error(`integration: no result after ${TIMEOUT_MS / 1000} s (screenshot: test-output/screenshots/timeout.png)`);
      return 1;
    }
    console.log(`integration: screenshots: ${shotsTaken.length} in test-output/screenshots/`);
    return code;
  } finally {
    writeFileSync(join(OUTPUT, 'code-server.log'), serverLog.join(''));
    await browser.close().catch(() => {});
    server.stop();
    harness.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function runInElectron() {
  const { runTests } = await import('@vscode/test-electron');
  Object.assign(process.env, env);
  try {
    await runTests({ extensionDevelopmentPath: ROOT, extensionTestsPath: testsPath, launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'] });
    return 0;
  } catch {
    return 1;
  }
}

const code = host === 'electron' ? await runInElectron() : await runInCodeServer();
rmSync(workspace, { recursive: true, force: true });
process.exit(summarize(code));
