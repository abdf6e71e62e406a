// Compose lint time: Bulkhead's lintText (parse + merge/alias resolution + every compose rule +
// suppressions) next to the bare `yaml` parseDocument of the same text, in the same run, on a
// generated realistic compose file (~800 lines, 100+ `<<` merge keys, anchors, short and long
// ports/volumes, interpolation). Also fix-all (safe and unsafe) for scale. Target: < 20 ms per lint.
// Run: node bench/compose.mjs [services] [rounds]
// The engine entry is bundled with esbuild, dependencies external, so both use the same `yaml`.
import { loadEngine } from './engine.mjs';
import { seededRandom } from './random.mjs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const serviceCount = Number(process.argv[2] ?? 60);
const rounds = Number(process.argv[3] ?? 40);
const require = createRequire(import.meta.url);

const { lintText, fixAll } = await loadEngine('compose', "export { lintText } from './src/engine/lint'; export { fixAll } from './src/engine/fix';");
const { parseDocument } = require('yaml');

const { random, pick } = seededRandom(0xc0de);

/** A deterministic compose file shaped like real ones: shared defaults merged into every service. */
function generate(count) {
  const lines = [
    '# Generated for bench/compose.mjs',
    'x-logging: &logging',
    '  driver: json-file',
    '  options: {max-size: 10m, max-file: "3"}',
    'x-defaults: &defaults',
    '  restart: unless-stopped',
    '  logging: *logging',
    '  env_file: .env',
    'x-hardened: &hardened',
    '  read_only: true',
    '  cap_drop: [ALL]',
    '  security_opt: ["no-new-privileges:true"]',
    'x-limits: &limits',
    '  mem_limit: 256m',
    '  cpus: 0.5',
    '  pids_limit: 100',
    'services:',
  ];
  const images = ['nginx:1.27', 'postgres', 'redis:7-alpine', 'ghcr.io/acme/api:${TAG:-latest}', 'busybox:latest', 'grafana/grafana:10.2.2', 'prom/prometheus:v2.48.0'];
  for (let i = 0; i < count; i++) {
    lines.push(`  svc-${i}:`);
    // Two merge keys per service (one a list of sources) keeps it above 100 merges.
    lines.push('    <<: *defaults');
    lines.push(random() < 0.5 ? '    <<: [*hardened, *limits]' : '    <<: *limits');
    lines.push(`    image: ${pick(images)}`);
    if (random() < 0.3) lines.push('    user: root');
    lines.push('    ports:');
    lines.push(`      - "${8000 + i}:80"`);
    if (random() < 0.4) lines.push('      - target: 9000', `        published: "${19000 + i}"`, '        protocol: tcp');
    lines.push('    volumes:');
    lines.push(`      - data-${i}:/var/lib/app`);
    if (random() < 0.2) lines.push('      - /var/run/docker.sock:/var/run/docker.sock:ro');
    if (random() < 0.2) lines.push('      - /etc:/host/etc # config sync');
    lines.push('    environment:');
    lines.push('      LOG_LEVEL: info', `      DB_PASSWORD: ${random() < 0.5 ? '${DB_PASSWORD}' : 'pw-' + i}`);
    if (random() < 0.2) lines.push('    privileged: true');
    if (random() < 0.2) lines.push('    cap_add: [NET_ADMIN]');
  }
  lines.push('volumes:');
  for (let i = 0; i < count; i++) lines.push(`  data-${i}: {}`);
  return lines.join('\n') + '\n';
}

const text = generate(serviceCount);
const lineCount = text.split('\n').length - 1;
const merges = (text.match(/<<:/g) ?? []).length;

function median(times) {
  const s = [...times].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
// CPU time of this process per round (user + system): on a shared, loaded machine wall time
// mostly measures the other processes; both are printed.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
function measure(fn) {
  for (let i = 0; i < 5; i++) fn(); // warm-up (JIT)
  const wall = [];
  const cpu = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const c = cpuMs();
    fn();
    cpu.push(cpuMs() - c);
    wall.push(performance.now() - t);
  }
  return { cpu: median(cpu), wall: median(wall) };
}

const parseMs = measure(() => parseDocument(text, { prettyErrors: false, uniqueKeys: false }));
const parseDefaultMs = measure(() => parseDocument(text));
let findings = 0;
const lintMs = measure(() => {
  findings = lintText(text, { kind: 'compose' }).findings.length;
});
const fixSafeMs = measure(() => fixAll(text, { kind: 'compose' }));
const fixUnsafe = fixAll(text, { kind: 'compose', unsafe: true });
const fixUnsafeMs = measure(() => fixAll(text, { kind: 'compose', unsafe: true }));

const f = (m) => `${m.cpu.toFixed(2).padStart(7)} ms cpu  ${m.wall.toFixed(2).padStart(7)} ms wall`;
const ratio = (a, b) => (a.cpu / b.cpu).toFixed(2);
console.log(`compose file: ${lineCount} lines, ${serviceCount} services, ${merges} merge keys, ${(text.length / 1024).toFixed(1)} KiB; median of ${rounds} rounds`);
console.log(`yaml parseDocument (options the engine uses) ${f(parseMs)}`);
console.log(`yaml parseDocument (default options)         ${f(parseDefaultMs)}`);
console.log(`bulkhead lintText                            ${f(lintMs)}  ${findings} findings; ${ratio(lintMs, parseMs)}x bare parse (cpu); target < 20 ms cpu: ${lintMs.cpu < 20 ? 'met' : 'MISSED'}`);
console.log(`bulkhead fixAll safe                         ${f(fixSafeMs)}  ${ratio(fixSafeMs, lintMs)}x one lint`);
console.log(`bulkhead fixAll unsafe                       ${f(fixUnsafeMs)}  ${fixUnsafe.fixed} fixes applied; ${ratio(fixUnsafeMs, lintMs)}x one lint`);

// Scale: a ~4 MB file (thousands of services) linted once, beside one bare parse of it.
const big = generate(Math.ceil((4 * 1024 * 1024) / (text.length / serviceCount)));
const once = (fn) => {
  const t = performance.now();
  const c = cpuMs();
  const result = fn();
  return { cpu: cpuMs() - c, wall: performance.now() - t, result };
};
const bigParse = once(() => parseDocument(big, { prettyErrors: false, uniqueKeys: false }));
const bigLint = once(() => lintText(big, { kind: 'compose' }));
console.log(`4 MB file (${(big.length / 1048576).toFixed(1)} MiB, ${(big.match(/^ {2}svc-/gm) ?? []).length} services): parse ${f(bigParse)}, lint ${f(bigLint)}  ${bigLint.result.findings.length} findings, ${bigLint.result.errors.length} errors; ${ratio(bigLint, bigParse)}x bare parse`);
