import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { engineFlavor, gatherHostEvidence, parseMountInfo } from '../../src/docker/host-probe';
import { probeUnder } from '../../src/docker/host-probe-system';
import { runAudit, type AuditEvidence } from '../../src/engine/audit';

/** Builds a host tree under a temp dir: path -> content (string) or 'dir', with modes. */
function hostTree(files: Record<string, { text?: string; dir?: boolean; mode: number }>): string {
  const root = mkdtempSync(join(tmpdir(), 'bulkhead-host-'));
  for (const [p, f] of Object.entries(files)) {
    const full = join(root, p);
    mkdirSync(f.dir ? full : dirname(full), { recursive: true });
    if (!f.dir) writeFileSync(full, f.text ?? '');
    chmodSync(full, f.mode);
  }
  return root;
}

const MOUNTINFO = [
  '22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw',
  '40 22 254:1 /srv/docker /var/lib/docker rw,relatime shared:3 - ext4 /dev/vda1 rw',
  '41 22 0:50 / /mnt/with\\040space rw - tmpfs tmpfs rw',
].join('\n');

test('the probe reads a host tree: finds dockerd by its socket, merges its daemon.json, reads modes, groups, rules, mounts, LSM', async () => {
  const root = hostTree({
    '/proc/100/cmdline': { text: 'dockerd\0-H\0unix:///run/other.sock\0', mode: 0o444 },
    '/proc/200/cmdline': { text: '/usr/sbin/dockerd\0--config-file\0/etc/docker/custom.json\0', mode: 0o444 },
    '/proc/300/cmdline': { text: 'sleep\x00600\x00', mode: 0o444 },
    '/proc/self/mountinfo': { text: MOUNTINFO, mode: 0o444 },
    '/etc/docker': { dir: true, mode: 0o755 },
    '/etc/docker/custom.json': { text: '{"icc": false, "hosts": ["unix:///var/run/docker.sock"], "no-new-privileges": true}', mode: 0o606 },
    '/etc/group': { text: 'root:x:0:\ndocker:x:998:alice,bob\n', mode: 0o644 },
    '/etc/passwd': { text: 'root:x:0:0:root:/root:/bin/sh\ncarol:x:1002:998::/home/carol:/bin/sh\n', mode: 0o644 },
    '/lib/systemd/system/docker.service': { text: '[Service]\n', mode: 0o664 },
    '/var/run/docker.sock': { text: '', mode: 0o660 },
    '/usr/sbin/dockerd': { text: 'ELF', mode: 0o755 },
    '/etc/audit/rules.d/docker.rules': { text: '# docker\n-w /usr/sbin/dockerd -k docker\n-w /etc/docker -k docker\n', mode: 0o640 },
    // What `auditctl -l` prints here: only the dockerd watch is loaded (the /etc/docker one is not).
    '/.run/auditctl -l': { text: '-w /usr/sbin/dockerd -p rwxa -k docker\n', mode: 0o644 },
    '/sys/kernel/security/apparmor': { dir: true, mode: 0o755 },
    '/sys/fs/selinux/enforce': { text: '0\n', mode: 0o644 },
    '/etc/docker/certs.d/registry.local:5000/ca.crt': { text: 'x', mode: 0o644 },
  });
  symlinkSync('/usr/sbin/dockerd', join(root, 'proc/200/exe'));
  try {
    const host = await gatherHostEvidence(probeUnder(root), '/var/run/docker.sock', [], { DockerRootDir: '/var/lib/docker' });
    assert.equal(host.daemon?.pid, 200, 'the dockerd serving this socket (hosts from its daemon.json), not the other one');
    assert.equal(host.daemon?.configPath, '/etc/docker/custom.json');
    assert.equal(host.daemon?.binary, '/usr/sbin/dockerd');
    assert.equal(host.files['/etc/docker/custom.json'].mode, 0o606);
    assert.deepEqual(host.dockerGroupMembers?.sort(), ['alice', 'bob', 'carol']);
    assert.equal(host.apparmor, 'enabled');
    assert.equal(host.selinux, 'permissive');
    assert.equal(host.units.service, '/lib/systemd/system/docker.service');
    assert.deepEqual(host.auditRules.sources, ['auditctl -l']);
    assert.deepEqual(host.auditRules.rules, ['-w /usr/sbin/dockerd -p rwxa -k docker']);
    assert.deepEqual(host.auditRules.onDisk?.files, ['/etc/audit/rules.d/docker.rules']);
    assert.equal(host.registryCertFiles?.length, 1);

    const ev: AuditEvidence = {
      engine: { host: 'unix:///var/run/docker.sock', local: true, flavor: 'docker' },
      apiCalls: 0, containers: [], execs: [], images: [], networks: [], clientEnv: {}, errors: [], host,
      info: { DockerRootDir: '/var/lib/docker', SecurityOptions: ['name=seccomp,profile=default'] },
    };
    const r = runAudit(ev);
    const status = (id: string) => r.checks.find((c) => c.id === id)?.status;
    assert.equal(status('3.18'), 'warn', 'daemon.json 606 is not 644 or stricter');
    assert.equal(status('3.2'), 'warn', 'docker.service 664');
    assert.equal(status('3.8'), 'warn', 'registry certificate 644 is not 444');
    assert.equal(status('2.2'), 'pass', 'icc=false from the daemon.json it really uses');
    assert.equal(status('2.14'), 'pass');
    assert.equal(status('1.1.3'), 'pass', 'loaded audit rule on the real dockerd binary');
    const etcDocker = r.checks.find((c) => c.id === '1.1.6')!;
    assert.equal(etcDocker.status, 'warn', 'the /etc/docker rule is on disk but not loaded');
    assert.match(etcDocker.evidence[0], /configured but not loaded: -w \/etc\/docker/);
    assert.match(r.checks.find((c) => c.id === '1.1.3')!.remediation, /-w \/usr\/sbin\/dockerd /, 'the remediation names the resolved binary');
    assert.match(r.checks.find((c) => c.id === '3.2')!.remediation, /chmod 644 \/lib\/systemd\/system\/docker.service/);
    assert.equal(status('1.1.1'), 'warn', 'bind mount from the root device');
    assert.equal(status('1.1.2'), 'info');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('mountinfo: bind-mount roots and escaped spaces', () => {
  const m = parseMountInfo(MOUNTINFO);
  assert.equal(m[1].root, '/srv/docker');
  assert.equal(m[1].device, '254:1');
  assert.equal(m[2].mountPoint, '/mnt/with space');
  assert.deepEqual(parseMountInfo('garbage\n\n'), []);
});

test('engine flavor: Podman by its version component, rootless Docker by its security option', () => {
  assert.equal(engineFlavor({}, { Components: [{ Name: 'Podman Engine', Version: '4.3.1' }] }), 'podman');
  assert.equal(engineFlavor({ SecurityOptions: ['name=seccomp,profile=default', 'name=rootless'] }, { Components: [{ Name: 'Engine', Version: '24.0.0' }] }), 'rootless-docker');
  assert.equal(engineFlavor({ SecurityOptions: [] }, {}), 'docker');
  assert.equal(engineFlavor(undefined, undefined), 'unknown');
});

test('a rootless dockerd is found at its user socket and reads the user daemon.json', async () => {
  const root = hostTree({
    '/proc/500/cmdline': { text: 'dockerd\0', mode: 0o444 },
    '/proc/500/environ': { text: 'HOME=/home/alice\0XDG_RUNTIME_DIR=/run/user/1000\0ROOTLESSKIT_STATE_DIR=/tmp/rk\0', mode: 0o444 },
    '/home/alice/.config/docker/daemon.json': { text: '{"userland-proxy": false}', mode: 0o600 },
    '/run/user/1000/docker.sock': { text: '', mode: 0o660 },
  });
  try {
    const host = await gatherHostEvidence(probeUnder(root), '/run/user/1000/docker.sock', [], undefined);
    assert.equal(host.daemon?.pid, 500);
    assert.equal(host.daemon?.configPath, '/home/alice/.config/docker/daemon.json');
    assert.match(host.daemon?.configText ?? '', /userland-proxy/);
    const none = await gatherHostEvidence(probeUnder(root), '/var/run/docker.sock', [], undefined);
    assert.match(none.daemon?.error ?? '', /no dockerd process serves/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the default pidfile names the system dockerd without scanning /proc; a stale pidfile falls back to the scan', async () => {
  const root = hostTree({
    '/proc/100/cmdline': { text: 'dockerd\0', mode: 0o444 },
    '/proc/200/cmdline': { text: 'dockerd\0--log-level=warn\0', mode: 0o444 },
    '/var/run/docker.pid': { text: '200\n', mode: 0o644 },
  });
  try {
    assert.equal((await gatherHostEvidence(probeUnder(root), '/var/run/docker.sock', [], undefined)).daemon?.pid, 200);
    writeFileSync(join(root, 'var/run/docker.pid'), '999\n');
    assert.equal((await gatherHostEvidence(probeUnder(root), '/var/run/docker.sock', [], undefined)).daemon?.pid, 100);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('untrusted workspace: the probe runs no programs (auditctl), and 1.1.x say why the loaded rules are unknown', async () => {
  const root = hostTree({
    '/etc/audit/rules.d/docker.rules': { text: '-w /etc/docker -k docker\n', mode: 0o640 },
    '/.run/auditctl -l': { text: '-w /etc/docker -k docker\n', mode: 0o644 },
  });
  const ran: string[] = [];
  const base = probeUnder(root);
  const probe = { ...base, run: (file: string, args: string[]) => (ran.push(file), base.run(file, args)) };
  try {
    const trusted = await gatherHostEvidence(probe, '/var/run/docker.sock', [], {});
    assert.deepEqual(ran, ['auditctl'], 'a trusted audit asks auditctl');
    assert.deepEqual(trusted.auditRules.rules, ['-w /etc/docker -k docker']);
    ran.length = 0;
    const untrusted = await gatherHostEvidence(probe, '/var/run/docker.sock', [], {}, { noExec: true });
    assert.deepEqual(ran, [], 'no program runs');
    assert.deepEqual(untrusted.auditRules.sources, []);
    assert.match(untrusted.auditRules.error ?? '', /not trusted/);
    assert.deepEqual(untrusted.auditRules.onDisk?.rules, ['-w /etc/docker -k docker'], 'files are still read');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
