// Issue 16, compose: host sockets (docker-socket vs host-socket, one judgement for compose and
// containers), secrets in build args, committed env_files. Inputs shaped like real projects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkContainer, lintText } from '../../src/engine/lint';
import type { ContainerInspect } from '../../src/engine/runtime/container';
import { hardenedSpec } from '../../src/engine/runtime/hardened';
import { judgeHostMount } from '../../src/engine/runtime/judge';
import { fixAll } from '../../src/engine/fix';
import { fixturePath } from '../support/paths';

const hits = (text: string, ruleId: string) => lintText(text, { kind: 'compose' }).findings.filter((f) => f.ruleId === ruleId);
const marked = (text: string, ruleId: string) => hits(text, ruleId).map((f) => text.slice(f.range!.start, f.range!.end));

test('host mounts: engine sockets are docker-socket, other host services host-socket, the rest unchanged', () => {
  const cases: [string, string | undefined][] = [
    ['/var/run/docker.sock', 'docker-socket'],
    ['/run/containerd/containerd.sock', 'docker-socket'],
    ['/var/run/crio/crio.sock', 'docker-socket'],
    ['/run/crio', 'docker-socket'],
    ['/run/podman/podman.sock', 'docker-socket'],
    ['/run/user/1000/podman/podman.sock', 'docker-socket'],
    ['/var/run', 'docker-socket'],
    ['/tmp/.X11-unix', 'host-socket:x11'],
    ['/tmp/.X11-unix/X0', 'host-socket:x11'],
    ['/tmp/.X11-unix/', 'host-socket:x11'],
    ['/run/user/1000/pulse', 'host-socket:audio'],
    ['/run/user/1000/pulse/native', 'host-socket:audio'],
    ['/run/user/1000/pipewire-0', 'host-socket:audio'],
    ['/run/user/1000/wayland-0', 'host-socket:wayland'],
    ['/var/run/dbus/system_bus_socket', 'host-socket:dbus-system'],
    ['/run/user/1000/bus', 'host-socket:dbus-session'],
    ['/var/run/mysqld/mysqld.sock', 'host-socket:mysql'],
    ['/run/mysqld', 'host-socket:mysql'],
    ['/tmp/mysql.sock', 'host-socket:mysql'],
    ['/var/run/postgresql', 'host-socket:postgresql'],
    ['/var/run/postgresql/.s.PGSQL.5432', 'host-socket:postgresql'],
    ['/run/host-services/ssh-auth.sock', 'host-socket:ssh-agent'],
    ['/etc', 'sensitive-mount'],
    // Not a known service: an application's own socket directory, a file next to X11's, the user's runtime dir.
    ['/srv/app/run/app.sock', undefined],
    ['/tmp/.X11-unix-backup', undefined],
    ['/run/user/1000', undefined],
    ['./mysqld', undefined],
  ];
  for (const [source, expected] of cases) {
    const verdict = judgeHostMount(source, false);
    const got = verdict && (verdict.rule === 'host-socket' ? `host-socket:${verdict.service}` : verdict.rule);
    assert.equal(got, expected, source);
    // `:ro` does not close a socket: the verdict is the same read-only.
    if (verdict?.rule !== 'sensitive-mount') assert.deepEqual(judgeHostMount(source, true), verdict, `${source}:ro`);
  }
});

// Shaped like a selenium / jupyter-desktop compose: a GUI anchor merged by two services, a
// long-syntax database socket, an agent with the containerd and CRI-O sockets.
const PROJECT = [
  'x-gui: &gui',
  '  environment:',
  '    DISPLAY: ${DISPLAY:-:0}',
  '    PULSE_SERVER: unix:/run/user/1000/pulse/native',
  '  volumes:',
  '    - /tmp/.X11-unix:/tmp/.X11-unix:ro',
  '    - /run/user/1000/pulse:/run/user/1000/pulse',
  '',
  'services:',
  '  chrome:',
  '    <<: *gui',
  '    image: selenium/standalone-chrome:4.18.1',
  '  firefox:',
  '    <<: *gui',
  '    image: selenium/standalone-firefox:4.18.1',
  '  wordpress:',
  '    image: wordpress:6.4-php8.2-apache',
  '    volumes:',
  '      - type: bind',
  '        source: /var/run/mysqld/mysqld.sock',
  '        target: /var/run/mysqld/mysqld.sock',
  '        read_only: true',
  '      - ./wp-content:/var/www/html/wp-content',
  '  node-agent:',
  '    image: example/agent:2.1',
  '    volumes: ["/run/containerd/containerd.sock:/run/containerd/containerd.sock:ro", "/var/run/crio/crio.sock:/var/run/crio/crio.sock"]',
  '',
].join('\n');

test('host-socket: X11 and PulseAudio through a merged anchor, a long-syntax MySQL socket; engine sockets stay docker-socket', () => {
  const found = hits(PROJECT, 'host-socket');
  // The anchor's items: one finding each, at the anchor, naming both services that merge it.
  assert.deepEqual(marked(PROJECT, 'host-socket'), ['/tmp/.X11-unix:/tmp/.X11-unix:ro', '/run/user/1000/pulse:/run/user/1000/pulse', '/var/run/mysqld/mysqld.sock']);
  assert.match(found[0].message, /^2 services \("chrome", "firefox"\) mount \/tmp\/\.X11-unix, a door into .*X display: read keystrokes/);
  assert.match(found[1].message, /record the microphone/);
  assert.match(found[2].message, /^service "wordpress" mounts .*MySQL.*uid 0/);
  assert.ok(found.every((f) => f.severity === 'warning' && f.fixes.length === 0), 'no fix: the service may exist to use the socket');
  assert.deepEqual(marked(PROJECT, 'docker-socket'), ['"/run/containerd/containerd.sock:/run/containerd/containerd.sock:ro"', '"/var/run/crio/crio.sock:/var/run/crio/crio.sock"']);
  assert.equal(hits(PROJECT, 'sensitive-mount').length, 0);
  // Nothing to fix means the file is left as it is.
  assert.equal(fixAll(PROJECT, { kind: 'compose', ruleId: 'host-socket', unsafe: true }).text, PROJECT);
});

test('host-socket: a container with the same mounts gets the same verdicts; the hardened command keeps the socket and says so', () => {
  const inspect = JSON.parse(readFileSync(fixturePath('inspect', 'baseline.json'), 'utf8')) as ContainerInspect;
  const bind = (source: string, rw: boolean) => ({ Type: 'bind', Source: source, Destination: source, Mode: rw ? '' : 'ro', RW: rw, Propagation: 'rprivate' });
  inspect.Mounts = [bind('/tmp/.X11-unix', false), bind('/var/run/mysqld/mysqld.sock', true), bind('/var/run/crio/crio.sock', true), bind('/srv/data', true)] as ContainerInspect['Mounts'];
  const findings = checkContainer({ inspect }).findings;
  const onContainer = findings.filter((f) => f.ruleId === 'host-socket');
  assert.deepEqual(onContainer.map((f) => f.evidence), ['Mounts: /tmp/.X11-unix -> /tmp/.X11-unix (ro)', 'Mounts: /var/run/mysqld/mysqld.sock -> /var/run/mysqld/mysqld.sock (rw)']);
  const compose = hits(PROJECT, 'host-socket');
  assert.equal(onContainer[1].message, compose[2].message.replace('service "wordpress" ', ''));
  assert.equal(findings.filter((f) => f.ruleId === 'docker-socket').length, 1, 'CRI-O is an engine socket');
  const spec = hardenedSpec(inspect);
  assert.ok(spec.volumes.includes('/tmp/.X11-unix:/tmp/.X11-unix:ro') && spec.volumes.includes('/var/run/mysqld/mysqld.sock:/var/run/mysqld/mysqld.sock'));
  assert.ok(!spec.volumes.some((v) => v.includes('crio')), 'the engine socket is removed');
  assert.ok(spec.notes.some((n) => /x11 socket \/tmp\/\.X11-unix kept/.test(n)));
});

test('secret-in-env: build args from a shared build anchor, map and list form, interpolation defaults; values never shown', () => {
  const text = [
    'x-build: &build',
    '  context: .',
    '  args:',
    '    NPM_TOKEN: npm_Zq8vN3xR1tYa0b1c2d3e4f5g6h7i8j9k0l1m',
    '    NODE_VERSION: "20"',
    'services:',
    '  api:',
    '    build: *build',
    '    image: example/api:1.0',
    '  worker:',
    '    build:',
    '      <<: *build',
    '      dockerfile: Dockerfile.worker',
    '  web:',
    '    build:',
    '      context: ./web',
    '      args:',
    '        - SENTRY_AUTH_TOKEN=${SENTRY_AUTH_TOKEN:-sntrys_Zq8vN3xR1tY}',
    '        - PUBLIC_URL=https://example.org',
    '        - GITHUB_TOKEN',
    '',
  ].join('\n');
  const found = hits(text, 'secret-in-env');
  const at = found.map((f) => text.slice(f.range!.start, f.range!.end));
  assert.ok(at.includes('npm_Zq8vN3xR1tYa0b1c2d3e4f5g6h7i8j9k0l1m'));
  assert.ok(at.includes('SENTRY_AUTH_TOKEN=${SENTRY_AUTH_TOKEN:-sntrys_Zq8vN3xR1tY}'));
  assert.ok(!at.some((t) => /NODE_VERSION|PUBLIC_URL|GITHUB_TOKEN$/.test(t)), 'a plain value and a pass-through name are fine');
  for (const f of found) {
    assert.match(f.message, /build arg (NPM_TOKEN|SENTRY_AUTH_TOKEN)/);
    assert.ok(!/Zq8vN3xR1tY/.test(f.message), 'the value is never quoted');
  }
  // The anchor is shared by two services: its value is not rewritten in place; the service's own list is.
  const once = fixAll(text, { kind: 'compose', ruleId: 'secret-in-env', unsafe: true }).text;
  assert.ok(once.includes('npm_Zq8vN3xR1tYa0b1c2d3e4f5g6h7i8j9k0l1m'));
  assert.ok(once.includes('"SENTRY_AUTH_TOKEN=${SENTRY_AUTH_TOKEN:?SENTRY_AUTH_TOKEN must be set}"'));
  assert.equal(fixAll(once, { kind: 'compose', ruleId: 'secret-in-env', unsafe: true }).text, once);
});

// ---- env_file committed ------------------------------------------------------------------------

const SECRET_ENV = '# shared by api and worker\nexport DB_PASSWORD="Zq8vN3xR1tY"\nSTRIPE_KEY=sk_live_Zq8vN3xR1tYa0b1c2d3e\nLOG_LEVEL=debug  # chatty\nPORT=8080\n';
const PLAIN_ENV = 'LOG_LEVEL=info\nPORT=8080\nFEATURE_FLAGS=a,b\n';

test('dotenv: export, quotes, escapes and trailing comments read as compose reads them; offsets are the lines', async () => {
  const { parseDotenv } = await import('../../src/engine/compose/dotenv');
  const text = 'A=1\r\nexport B="x\\ny" # kept? no: quoted\nC=\'$literal # not a comment\'\nD=plain # comment\n# E=skipped\n  F = spaced  \nnot a line\n';
  const entries = parseDotenv(text);
  assert.deepEqual(entries.map((e) => [e.name, e.value]), [['A', '1'], ['B', 'x\ny'], ['C', '$literal # not a comment'], ['D', 'plain'], ['F', 'spaced']]);
  assert.equal(text.slice(entries[1].start, entries[1].end), 'export B="x\\ny" # kept? no: quoted');
});

test('env-file-committed: committed env files with secrets, through an anchor, the long syntax and a plain string; values never shown', () => {
  const text = [
    'x-app: &app',
    '  image: example/app:3.2',
    '  env_file:',
    '    - ./config/secrets.env',
    '    - ./config/plain.env',
    'services:',
    '  api:',
    '    <<: *app',
    '  worker:',
    '    <<: *app',
    '    command: ["worker"]',
    '  admin:',
    '    image: example/admin:1.0',
    '    env_file:',
    '      - path: ./admin.env',
    '        required: false',
    '      - path: ./local.env',
    '  cron:',
    '    image: example/cron:1.0',
    '    env_file: ${CRON_ENV}',
    '  legacy:',
    '    image: example/legacy:1.0',
    '    env_file: ./legacy.env',
    '',
  ].join('\n');
  const files: Record<string, string> = { './config/secrets.env': SECRET_ENV, './config/plain.env': PLAIN_ENV, './admin.env': 'ADMIN_PASSWORD=Zq8vN3xR1tY\n', './local.env': SECRET_ENV };
  const asked: string[] = [];
  const findings = lintText(text, {
    kind: 'compose',
    file: '/repo/compose.yaml',
    readProjectFile: (_f, written) => (written in files ? { kind: 'text', text: files[written] } : { kind: 'unreadable', why: 'permission denied' }),
    isCommitted: (_f, written) => (asked.push(written), written !== './local.env'),
  }).findings.filter((f) => f.ruleId === 'env-file-committed');
  assert.deepEqual(findings.map((f) => text.slice(f.range!.start, f.range!.end)), ['./config/secrets.env', 'path: ./admin.env\n        required: false\n', './legacy.env']);
  assert.match(findings[0].message, /^2 services \("api", "worker"\) read env_file \.\/config\/secrets\.env, committed to version control, with secrets \(DB_PASSWORD, STRIPE_KEY; values not shown\)/);
  assert.match(findings[1].message, /service "admin" reads env_file \.\/admin\.env.*ADMIN_PASSWORD/);
  assert.equal(findings[2].severity, 'info', 'unreadable: said so, at info');
  assert.deepEqual(findings.map((f) => f.severity).slice(0, 2), ['warning', 'warning']);
  for (const f of findings) assert.ok(!/Zq8vN3xR1tY|sk_live/.test(f.message));
  assert.ok(!asked.some((a) => a.includes('$')), 'an interpolated path is not asked about');
  assert.equal(asked.filter((a) => a === './config/secrets.env').length, 1, 'one question per file, however many services merge it');
  // Without a check (no git), nothing is reported.
  assert.equal(lintText(text, { kind: 'compose' }).findings.filter((f) => f.ruleId === 'env-file-committed').length, 0);
});

test('env-file-committed: the CLI asks the real git (tracked, untracked, outside a repository) and reports through the project', async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { committedFileCheck } = await import('../../src/workspace/gitFiles');
  const { main } = await import('../../src/cli/main');
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-envfile-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app', 'compose.yaml'), 'services:\n  api:\n    image: example/api:1.0\n    env_file: [.env.prod, .env.local, ../shared.env]\n');
  writeFileSync(join(dir, 'app', 'compose.override.yaml'), 'services:\n  api:\n    env_file: [./override.env]\n');
  writeFileSync(join(dir, 'app', '.env.prod'), SECRET_ENV);
  writeFileSync(join(dir, 'app', '.env.local'), SECRET_ENV);
  writeFileSync(join(dir, 'app', 'override.env'), SECRET_ENV);
  writeFileSync(join(dir, 'shared.env'), PLAIN_ENV);
  // Outside any repository, git cannot say: unknown.
  const check = committedFileCheck();
  assert.equal(check(join(dir, 'app', 'compose.yaml'), '.env.prod'), undefined);
  git('init', '-q');
  git('add', 'app/compose.yaml', 'app/compose.override.yaml', 'app/.env.prod', 'app/override.env', 'shared.env');
  const fresh = committedFileCheck();
  assert.deepEqual(['.env.prod', '.env.local', '../shared.env', './override.env', ':(glob)*.env'].map((p) => fresh(join(dir, 'app', 'compose.yaml'), p)), [true, false, true, true, false]);
  let out = '';
  const code = await main(['lint', '--format', 'json', join(dir, 'app')], { out: (t) => (out += t), err: () => undefined });
  const found = (JSON.parse(out) as { findings: { ruleId: string; file: string; message: string }[] }).findings.filter((f) => f.ruleId === 'env-file-committed');
  assert.ok(code !== 0 || found.length > 0);
  const where = (f: { file: string; message: string }) => [f.file.replace(/\\/g, '/').split('/').pop(), /env_file (\S+),/.exec(f.message)?.[1]];
  assert.deepEqual(found.map(where).sort(), [['compose.override.yaml', './override.env'], ['compose.yaml', '../shared.env'], ['compose.yaml', '.env.prod']]);
  assert.match(found.find((f) => f.message.includes('../shared.env'))!.message, /outside the project folder, so it was not read/);
  assert.ok(!out.includes('Zq8vN3xR1tY'));
});
