// Containers view speed: Bulkhead's list + analyse of every container (inspect, all rules, /proc
// capabilities) next to the bare Engine API list + inspect, measured in the same run.
// Usage: node bench/containers.mjs [containers=200] [runs=15]
// It creates the containers from local/busybox:test (docker create, not started, parallel batches)
// and removes them at the end, also when interrupted.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { loadEngine } from './engine.mjs';

const COUNT = Number(process.argv[2] ?? 200);
const RUNS = Number(process.argv[3] ?? 15);
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const IMAGE = 'local/busybox:test';
const LABEL = `bulkhead.bench=${process.pid}-${Date.now().toString(36)}`;
const run = promisify(execFile);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Bulkhead's own modules, bundled from source so the bench measures the code in the tree.
const { analyseEngine, createClient, resolveDefaultEngine } = await loadEngine(
  'containers',
  "export { analyseEngine } from './src/docker/containers'; export { createClient, resolveDefaultEngine } from './src/docker/connection';",
);

function cleanup() {
  const ids = execFileSync(DOCKER, ['ps', '-aq', '--filter', `label=${LABEL}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (let i = 0; i < ids.length; i += 50) execFileSync(DOCKER, ['rm', '-f', ...ids.slice(i, i + 50)], { stdio: 'ignore' });
  return ids.length;
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

try {
  const created = performance.now();
  const BATCH = 20;
  for (let i = 0; i < COUNT; i += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, COUNT - i) }, (_, j) =>
        run(DOCKER, ['create', '--label', LABEL, ...((i + j) % 3 === 0 ? ['--cap-add', 'SYS_ADMIN'] : (i + j) % 3 === 1 ? ['--read-only', '--user', '1000'] : ['-p', `${20000 + i + j}:80`]), IMAGE, 'sleep', '60']),
      ),
    );
  }
  console.log(`created ${COUNT} containers in ${((performance.now() - created) / 1000).toFixed(1)} s`);

  const target = resolveDefaultEngine();
  const client = createClient(target);
  async function bare() {
    const list = await client.listContainers({ all: true });
    // Other tests on this engine may remove a container between list and inspect: skip it, like Bulkhead.
    const inspects = await Promise.all(list.map((c) => client.getContainer(c.Id).inspect().catch(() => undefined)));
    return inspects.length;
  }
  // The same bare calls with Bulkhead's in-flight limit, so the ratio is not about concurrency alone.
  async function bareLimited() {
    const list = await client.listContainers({ all: true });
    let next = 0;
    const lanes = Array.from({ length: 32 }, async () => {
      while (next < list.length) await client.getContainer(list[next++].Id).inspect().catch(() => undefined);
    });
    await Promise.all(lanes);
    return list.length;
  }
  async function bulkhead() {
    return (await analyseEngine(client, target)).length;
  }

  // Warm both paths (connections, JIT), then alternate so neither always runs second.
  const total = await bare();
  await bulkhead();
  const times = { bare: [], bareLimited: [], bulkhead: [] };
  // CPU time of this process per run: what Bulkhead adds on top of the API, robust to other load.
  const cpu = { bare: [], bareLimited: [], bulkhead: [] };
  let findings = 0;
  for (let i = 0; i < RUNS; i++) {
    const order = [['bare', bare], ['bareLimited', bareLimited], ['bulkhead', bulkhead]];
    for (const [name, fn] of i % 2 ? order.reverse() : order) {
      const c = process.cpuUsage();
      const t = performance.now();
      await fn();
      times[name].push(performance.now() - t);
      const used = process.cpuUsage(c);
      cpu[name].push((used.user + used.system) / 1000);
    }
  }
  findings = (await analyseEngine(client, target)).reduce((n, c) => n + c.findings.length, 0);
  const b = median(times.bare);
  const bl = median(times.bareLimited);
  const k = median(times.bulkhead);
  console.log(`engine ${target.host}: ${total} containers in total (${COUNT} created for this bench), ${findings} findings`);
  console.log(`bare Engine API list + inspect (Promise.all):      median ${b.toFixed(0)} ms of ${RUNS} (min ${Math.min(...times.bare).toFixed(0)})`);
  console.log(`bare Engine API list + inspect (32 in flight):     median ${bl.toFixed(0)} ms of ${RUNS} (min ${Math.min(...times.bareLimited).toFixed(0)})`);
  console.log(`Bulkhead list + analyse (inspect, rules, /proc):   median ${k.toFixed(0)} ms of ${RUNS} (min ${Math.min(...times.bulkhead).toFixed(0)})`);
  // Best-of-N is the ratio to trust on a shared, loaded machine; medians are printed beside it.
  const min = (xs) => Math.min(...xs);
  const ratio = min(times.bulkhead) / Math.min(min(times.bare), min(times.bareLimited));
  const medianRatio = k / Math.min(b, bl);
  console.log(`CPU time in this process per run (median): bare ${median(cpu.bare).toFixed(0)} ms / ${median(cpu.bareLimited).toFixed(0)} ms, Bulkhead ${median(cpu.bulkhead).toFixed(0)} ms`);
  console.log(`load average: ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores`);
  console.log(`ratio Bulkhead / fastest bare: ${ratio.toFixed(2)}x best-of-${RUNS}, ${medianRatio.toFixed(2)}x median; target <= 1.5x: ${ratio <= 1.5 ? 'met' : 'NOT met'}; Bulkhead under 1 s: ${k < 1000 ? 'met' : 'NOT met'} (median ${k.toFixed(0)} ms)`);
} finally {
  console.log(`removed ${cleanup()} bench containers`);
}
