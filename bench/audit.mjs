// Host audit speed: Bulkhead's full CIS audit against the real engine, next to docker-bench-security.
// Run after `npm run build`: DOCKER_BENCH_SECURITY=/path/to/docker-bench-security.sh node bench/audit.mjs [rounds]
// With a copy of the real script (DOCKER_BENCH_SECURITY, or an install in the usual places) it is
// run for real, interleaved with Bulkhead's audit (it takes minutes: DOCKER_BENCH_ROUNDS, default 1),
// and its docker CLI calls are counted through a PATH shim. Without it the comparison is only a
// COST MODEL (sequential `docker info` calls), which understates the script (a real run made 281
// docker calls and 1,190 other execs): the output says so and claims no measured ratio.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

const rounds = Number(process.argv[2] ?? 10);
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
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

// Counts the script's docker CLI calls: a `docker` first on its PATH that logs, then runs the real one.
const shimDir = mkdtempSync(join(tmpdir(), 'bulkhead-bench-docker-'));
const callLog = join(shimDir, 'calls');
writeFileSync(join(shimDir, 'docker'), `#!/bin/sh\necho x >> '${callLog}'\nexec ${DOCKER} "$@"\n`);
chmodSync(join(shimDir, 'docker'), 0o755);

function realDockerBench() {
  writeFileSync(callLog, '');
  const t = performance.now();
  const r = spawnSync('bash', [dockerBench, '-b'], { encoding: 'utf8', cwd: dirname(dockerBench), maxBuffer: 64 << 20, env: { ...process.env, PATH: `${shimDir}:/usr/bin:${process.env.PATH}` } });
  const ms = performance.now() - t;
  const checks = /Checks: (\d+)/.exec(r.stdout)?.[1];
  return { ms, calls: readFileSync(callLog, 'utf8').split('\n').filter(Boolean).length, checks };
}

function costModel() {
  // A slice of the model per round (cheap `docker info` calls), scaled to DOCKER_BENCH_CALLS.
  const t = performance.now();
  const slice = Math.ceil(DOCKER_BENCH_CALLS / rounds);
  for (let i = 0; i < slice; i++) execFileSync(DOCKER, ['info', '--format', '{{.ID}}'], { encoding: 'utf8' });
  return ((performance.now() - t) * DOCKER_BENCH_CALLS) / slice;
}

const ours = [];
const inProcess = [];
const peers = [];
let report;
const peerRounds = dockerBench ? Number(process.env.DOCKER_BENCH_ROUNDS ?? 1) : rounds;
for (let i = 0; i < rounds; i++) {
  const b = bulkhead();
  ours.push(b.ms);
  inProcess.push(b.report.summary.durationMs);
  report = b.report;
  if (i < peerRounds) peers.push(dockerBench ? realDockerBench() : { ms: costModel() });
}
rmSync(shimDir, { recursive: true, force: true });
const s = report.summary;
const ms = median(ours);
console.log(`bulkhead audit host: ${s.total} checks (${s.counts.warn} warn, ${s.counts.pass} pass, ${s.counts.info} info, ${s.counts.note} note, ${s.counts.skip} skip) on ${s.engine}`);
console.log(`  Engine API calls per audit: ${s.apiCalls} (engine has ${JSON.parse(execFileSync(DOCKER, ['info', '--format', '{{json .}}'], { encoding: 'utf8' })).Containers} containers)`);
console.log(`  median of ${rounds}: ${ms.toFixed(0)} ms whole process (fastest ${Math.min(...ours).toFixed(0)} ms), ${median(inProcess)} ms gather+check in process`);
console.log(`  load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
const peerMs = median(peers.map((p) => p.ms));
if (dockerBench) {
  console.log(`docker-bench-security, the real script (${dockerBench}), ${peers.length} run(s) in the same session: median ${(peerMs / 1000).toFixed(2)} s, ${peers[0].checks ?? '?'} checks, ${median(peers.map((p) => p.calls))} docker CLI calls per run`);
  console.log(`ratio, measured: ${(peerMs / ms).toFixed(1)}x faster than docker-bench-security (target >= 15x: ${peerMs / ms >= 15 ? 'met' : 'NOT met'})`);
} else {
  console.log('docker-bench-security: no copy here (set DOCKER_BENCH_SECURITY=/path/to/docker-bench-security.sh to measure it).');
  console.log(`COST MODEL ONLY, not a measurement of docker-bench-security: ${DOCKER_BENCH_CALLS} sequential docker CLI calls take ${(peerMs / 1000).toFixed(2)} s here (median); the real script makes more (281 docker calls and 1,190 other execs in one measured run), so this understates it.`);
  console.log(`  bulkhead vs the cost model: ${(peerMs / ms).toFixed(1)}x (a lower bound, not a comparison with the script)`);
}
