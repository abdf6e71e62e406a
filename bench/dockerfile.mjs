// Dockerfile lint throughput: Bulkhead's lintText (parse + every Dockerfile rule + suppressions)
// next to dockerfile-ast's parse alone and dockerfile-utils' validator, on the same generated
// corpus in the same run. Targets: within 2x of bare parsing, faster than dockerfile-utils.
// Run after `npm run build` (or any time): node bench/dockerfile.mjs [files] [rounds]
// The engine entry is bundled here with esbuild, dependencies left external so all three use the
// very same dockerfile-ast module.
import { loadEngine } from './engine.mjs';
import { seededRandom } from './random.mjs';
import { createRequire } from 'node:module';

const fileCount = Number(process.argv[2] ?? 400);
const rounds = Number(process.argv[3] ?? 7);
const require = createRequire(import.meta.url);

const { lintText, fixAll } = await loadEngine('dockerfile', "export { lintText } from './src/engine/lint'; export { fixAll } from './src/engine/fix';");
const { DockerfileParser } = require('dockerfile-ast');
const { validate } = require('dockerfile-utils');

// A deterministic, varied corpus: multi-stage builds, ARG-in-FROM, continuations, heredocs, the
// escape directive, package installs, secrets, pipes, exec and shell forms.
const { random, pick } = seededRandom(0xb01d);
const BASES = ['node:20-alpine', 'python:3.12-slim', 'debian:12', 'ubuntu:24.04', 'alpine', 'golang:1.22', 'busybox:latest', '${BASE}', 'nginx:1.27', 'mcr.microsoft.com/windows/servercore:ltsc2022'];
const PACKAGES = ['curl', 'git', 'ca-certificates', 'build-essential', 'libpq-dev', 'tini', 'jq', 'openssl', 'unzip', 'gnupg'];
const LINES = [
  () => `RUN apt-get update && apt-get install -y --no-install-recommends ${pick(PACKAGES)} ${pick(PACKAGES)} \\\n    ${pick(PACKAGES)} \\\n    && rm -rf /var/lib/apt/lists/*`,
  () => `RUN apt-get install ${pick(PACKAGES)}`,
  () => `RUN apk add --no-cache ${pick(PACKAGES)} ${pick(PACKAGES)}`,
  () => `RUN curl -fsSL${random() < 0.3 ? 'k' : ''} https://example.com/${pick(PACKAGES)}.tar.gz | tar -xz -C /opt`,
  () => `RUN wget -qO- https://example.com/install.sh | sh`,
  () => `ENV ${pick(['APP_ENV', 'DB_PASSWORD', 'NODE_ENV', 'API_KEY', 'PATH_PREFIX', 'GPG_KEY'])}=${pick(['production', 'hunter2', '/usr/local', 'abc123'])}`,
  () => `ARG ${pick(['VERSION', 'NPM_TOKEN', 'BUILD_DATE'])}${random() < 0.5 ? '=1.0' : ''}`,
  () => `COPY ${pick(['package.json', '.', 'src/', 'requirements.txt'])} ${pick(['/app/', './', '/srv/'])}`,
  () => `ADD ${pick(['app.tar.gz', 'config.yml', 'https://example.com/file.bin'])} /opt/`,
  () => `WORKDIR ${pick(['/app', 'app', '/srv/app', 'build'])}`,
  () => `RUN <<EOF\nset -e\napt-get update\napt-get install -y ${pick(PACKAGES)}\nchmod ${pick(['0755', '4755', 'u+x'])} /usr/local/bin/${pick(PACKAGES)}\nEOF`,
  () => `RUN ${pick(['sudo ', ''])}pip install ${pick(['--trusted-host pypi.org ', ''])}-r requirements.txt`,
  () => `# ${pick(['build the app', 'bulkhead-ignore sudo-in-run -- legacy', 'install deps'])}`,
  () => `LABEL org.opencontainers.image.source="https://example.com/${pick(PACKAGES)}"`,
  () => `RUN go build -o /out/app ./cmd/app && \\\n    strip /out/app`,
  () => `EXPOSE ${pick(['8080', '22', '3000 443', '9000/tcp'])}`,
  () => `USER ${pick(['root', 'app', '10001:10001', 'node'])}`,
];
function dockerfile() {
  const lines = [];
  if (random() < 0.15) lines.push('# escape=`');
  if (random() < 0.3) lines.push('ARG BASE=node:20-alpine');
  const stages = 1 + Math.floor(random() * 3);
  for (let s = 0; s < stages; s++) {
    lines.push(`FROM ${pick(BASES)}${s < stages - 1 ? ` AS stage${s}` : ''}`);
    const body = 3 + Math.floor(random() * 25);
    for (let k = 0; k < body; k++) lines.push(pick(LINES)());
    if (s > 0) lines.push(`COPY --from=stage${s - 1} /out /app`);
  }
  if (random() < 0.5) lines.push('HEALTHCHECK CMD wget -q --spider http://127.0.0.1:8080/ || exit 1');
  lines.push(random() < 0.5 ? 'CMD ["node", "server.js"]' : 'CMD node server.js --port 8080');
  return lines.join('\n') + '\n';
}
const corpus = Array.from({ length: fileCount }, dockerfile);
const bytes = corpus.reduce((n, t) => n + t.length, 0);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Times each contender over the whole corpus, interleaved round by round so machine noise hits all alike. */
function measure(contenders) {
  for (const fn of Object.values(contenders)) for (const text of corpus.slice(0, 50)) fn(text); // warm up the JIT
  const times = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(contenders)) {
      // CPU time of this process: other work on a shared machine does not count against anyone.
      const t = process.cpuUsage();
      for (const text of corpus) fn(text);
      const used = process.cpuUsage(t);
      times[name].push((used.user + used.system) / 1000);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

let findings = 0;
let errors = 0;
for (const text of corpus) {
  const r = lintText(text, { kind: 'dockerfile' });
  findings += r.findings.length;
  errors += r.errors.length;
}
const { parseMs, lintMs, utilsMs } = measure({
  parseMs: (t) => DockerfileParser.parse(t).getInstructions(),
  lintMs: (t) => lintText(t, { kind: 'dockerfile' }),
  utilsMs: (t) => validate(t),
});

const perFile = (ms) => `${((ms * 1000) / corpus.length).toFixed(1)} µs/file, ${Math.round(corpus.length / (ms / 1000))} files/s`;
console.log(`corpus: ${corpus.length} generated Dockerfiles, ${(bytes / 1024).toFixed(0)} KiB, ${corpus.reduce((n, t) => n + t.split('\n').length, 0)} lines; median CPU time of ${rounds} rounds`);
console.log(`  bulkhead lintText:           ${lintMs.toFixed(1)} ms  (${perFile(lintMs)}; ${findings} findings, ${errors} errors)`);
console.log(`  dockerfile-ast parse alone:  ${parseMs.toFixed(1)} ms  (${perFile(parseMs)})`);
console.log(`  dockerfile-utils validate:   ${utilsMs.toFixed(1)} ms  (${perFile(utilsMs)})`);
const vsParse = lintMs / parseMs;
const vsUtils = utilsMs / lintMs;
console.log(`  lint / bare parse = ${vsParse.toFixed(2)}x  (target <= 2x: ${vsParse <= 2 ? 'met' : 'NOT met'})`);
console.log(`  dockerfile-utils / lint = ${vsUtils.toFixed(2)}x  (target > 1x, Bulkhead faster: ${vsUtils > 1 ? 'met' : 'NOT met'})`);

// Lint and fix-all time against file size, in 10x steps, for two shapes: many instructions (the
// corpus above, concatenated) and one huge shell-form RUN line. The bare parse runs in a separate
// process, so it is dockerfile-ast as shipped (Bulkhead memoizes its argument tokenizer in-process).
// Linear time shows as a flat ratio. `BULKHEAD_BENCH_MAX_KB` raises the largest size (default 1024).
const { spawnSync } = await import('node:child_process');
const maxKb = Number(process.env.BULKHEAD_BENCH_MAX_KB ?? 1024);
const sizes = [1, 10, 100, 1000, 4000].map((kb) => kb * 1024).filter((b) => b <= maxKb * 1024 + 1);
function manyInstructions(bytes) {
  let text = '';
  for (let k = 0; text.length < bytes; k++) text += corpus[k % corpus.length];
  return text;
}
function singleRunLine(bytes) {
  let text = 'FROM debian:12\nRUN true';
  while (text.length < bytes) text += ' && echo hello | cat';
  return text + '\n';
}
/** CPU ms of `fn`, repeated until at least 200 ms were spent (small inputs), per call. */
function cpuPerCall(fn) {
  let calls = 0;
  const start = process.cpuUsage();
  let used = 0;
  do {
    fn();
    calls++;
    const u = process.cpuUsage(start);
    used = (u.user + u.system) / 1000;
  } while (used < 200);
  return used / calls;
}
const bareParse = (texts) => {
  const script = `const { DockerfileParser } = require('dockerfile-ast'); let input = ''; process.stdin.on('data', (d) => (input += d)).on('end', () => {
    for (let k = 0; k < 200; k++) DockerfileParser.parse(JSON.parse(input)[0]).getInstructions(); // warm up the JIT
    const out = JSON.parse(input).map((t) => { let calls = 0; const s = process.cpuUsage(); let used = 0; do { DockerfileParser.parse(t).getInstructions(); calls++; const u = process.cpuUsage(s); used = (u.user + u.system) / 1000; } while (used < 200); return used / calls; });
    process.stdout.write(JSON.stringify(out)); });`;
  const r = spawnSync(process.execPath, ['-e', script], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
};
console.log('\nsize scaling (CPU ms per call; ratios against a bare dockerfile-ast parse of the same text)');
console.log('  shape              size      parse       lint  lint/parse    fix-all  fix/parse  fixes');
for (const [shape, make] of [['many instructions', manyInstructions], ['one RUN line', singleRunLine]]) {
  const texts = sizes.map(make);
  const parses = bareParse(texts);
  texts.forEach((text, k) => {
    const lint = cpuPerCall(() => lintText(text, { kind: 'dockerfile' }));
    let fixes = 0;
    const fix = cpuPerCall(() => (fixes = fixAll(text, { kind: 'dockerfile', unsafe: true }).fixed));
    const kb = `${Math.round(text.length / 1024)} KB`;
    console.log(
      `  ${shape.padEnd(17)} ${kb.padStart(7)} ${parses[k].toFixed(1).padStart(10)} ${lint.toFixed(1).padStart(10)} ${(lint / parses[k]).toFixed(2).padStart(10)}x ${fix.toFixed(1).padStart(10)} ${(fix / parses[k]).toFixed(2).padStart(9)}x ${String(fixes).padStart(6)}`,
    );
  });
}
