// Large local inputs: `bulkhead lint` and `bulkhead fix --dry-run --unsafe` (the built CLI, a whole process) on generated Dockerfiles and
// compose files in 10x size steps, next to a bare dockerfile-ast / yaml parse of the same file, also
// a whole process, in the same run: CPU time (user + system) of each process, less the CPU time of
// the same process on an empty file (start-up). Linear work keeps the ratio to the parse flat and
// multiplies the time by ~10 per step; a super-linear step shows as a growing ratio.
// Run after `npm run build`: node bench/large-inputs.mjs [rounds]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from './random.mjs';

const rounds = Number(process.argv[2] ?? 3);
const CLI = join(process.cwd(), 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'bulkhead-large-'));

// Preloaded into every measured process: its own CPU time, printed last on stderr at exit.
const REPORT_CPU = `data:text/javascript,${encodeURIComponent("process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`\\ncpu-us=${u.user + u.system}\\n`); });")}`;

/** CPU milliseconds of `node [args]` (median of the rounds). */
function cpuMs(args) {
  const runs = [];
  for (let i = 0; i < rounds; i++) {
    const r = spawnSync(process.execPath, ['--import', REPORT_CPU, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    const m = /\ncpu-us=(\d+)\n$/.exec(r.stderr);
    if (!m) throw new Error(`no CPU figure from node ${args.join(' ')}: ${r.stderr.slice(-500)}`);
    runs.push(Number(m[1]) / 1000);
  }
  return runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)];
}

const lintMs = (file) => cpuMs([CLI, 'lint', '--fail-on', 'never', file]);
/** Fix-all with every fix (safe and unsafe), computed and printed as a diff, nothing written. */
const fixMs = (file) => cpuMs([CLI, 'fix', '--dry-run', '--unsafe', file]);
const PARSERS = {
  dockerfile: (file) => `require('dockerfile-ast').DockerfileParser.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`,
  compose: (file) => `require('yaml').parseAllDocuments(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`,
};
const parseMs = (kind, file) => cpuMs(['-e', PARSERS[kind](file)]);

const { random, pick } = seededRandom(0x1a29e);
const PACKAGES = ['curl', 'git', 'ca-certificates', 'jq', 'openssl', 'tini', 'unzip', 'gnupg'];
const DOCKERFILE_LINES = [
  () => `RUN apt-get update && apt-get install -y --no-install-recommends ${pick(PACKAGES)} \\\n    ${pick(PACKAGES)} \\\n    && rm -rf /var/lib/apt/lists/*`,
  () => `RUN curl -fsSL https://example.com/${pick(PACKAGES)}.tar.gz | tar -xz -C /opt`,
  () => `ENV ${pick(['APP_ENV', 'NODE_ENV', 'PATH_PREFIX'])}=${pick(['production', '/usr/local'])}`,
  () => `ARG ${pick(['VERSION', 'BUILD_DATE'])}=1.0`,
  () => `COPY ${pick(['package.json', 'src/', 'requirements.txt'])} ${pick(['/app/', '/srv/'])}`,
  () => `ADD ${pick(['app.tar.gz', 'config.yml'])} /opt/`,
  () => `WORKDIR ${pick(['/app', 'app', '/srv/app', 'build'])}`,
  () => `RUN chmod ${pick(['0755', '4755', 'u+x'])} /usr/local/bin/${pick(PACKAGES)}`,
  () => `# ${pick(['build the app', 'install deps'])}`,
  () => `EXPOSE ${pick(['8080', '22', '3000 443'])}`,
  () => `USER ${pick(['root', 'app', '10001:10001'])}`,
];

/**
 * A Dockerfile of about `bytes` bytes in four stages, however large: dockerfile-ast files comments
 * under stages in O(comments x stages), so a stage every few lines would measure the parser's own
 * super-linear step rather than Bulkhead's (`stages` > 4 shows that case).
 */
function dockerfile(bytes, stages = 4) {
  const lines = [];
  let size = 0;
  for (let stage = 0; stage < stages; stage++) {
    lines.push(`FROM ${pick(['debian:12', 'alpine:3.20', 'node:20-alpine'])} AS stage${stage}`);
    while (size < (bytes * (stage + 1)) / stages) {
      const line = pick(DOCKERFILE_LINES)();
      lines.push(line);
      size += line.length + 1;
    }
  }
  lines.push('CMD ["node", "server.js"]');
  return lines.join('\n') + '\n';
}

/** A compose file of about `bytes` bytes: services sharing an anchored default through merge keys. */
function compose(bytes) {
  const out = ['x-defaults: &defaults', '  restart: unless-stopped', '  logging:', '    driver: json-file', 'services:'];
  let size = out.join('\n').length;
  for (let i = 0; size < bytes; i++) {
    const service = [
      `  svc${i}:`,
      '    <<: *defaults',
      `    image: ${pick(['nginx:1.27', 'redis:7', 'postgres:16', 'example/app:latest'])}`,
      ...(random() < 0.3 ? ['    privileged: true'] : []),
      ...(random() < 0.5 ? ['    cap_add:', `      - ${pick(['NET_ADMIN', 'SYS_ADMIN', 'SYS_PTRACE'])}`] : []),
      '    environment:',
      `      APP_ENV: ${pick(['production', 'staging'])}`,
      `      DB_PASSWORD: ${pick(['hunter2', '${DB_PASSWORD}'])}`,
      '    ports:',
      `      - "${8000 + (i % 1000)}:80"`,
      '    volumes:',
      `      - ${pick(['/var/run/docker.sock:/var/run/docker.sock', './data:/data', 'cache:/cache'])}`,
      ...(random() < 0.5 ? ['    security_opt:', '      - no-new-privileges:true'] : []),
    ].join('\n');
    out.push(service);
    size += service.length + 1;
  }
  return out.join('\n') + '\n';
}

const STEPS = { dockerfile: [15_000, 150_000, 1_500_000], compose: [4_000, 40_000, 400_000] };
const GENERATE = { dockerfile, compose };
const NAMES = { dockerfile: 'Dockerfile', compose: 'compose.yaml' };

try {
  console.log(`bulkhead lint vs bare parse, CPU ms of a whole process less its start-up (median of ${rounds}), ${execFileSync(process.execPath, ['--version']).toString().trim()}`);
  for (const kind of ['dockerfile', 'compose']) {
    const empty = join(dir, `empty-${kind}`);
    rmSync(empty, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', empty]);
    writeFileSync(join(empty, NAMES[kind]), kind === 'dockerfile' ? 'FROM scratch\n' : 'services: {}\n');
    const lintStart = lintMs(join(empty, NAMES[kind]));
    const fixStart = fixMs(join(empty, NAMES[kind]));
    const parseStart = parseMs(kind, join(empty, NAMES[kind]));
    console.log(`\n${kind} (start-up: lint ${lintStart.toFixed(0)} ms, parse ${parseStart.toFixed(0)} ms)`);
    console.log('  size       lint ms   parse ms   lint/parse   lint x prev step     fix ms   fix x prev step');
    let previous;
    let previousFix;
    for (const bytes of STEPS[kind]) {
      const sub = join(dir, `${kind}-${bytes}`);
      execFileSync('mkdir', ['-p', sub]);
      const file = join(sub, NAMES[kind]);
      const text = GENERATE[kind](bytes);
      writeFileSync(file, text);
      const lint = Math.max(0, lintMs(file) - lintStart);
      const parse = Math.max(0.1, parseMs(kind, file) - parseStart);
      const fix = Math.max(0, fixMs(file) - fixStart);
      const step = previous ? `${(lint / Math.max(previous, 0.1)).toFixed(1)}x` : '';
      const fixStep = previousFix ? `${(fix / Math.max(previousFix, 0.1)).toFixed(1)}x` : '';
      console.log(`  ${(text.length / 1000).toFixed(0).padStart(5)} KB ${lint.toFixed(0).padStart(9)} ${parse.toFixed(0).padStart(10)} ${(lint / parse).toFixed(1).padStart(12)} ${step.padStart(18)} ${fix.toFixed(0).padStart(10)} ${fixStep.padStart(17)}`);
      previous = lint;
      previousFix = fix;
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
