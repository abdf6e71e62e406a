import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  classifyEngineError,
  connectEngine,
  contextDirName,
  createClient,
  discoverEngines,
  EngineAddressError,
  engineKey,
  nodeSystem,
  normalizeHost,
  resolveDefaultEngine,
} from '../../src/docker/connection';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-conn-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a docker CLI context store entry the way `docker context create` lays it out. */
function writeContext(configDir: string, name: string, host: string, opts: { tls?: boolean; skipVerify?: boolean } = {}): string {
  const dir = createHash('sha256').update(name).digest('hex');
  mkdirSync(join(configDir, 'contexts', 'meta', dir), { recursive: true });
  writeFileSync(
    join(configDir, 'contexts', 'meta', dir, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: { Description: '' }, Endpoints: { docker: { Host: host, SkipTLSVerify: Boolean(opts.skipVerify) } } }),
  );
  const tlsDir = join(configDir, 'contexts', 'tls', dir, 'docker');
  if (opts.tls) {
    mkdirSync(tlsDir, { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(tlsDir, f), 'pem');
  }
  return tlsDir;
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve) => server.listen(path, resolve));
}

test('context directories are the sha256 of the context name (docker/cli store layout)', () => {
  assert.equal(contextDirName('default'), createHash('sha256').update('default').digest('hex'));
  assert.notEqual(contextDirName('a'), contextDirName('b'));
});

test('without configuration the default unix socket is used (npipe on Windows)', (t) => {
  const config = tempDir(t);
  assert.deepEqual(resolveDefaultEngine({ DOCKER_CONFIG: config }, nodeSystem()), { host: 'unix:///var/run/docker.sock', source: 'default socket' });
  const win = { ...nodeSystem(), platform: 'win32' as const };
  assert.equal(resolveDefaultEngine({ DOCKER_CONFIG: config }, win).host, 'npipe:////./pipe/docker_engine');
});

test('DOCKER_HOST wins over DOCKER_CONTEXT and currentContext, like the CLI', (t) => {
  const config = tempDir(t);
  writeContext(config, 'remote', 'tcp://10.0.0.1:2375');
  writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
  const target = resolveDefaultEngine({ DOCKER_CONFIG: config, DOCKER_HOST: 'unix:///tmp/x.sock', DOCKER_CONTEXT: 'remote' });
  assert.deepEqual(target, { host: 'unix:///tmp/x.sock', source: 'DOCKER_HOST' });
});

test('DOCKER_CONTEXT selects a context and its TLS material', (t) => {
  const config = tempDir(t);
  const tlsDir = writeContext(config, 'prod', 'tcp://prod.example:2376', { tls: true });
  writeContext(config, 'other', 'tcp://other.example:2375');
  writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'other' }));
  const target = resolveDefaultEngine({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'prod' });
  assert.equal(target.host, 'tcp://prod.example:2376');
  assert.equal(target.source, 'context prod');
  assert.deepEqual(target.tls, { verify: true, ca: join(tlsDir, 'ca.pem'), cert: join(tlsDir, 'cert.pem'), key: join(tlsDir, 'key.pem') });
});

test('currentContext in config.json is used when no variable is set; SkipTLSVerify is honoured', (t) => {
  const config = tempDir(t);
  writeContext(config, 'lab', 'tcp://lab.example:2376', { tls: true, skipVerify: true });
  writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'lab' }));
  const target = resolveDefaultEngine({ DOCKER_CONFIG: config });
  assert.equal(target.host, 'tcp://lab.example:2376');
  assert.equal(target.tls?.verify, false);
  // HOME/.docker is the config dir when DOCKER_CONFIG is unset.
  const home = tempDir(t);
  mkdirSync(join(home, '.docker'));
  writeContext(join(home, '.docker'), 'homectx', 'ssh://me@box');
  writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'homectx' }));
  assert.deepEqual(resolveDefaultEngine({ HOME: home }), { host: 'ssh://me@box', source: 'context homectx' });
});

test('the "default" context means the default socket', (t) => {
  const config = tempDir(t);
  writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'default' }));
  assert.equal(resolveDefaultEngine({ DOCKER_CONFIG: config }).host, 'unix:///var/run/docker.sock');
  assert.equal(resolveDefaultEngine({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'default' }).host, 'unix:///var/run/docker.sock');
});

test('a missing context or a broken config is a resolution error that connecting reports, not a throw', async (t) => {
  const config = tempDir(t);
  const missing = resolveDefaultEngine({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'nope' });
  assert.match(missing.resolutionError ?? '', /context "nope" .*does not exist/);
  assert.throws(() => createClient(missing), EngineAddressError);
  const result = await connectEngine(missing);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.problem.kind, 'badAddress');
  assert.match(!result.ok ? result.problem.message : '', /does not exist/);

  writeFileSync(join(config, 'config.json'), '{ not json');
  assert.match(resolveDefaultEngine({ DOCKER_CONFIG: config }).resolutionError ?? '', /not valid JSON/);
});

test('DOCKER_TLS_VERIFY and DOCKER_CERT_PATH give TLS to DOCKER_HOST; ports default like the CLI', (t) => {
  const certs = tempDir(t);
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(certs, f), 'pem');
  const target = resolveDefaultEngine({ DOCKER_HOST: 'tcp://secure.example', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs });
  assert.equal(target.host, 'tcp://secure.example:2376');
  assert.deepEqual(target.tls, { verify: true, ca: join(certs, 'ca.pem'), cert: join(certs, 'cert.pem'), key: join(certs, 'key.pem') });
  assert.equal(resolveDefaultEngine({ DOCKER_HOST: 'tcp://plain.example' }).host, 'tcp://plain.example:2375');
  assert.equal(normalizeHost('example.org:1234'), 'tcp://example.org:1234');
  assert.equal(normalizeHost('/run/docker.sock'), 'unix:///run/docker.sock');
});

test('rootless Docker and Podman sockets are found when they exist, settings add engines, duplicates go', async (t) => {
  const root = tempDir(t);
  const config = tempDir(t);
  // The fs root stands in for "/": the runtime dir and Podman's system socket live below it.
  const runtime = '/run/user/1000';
  mkdirSync(join(root, runtime, 'podman'), { recursive: true });
  mkdirSync(join(root, 'run', 'podman'), { recursive: true });
  const servers = [createServer(), createServer(), createServer()];
  t.after(() => servers.forEach((s) => s.close()));
  await listen(servers[0], join(root, runtime, 'docker.sock'));
  await listen(servers[1], join(root, runtime, 'podman', 'podman.sock'));
  await listen(servers[2], join(root, 'run', 'podman', 'podman.sock'));

  const engines = discoverEngines(
    ['tcp://extra.example:2375', 'unix:///var/run/docker.sock', '/var/run//docker.sock', '', 42],
    { DOCKER_CONFIG: config, XDG_RUNTIME_DIR: runtime },
    nodeSystem(root),
  );
  assert.deepEqual(
    engines.map((e) => [e.host, e.source]),
    [
      ['unix:///var/run/docker.sock', 'default socket'],
      ['unix:///run/user/1000/docker.sock', 'rootless Docker'],
      ['unix:///run/user/1000/podman/podman.sock', 'Podman (rootless)'],
      ['unix:///run/podman/podman.sock', 'Podman'],
      ['tcp://extra.example:2375', 'bulkhead.engines setting'],
    ],
  );
  // A regular file where a socket should be is not an engine.
  const other = tempDir(t);
  mkdirSync(join(other, runtime), { recursive: true });
  writeFileSync(join(other, runtime, 'docker.sock'), '');
  assert.deepEqual(discoverEngines([], { DOCKER_CONFIG: config, XDG_RUNTIME_DIR: runtime }, nodeSystem(other)).map((e) => e.host), ['unix:///var/run/docker.sock']);
  assert.equal(engineKey({ host: '/var/run//docker.sock', source: 'x' }), 'unix:///var/run/docker.sock');
});

test('createClient ignores DOCKER_HOST/DOCKER_CERT_PATH in the process environment (docker-modem merges them)', () => {
  const saved = { host: process.env.DOCKER_HOST, cert: process.env.DOCKER_CERT_PATH };
  process.env.DOCKER_HOST = 'tcp://should-not-win.example:2375';
  try {
    const modem = createClient({ host: 'unix:///tmp/engine.sock', source: 'test' }).modem as unknown as Record<string, unknown>;
    assert.equal(modem.socketPath, '/tmp/engine.sock');
    assert.equal(modem.host, undefined);
    const bare = createClient({ host: '/run/user/1000/docker.sock', source: 'test' }).modem as unknown as Record<string, unknown>;
    assert.equal(bare.socketPath, '/run/user/1000/docker.sock', 'a plain path is a unix socket, like the CLI');
    const pipe = createClient({ host: 'npipe:////./pipe/docker_engine', source: 'test' }).modem as unknown as Record<string, unknown>;
    assert.equal(pipe.socketPath, '\\\\.\\pipe\\docker_engine');
    const ssh = createClient({ host: 'ssh://deploy@build.example:2222', source: 'test' }).modem as unknown as Record<string, unknown>;
    assert.deepEqual([ssh.protocol, ssh.host, ssh.port, ssh.username], ['ssh', 'build.example', 2222, 'deploy']);
    assert.equal(ssh.timeout, undefined, 'ssh2 channels have no setTimeout: no modem timeout over ssh');
    const tcp = createClient({ host: 'tcp://10.1.2.3', source: 'test' }).modem as unknown as Record<string, unknown>;
    assert.deepEqual([tcp.protocol, tcp.host, tcp.port], ['http', '10.1.2.3', 2375]);
  } finally {
    if (saved.host === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved.host;
  }
  assert.throws(() => createClient({ host: 'ftp://x', source: 'test' }), /unsupported engine address/);
});

test('a socket nobody listens on is the notRunning state, with a hint', async (t) => {
  const dir = tempDir(t);
  const target = { host: `unix://${join(dir, 'absent.sock')}`, source: 'test' };
  const result = await connectEngine(target, 2000);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.problem.kind, 'notRunning');
  assert.match(result.problem.message, /No Docker engine answers at unix:.*absent\.sock.*does not exist/);
  assert.match(result.problem.hint ?? '', /Start the engine/);
});

test('an engine that accepts but never answers is the timeout state', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'silent.sock');
  const server = createServer(() => undefined);
  await listen(server, path);
  t.after(() => server.close());
  const started = Date.now();
  const result = await connectEngine({ host: `unix://${path}`, source: 'test' }, 300);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.problem.kind, 'timeout');
  assert.ok(Date.now() - started < 5000);
});

test('speaking TLS to a plain server is the tls state; EACCES is permissionDenied with the docker group fix', async (t) => {
  const server = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\nnot tls'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const dir = tempDir(t);
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), '');
  const result = await connectEngine({ host: `tcp://127.0.0.1:${port}`, source: 'test', tls: { verify: true } }, 3000);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.problem.kind, 'tls');

  const denied = classifyEngineError(Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' }), { host: 'unix:///var/run/docker.sock', source: 'x' });
  assert.equal(denied.kind, 'permissionDenied');
  assert.match(denied.message, /\/var\/run\/docker\.sock/);
  assert.match(denied.hint ?? '', /docker group/);
  assert.match(denied.hint ?? '', /rootless/);
});
