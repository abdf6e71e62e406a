// Host audit speed: Bulkhead's full CIS audit against the real engine, next to docker-bench-security.
// Run after `npm run build`: node bench/audit.mjs [rounds]
// docker-bench-security itself cannot be fetched offline; when it is not installed here, the same
// run measures its cost model instead (126 sequential docker CLI calls, the number it makes) and
// prints the published 7 s reference beside it. Rounds interleave both so a busy shared machine
// slows them alike; the per-round ratio is the number to trust.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

const rounds = Number(process.argv[2] ?? 10);
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const REFERENCE_S = 7;
const DOCKER_BENCH_CALLS = 126;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!existsSync('dist/cli.js')) {
  console.error('bench/audit: run `npm run build` first');
  process.exit(2);
}
const dockerBench = [process.env.DOCKER_BENCH_SECURITY, '/usr/local/bin/docker-bench-security.sh', '/opt/docker-bench-security/docker-bench-security.sh'].find((p) => p && existsSync(p));

function bulkhead() {
  // Whole process, like docker-bench-security's: node start-up, Engine API, host probe, checks, JSON out.
  const t = performance.now();
  const r = spawnSync(process.execPath, ['dist/cli.js', 'audit', 'host', '--format', 'json', '--fail-on', 'never'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  if (r.status !== 0) {
    console.error(`bench/audit: audit failed (${r.status}): ${r.stderr}`);
    process.exit(2);
  }
  return { ms, report: JSON.parse(r.stdout) };
}

function peer() {
  const t = performance.now();
  if (dockerBench) {
    spawnSync('sh', [dockerBench, '-b'], { encoding: 'utf8', cwd: dockerBench.replace(/\/[^/]+$/, '') });
    return performance.now() - t;
  }
  // A slice of its cost model per round (cheap `docker info` calls), scaled to its 126 calls.
  const slice = Math.ceil(DOCKER_BENCH_CALLS / rounds);
  for (let i = 0; i < slice; i++) execFileSync(DOCKER, ['info', '--format', '{{.ID}}'], { encoding: 'utf8' });
  return ((performance.now() - t) * DOCKER_BENCH_CALLS) / slice;
}

const ours = [];
const theirs = [];
const ratios = [];
const inProcess = [];
let report;
for (let i = 0; i < rounds; i++) {
  const b = bulkhead();
  const p = peer();
  ours.push(b.ms);
  theirs.push(p);
  ratios.push(p / b.ms);
  inProcess.push(b.report.summary.durationMs);
  report = b.report;
}
const s = report.summary;
const ms = median(ours);
console.log(`bulkhead audit host: ${s.total} checks (${s.counts.warn} warn, ${s.counts.pass} pass, ${s.counts.info} info, ${s.counts.note} note, ${s.counts.skip} skip) on ${s.engine}`);
console.log(`  Engine API calls per audit: ${s.apiCalls} (engine has ${JSON.parse(execFileSync(DOCKER, ['info', '--format', '{{json .}}'], { encoding: 'utf8' })).Containers} containers)`);
console.log(`  median of ${rounds}: ${ms.toFixed(0)} ms whole process (fastest ${Math.min(...ours).toFixed(0)} ms), ${median(inProcess)} ms gather+check in process`);
console.log(`  load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
if (dockerBench) console.log(`docker-bench-security (${dockerBench}), same rounds: median ${(median(theirs) / 1000).toFixed(2)} s`);
else {
  console.log('docker-bench-security: not installed and not obtainable offline (no registry for it here).');
  console.log(`  its ${DOCKER_BENCH_CALLS} docker CLI calls alone, measured in the same rounds: median ${(median(theirs) / 1000).toFixed(2)} s (published full run on this kind of machine: ${REFERENCE_S} s, 117 checks)`);
}
const sameRun = median(ratios);
console.log(`ratio, same rounds: ${sameRun.toFixed(1)}x faster than ${dockerBench ? 'docker-bench-security' : "docker-bench-security's docker CLI calls alone"} (target >= 15x: ${sameRun >= 15 ? 'met' : 'NOT met'})`);
console.log(`ratio, reference: ${((REFERENCE_S * 1000) / ms).toFixed(1)}x faster than the ${REFERENCE_S} s reference (target >= 15x, i.e. < 500 ms: ${ms < 500 ? 'met' : 'NOT met'})`);
