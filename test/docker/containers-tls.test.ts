import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerTestOptions } from '../support/docker';
import { REPO_ROOT } from '../support/paths';

// A real dockerd serving the Engine API over TCP with --tlsverify (mutual TLS), reached by the
// CLI the way users configure it: DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH, or a docker
// context with its TLS material. The engine runs in its own network namespace (unshare --net), so
// the CLI joins that namespace with nsenter to reach its 127.0.0.1.

const options = process.getuid?.() === 0 ? dockerTestOptions() : { skip: 'needs root (network namespaces)' };
const PORT = 2376;
const dir = mkdtempSync('/tmp/bht-');
const certs = join(dir, 'certs');
const wrongCerts = join(dir, 'wrong');
let engine: ChildProcess | undefined;

function openssl(args: string[], cwd: string): void {
  execFileSync('/usr/bin/openssl', args, { cwd, stdio: 'ignore' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as `docker` expects them. */
function makeCertificates(out: string): void {
  mkdirSync(out, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=bulkhead test CA'], out);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], out);
  writeFileSync(join(out, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server-cert.pem', '-days', '2', '-extfile', 'server.ext'], out);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'client.csr', '-subj', '/CN=client'], out);
  writeFileSync(join(out, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'cert.pem', '-days', '2', '-extfile', 'client.ext'], out);
}

/** Runs the compiled CLI inside the engine's network namespace with exactly `env`. */
function cliInEngineNet(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const main = join(__dirname, '..', '..', 'src', 'cli', 'main.js');
  return spawnSync('/usr/bin/nsenter', [`--net=/proc/${engine!.pid}/ns/net`, process.execPath, main, ...args], {
    encoding: 'utf8',
    timeout: 60000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, NODE_PATH: join(REPO_ROOT, 'node_modules'), ...env },
  });
}

describe('TLS engines (dockerd --tlsverify on tcp)', options, () => {
  before(async () => {
    makeCertificates(certs);
    makeCertificates(wrongCerts);
    const ns = `bulkhead-tls-${dir.slice(-6)}`;
    // sh only brings loopback up, then execs dockerd with the argument vector ("$@"), no string building.
    engine = spawn(
      '/usr/bin/unshare',
      [
        '--net', '/bin/sh', '-c', 'ip link set lo up && exec "$@"', 'sh',
        '/usr/sbin/dockerd', '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'),
        '-H', `unix://${join(dir, 'docker.sock')}`, '-H', `tcp://127.0.0.1:${PORT}`,
        '--tlsverify', '--tlscacert', join(certs, 'ca.pem'), '--tlscert', join(certs, 'server-cert.pem'), '--tlskey', join(certs, 'server-key.pem'),
        '--bridge', 'none', '--iptables=false', '--ip-masq=false', '--containerd-namespace', ns, '--containerd-plugins-namespace', `${ns}-p`,
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline) {
      const r = spawnSync('/usr/bin/docker', ['-H', `unix://${join(dir, 'docker.sock')}`, 'version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' });
      if (r.status === 0) return;
      await new Promise((res) => setTimeout(res, 300));
    }
    throw new Error('TLS dockerd did not start');
  });

  after(async () => {
    const child = engine;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15000).unref();
      });
    }
    spawnSync('umount', ['-R', '-l', join(dir, 'exec')]);
    spawnSync('umount', ['-R', '-l', join(dir, 'data')]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH reach the engine with mutual TLS', () => {
    const r = cliInEngineNet(['audit', 'containers', '--format', 'json'], { DOCKER_HOST: `tcp://127.0.0.1:${PORT}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { containers: unknown[] };
    assert.deepEqual(out.containers, []);
  });

  test('a docker context with its TLS material in contexts/tls reaches the engine', () => {
    const config = join(dir, 'docker-config');
    const id = createHash('sha256').update('tls-lab').digest('hex');
    mkdirSync(join(config, 'contexts', 'meta', id), { recursive: true });
    mkdirSync(join(config, 'contexts', 'tls', id, 'docker'), { recursive: true });
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'tls-lab' }));
    writeFileSync(join(config, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({ Name: 'tls-lab', Metadata: {}, Endpoints: { docker: { Host: `tcp://127.0.0.1:${PORT}`, SkipTLSVerify: false } } }));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) copyFileSync(join(certs, f), join(config, 'contexts', 'tls', id, 'docker', f));
    const r = cliInEngineNet(['audit', 'containers'], { DOCKER_CONFIG: config });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`0 container\\(s\\) on tcp://127\\.0\\.0\\.1:${PORT}`));
  });

  test('a certificate from another CA is the TLS state: clear message, exit 2', () => {
    const r = cliInEngineNet(['audit', 'containers'], { DOCKER_HOST: `tcp://127.0.0.1:${PORT}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: wrongCerts });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /TLS failure talking to tcp:\/\/127\.0\.0\.1:2376/);
    assert.match(r.stderr, /DOCKER_CERT_PATH/);
    assert.doesNotMatch(r.stderr, /internal error/);
  });

  test('plain HTTP to the TLS port is the TLS state too', () => {
    const r = cliInEngineNet(['audit', 'containers'], { DOCKER_HOST: `tcp://127.0.0.1:${PORT}` });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /speaks TLS but was asked in plain HTTP/);
  });
});
