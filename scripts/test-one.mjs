// Runs ONE unit or Docker test file without compiling the whole test tree:
//   node scripts/test-one.mjs test/unit/fix.test.ts [--test-name-pattern="keeps comments"]
// esbuild transpiles that file and the sources it imports (type-checking is `npm run typecheck`'s
// job), dependencies stay in node_modules, and node:test runs the result with source maps.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const [file, ...nodeTestArgs] = process.argv.slice(2);
if (!file || !/\.test\.ts$/.test(file)) {
  console.error('usage: node scripts/test-one.mjs test/unit/NAME.test.ts [node --test options, e.g. --test-name-pattern=REGEX]');
  process.exit(2);
}
const outDir = join('node_modules', '.cache', 'bulkhead-test-one');
mkdirSync(outDir, { recursive: true });
const outfile = resolve(outDir, basename(file).replace(/\.ts$/, '.js'));
await esbuild.build({
  entryPoints: [file],
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  outfile,
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', ...nodeTestArgs, outfile], { stdio: 'inherit' });
process.exit(run.status ?? 1);
