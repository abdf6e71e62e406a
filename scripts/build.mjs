// Bundles the extension and the CLI with esbuild (the vscode-extension-samples way), minified with
// linked source maps (.vscodeignore keeps the maps out of the VSIX; BULKHEAD_NO_MINIFY=1 to read the output).
//
// Heavy dependencies are bundled on their own into dist/vendor/<name>.js and loaded on first use:
// in dist/extension.js and dist/cli.js each import of them resolves to a small stand-in that
// require()s the real bundle the first time one of its exports is read or called. So activation
// compiles and runs none of them; the first Dockerfile lint loads dockerfile-ast, the first compose
// lint yaml, the Containers view / an audit / a profile dockerode (with ssh2, grpc-js, protobufjs),
// the workspace audit picomatch and ignore. CommonJS output has no esbuild code splitting, hence this.
import * as esbuild from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');

export const LAZY_DEPENDENCIES = ['dockerode', 'yaml', 'dockerfile-ast', 'picomatch', 'ignore'];
const vendorFile = (name) => `vendor/${name}.js`;

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  define: { BULKHEAD_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  sourcemap: 'linked',
  minify: !process.env.BULKHEAD_NO_MINIFY,
  logLevel: 'warning',
  // ssh2's optional native crypto addon and cpu-features are loaded in try/catch by ssh2.
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
};

/**
 * The stand-in for a dependency: the same shape (a callable/constructible function or an object,
 * the same export names, `__esModule` when the real one has it), every export a getter that loads
 * dist/vendor/<name>.js once. Read from the real module at build time.
 */
function standIn(name) {
  const real = require(name);
  const keys = Object.keys(real);
  const load = `let real; const load = () => (real ??= require(${JSON.stringify(`./${vendorFile(name)}`)}));`;
  const shape =
    typeof real === 'function'
      ? 'module.exports = function (...args) { return new.target ? Reflect.construct(load(), args) : load().apply(this, args); };'
      : 'module.exports = {};';
  const getters = `for (const key of ${JSON.stringify(keys)}) Object.defineProperty(module.exports, key, { enumerable: true, get: () => load()[key] });`;
  const esModule = real.__esModule ? "Object.defineProperty(module.exports, '__esModule', { value: true });" : '';
  return [load, shape, getters, esModule].join('\n');
}

/** @type {import('esbuild').Plugin} */
const lazyDependencies = {
  name: 'lazy-dependencies',
  setup(build) {
    const names = new RegExp(`^(${LAZY_DEPENDENCIES.map((n) => n.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter: names }, (args) => ({ path: args.path, namespace: 'lazy-dependency' }));
    build.onResolve({ filter: /^\.\/vendor\// }, (args) => ({ path: args.path, external: true }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-dependency' }, (args) => ({ contents: standIn(args.path), loader: 'js' }));
  },
};

/**
 * `import * as vscode from 'vscode'` in each of ~20 modules would copy the whole API object (~300
 * names) once per module at load; one shared module re-exporting it copies it once.
 */
/** @type {import('esbuild').Plugin} */
const oneVscodeNamespace = {
  name: 'one-vscode-namespace',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === 'vscode-api' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-api' },
    );
    build.onLoad({ filter: /.*/, namespace: 'vscode-api' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

const targets = [
  // Banner and footer time the bundle's evaluation (activate() logs it; VS Code prepares the context in between).
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    banner: { js: 'var __bulkheadLoadStarted = Date.now();' },
    footer: { js: 'var __bulkheadLoadEnded = Date.now();' },
    plugins: [lazyDependencies, oneVscodeNamespace],
  },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [lazyDependencies] },
  ...LAZY_DEPENDENCIES.map((name) => ({ ...common, entryPoints: [require.resolve(name)], outfile: `dist/${vendorFile(name)}` })),
];

/**
 * In watch mode each rebuild prints "[watch] build started" / "[watch] build finished" and its errors
 * as `file:line:column: error: text`: the background problem matcher of .vscode/tasks.json reads them.
 */
/** @type {import('esbuild').Plugin} */
const watchReport = {
  name: 'watch-report',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) console.error(`${location ? `${location.file}:${location.line}:${location.column + 1}: ` : ''}error: ${text}`);
      console.log('[watch] build finished');
    });
  },
};

if (watch) {
  // The dependency bundles do not change while you edit: built once, not watched.
  await Promise.all(targets.filter((t) => t.plugins).map(async (t) => (await esbuild.context({ ...t, plugins: [...t.plugins, watchReport] })).watch()));
  await Promise.all(targets.filter((t) => !t.plugins).map((t) => esbuild.build(t)));
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
  chmodSync('dist/cli.js', 0o755);
}
