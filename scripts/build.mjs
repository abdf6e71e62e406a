// Bundles the extension and the CLI with esbuild (the vscode-extension-samples way).
import * as esbuild from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  define: { BULKHEAD_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // ssh2's optional native crypto addon and cpu-features are loaded in try/catch by ssh2.
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
};

const targets = [
  // The banner marks when the bundle starts evaluating, so activate() can log load + start cost.
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', banner: { js: 'var __bulkheadLoadStarted = Date.now();' } },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];

if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
  console.log('esbuild: watching');
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
  chmodSync('dist/cli.js', 0o755);
}
