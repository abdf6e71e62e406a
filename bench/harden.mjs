// bench/harden.mjs: the time of a `bulkhead harden` run against its observation time. Each trial
// observes for --observe seconds; what is above trials × observation is the analysis and the
// engine's work (compose up/down, strace, probes). Needs root, strace, docker-compose, dist/cli.js.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OBSERVE = Number(process.env.HARDEN_OBSERVE ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'bulkhead-bench-harden-'));
try {
  const file = join(dir, 'compose.yml');
  // A service every control passes on the first hardened run (no bisection): baseline + 1 trial.
  writeFileSync(file, 'services:\n  idle:\n    image: local/busybox:test\n    user: "65534"\n    command: ["sh", "-c", "while true; do date > /tmp/now; sleep 0.5; done"]\n');
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['dist/cli.js', 'harden', file, '--service', 'idle', '--observe', String(OBSERVE), '--format', 'json'], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0 && run.status !== 1) throw new Error(`bulkhead harden failed (${run.status}): ${run.stderr.slice(-2000)}`);
  const report = JSON.parse(run.stdout);
  // One progress line per trial run: the baseline, each hardened run, each bisection step.
  const trials = run.stderr.split('\n').filter((l) => /^bulkhead: (baseline|hardened run|bisecting):/.test(l)).length;
  const observed = trials * OBSERVE;
  // Two ratios: against the --observe the user asked for, and against all observation the trial runs made.
  console.log(`harden: ${seconds.toFixed(1)} s wall for --observe ${OBSERVE}: ${(seconds / OBSERVE).toFixed(1)}x the observation time; ${trials} trial run(s), ${observed} s observed in all: overhead ${(seconds - observed).toFixed(1)} s, ${(seconds / observed).toFixed(2)}x; verified=${report.verified}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
