// Activation cost as VS Code sees it: from the extension host's require() of dist/extension.js
// through activate() returning, in a fresh Node process per sample (cold module cache), beside a
// bare extension (an empty activate()) loaded the same way in the same run. The `vscode` module is
// a stand-in that answers every API call with an inert object: it costs both sides the same.
// The integration suite measures the same span inside the real VS Code (test/integration/suite/activation.test.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SAMPLES = Number(process.env.BULKHEAD_BENCH_SAMPLES ?? 7);
const scratch = mkdtempSync(join(tmpdir(), 'bulkhead-activation-'));
const bare = join(scratch, 'bare-extension.js');
writeFileSync(bare, 'exports.activate = function activate() { return {}; };\n');

// The API's top-level names (bundles copy the module's own properties, so a bare Proxy is not enough).
const typings = readFileSync(createRequire(import.meta.url).resolve('@types/vscode/index.d.ts'), 'utf8');
const names = [...new Set([...typings.matchAll(/^\texport (?:namespace|class|enum|const|function|let) (\w+)/gm)].map((m) => m[1]))];

// Runs in the child: installs the stand-in `vscode`, then times require + activate of argv[1].
const child = `
const Module = require('node:module');
const inert = new Proxy(function () {}, {
  // Views start hidden, as in a window that just opened a Dockerfile.
  get: (_t, key) => (key === 'then' ? undefined : key === 'visible' ? false : key === Symbol.toPrimitive ? () => '' : key === Symbol.iterator ? function* () {} : inert),
  apply: () => inert,
  construct: () => inert,
});
const api = Object.fromEntries(${JSON.stringify(names)}.map((n) => [n, inert]));
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? api : load.call(this, request, ...rest); };
// VS Code's extension host has these loaded before any extension: neither side pays for them.
for (const m of ['fs', 'path', 'os', 'crypto', 'net', 'http', 'https', 'tls', 'child_process', 'url', 'util', 'events', 'stream', 'zlib', 'readline']) require('node:' + m);
const file = process.argv[1];
const started = process.hrtime.bigint();
const cpuStarted = process.cpuUsage();
const ext = require(file);
ext.activate(inert);
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const cpu = process.cpuUsage(cpuStarted);
const cpuMs = (cpu.user + cpu.system) / 1000;
const vendor = Object.keys(require.cache).filter((k) => /[\\/]dist[\\/]vendor[\\/]/.test(k)).map((k) => k.replace(/^.*[\\/]/, ''));
process.stdout.write(JSON.stringify({ ms, cpuMs, vendor }), () => process.exit(0));
`;

/** One cold start: wall and CPU milliseconds, and the dependency bundles (dist/vendor) activation loaded. */
function sample(file) {
  return JSON.parse(execFileSync(process.execPath, ['-e', child, file], { encoding: 'utf8', cwd: scratch }));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bulkhead = [];
const empty = [];
const bulkheadCpu = [];
const emptyCpu = [];
const loaded = new Set();
try {
  for (let i = 0; i < SAMPLES; i++) {
    // Interleaved, so load on the shared machine hits both sides alike.
    const bareRun = sample(bare);
    empty.push(bareRun.ms);
    emptyCpu.push(bareRun.cpuMs);
    const run = sample(resolve('dist/extension.js'));
    bulkhead.push(run.ms);
    bulkheadCpu.push(run.cpuMs);
    for (const v of run.vendor) loaded.add(v);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const fmt = (xs) => `median ${median(xs).toFixed(1)} ms (${xs.map((x) => x.toFixed(0)).join(' ')})`;
console.log(`activation, require + activate(), ${SAMPLES} cold starts each (wall time; CPU time is steadier on a busy machine)`);
console.log(`  bulkhead        wall ${fmt(bulkhead)}, CPU ${fmt(bulkheadCpu)}`);
console.log(`  empty extension wall ${fmt(empty)}, CPU ${fmt(emptyCpu)}`);
console.log(`  dependency bundles loaded by activation: ${[...loaded].join(', ') || 'none'}`);
console.log(`  bulkhead costs ${(median(bulkhead) - median(empty)).toFixed(1)} ms wall, ${(median(bulkheadCpu) - median(emptyCpu)).toFixed(1)} ms CPU more than an empty extension (goal: < 50 ms)`);
