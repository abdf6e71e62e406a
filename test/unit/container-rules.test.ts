import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkContainer } from '../../src/engine/lint';
import type { ContainerInspect } from '../../src/engine/runtime/container';
import { fixturePath } from '../support/paths';
import { judgeSecret } from '../../src/engine/runtime/secrets';
import { effectiveCapabilities, parseShortPort, restartPolicyProblem, sensitiveHostPath, seccompState } from '../../src/engine/runtime/judge';

// Recorded from the real engine by test/docker/inspect-fixtures.test.ts (BULKHEAD_RECORD_INSPECT=1).
const load = (name: string) => JSON.parse(readFileSync(fixturePath('inspect', `${name}.json`), 'utf8')) as ContainerInspect;

const findings = (name: string) => {
  const r = checkContainer({ inspect: load(name) });
  assert.deepEqual(r.errors, []);
  return r.findings;
};
const ids = (name: string) => findings(name).map((f) => f.ruleId).sort();

/** What every unhardened container created from the test image has (root, no limits…). */
const UNHARDENED = ['cap-drop-all', 'healthcheck-missing', 'no-new-privileges', 'read-only-rootfs', 'resource-limits', 'user-root'];
const sorted = (...lists: string[][]) => lists.flat().sort();

test('baseline docker run: the unhardened set plus the default bridge', () => {
  assert.deepEqual(ids('baseline'), sorted(UNHARDENED, ['default-bridge']));
});

test('--cap-add SYS_ADMIN: cap-add as an error, with the capability in the evidence', () => {
  assert.deepEqual(ids('cap-add-sys-admin'), sorted(UNHARDENED, ['default-bridge', 'cap-add']));
  const f = findings('cap-add-sys-admin').find((x) => x.ruleId === 'cap-add')!;
  assert.equal(f.severity, 'error');
  assert.match(f.message, /SYS_ADMIN/);
  assert.equal(f.evidence, 'HostConfig.CapAdd=["SYS_ADMIN"]');
  assert.equal(f.range, undefined);
  assert.deepEqual(f.fixes, []);
});

test('--security-opt seccomp=unconfined: security-unconfined names seccomp and CIS 5.22', () => {
  assert.deepEqual(ids('seccomp-unconfined'), sorted(UNHARDENED, ['default-bridge', 'security-unconfined']));
  const f = findings('seccomp-unconfined').find((x) => x.ruleId === 'security-unconfined')!;
  assert.match(f.message, /seccomp.*5\.22/);
});

test('docker.sock mounted: docker-socket (not also sensitive-mount)', () => {
  assert.deepEqual(ids('docker-socket'), sorted(UNHARDENED, ['default-bridge', 'docker-socket']));
  assert.match(findings('docker-socket').find((x) => x.ruleId === 'docker-socket')!.evidence!, /\/var\/run\/docker\.sock -> \/var\/run\/docker\.sock \(rw\)/);
});

test('--pid host: host-namespace (the label=disable the engine adds is not reported twice)', () => {
  const inspect = load('pid-host');
  assert.ok(inspect.HostConfig?.SecurityOpt?.includes('label=disable'), 'the engine added label=disable');
  assert.deepEqual(ids('pid-host'), sorted(UNHARDENED, ['default-bridge', 'host-namespace']));
  const f = findings('pid-host').find((x) => x.ruleId === 'host-namespace')!;
  assert.equal(f.severity, 'error');
  assert.match(f.message, /process namespace.*5\.16/);
});

test('--network host: host-network, and no default-bridge', () => {
  assert.deepEqual(ids('network-host'), sorted(UNHARDENED, ['host-network']));
});

test('created --privileged with / mounted: privileged and a read-write sensitive mount of /', () => {
  assert.equal(load('privileged-root-mount').State?.Status, 'created');
  assert.deepEqual(ids('privileged-root-mount'), sorted(UNHARDENED, ['default-bridge', 'privileged', 'sensitive-mount']));
  const mount = findings('privileged-root-mount').find((x) => x.ruleId === 'sensitive-mount')!;
  assert.equal(mount.severity, 'error');
  assert.match(mount.message, /mounts \/ from the host read-write/);
});

test('created container with devices, exec tmpfs, no logging, restart always, secrets, /etc, ports, cgroup parent', () => {
  assert.deepEqual(
    ids('misc-created'),
    sorted(UNHARDENED, ['default-bridge', 'host-devices', 'tmpfs-exec', 'logging-disabled', 'restart-policy', 'secret-in-env', 'secret-in-env', 'sensitive-mount', 'port-all-interfaces', 'ssh-port', 'cgroup-parent']),
  );
  const all = findings('misc-created');
  // Secret values never reach messages or evidence.
  for (const f of all) {
    assert.doesNotMatch(`${f.message} ${f.evidence}`, /hunter2|s3cret/);
  }
  assert.deepEqual(all.filter((f) => f.ruleId === 'secret-in-env').map((f) => f.evidence).sort(), ['Config.Env has DATABASE_URL=<hidden>', 'Config.Env has DB_PASSWORD=<hidden>']);
  // 127.0.0.1:8022:22 is SSH but not on all interfaces; -p 80 is on all interfaces with a random host port.
  assert.equal(all.filter((f) => f.ruleId === 'port-all-interfaces').length, 1);
  assert.match(all.find((f) => f.ruleId === 'port-all-interfaces')!.message, /80\/tcp/);
  assert.equal(all.find((f) => f.ruleId === 'tmpfs-exec')!.evidence, 'HostConfig.Tmpfs["/scratch"]="exec"');
});

test('the fully hardened container has no findings at all', () => {
  const inspect = load('hardened');
  assert.deepEqual(inspect.HostConfig?.CapDrop, ['ALL']);
  assert.equal(inspect.HostConfig?.ReadonlyRootfs, true);
  assert.deepEqual(findings('hardened'), []);
});

test('every container finding carries evidence and no range or fixes', () => {
  for (const name of ['baseline', 'cap-add-sys-admin', 'seccomp-unconfined', 'docker-socket', 'pid-host', 'network-host', 'privileged-root-mount', 'misc-created']) {
    for (const f of findings(name)) {
      assert.ok(f.evidence && f.evidence.length > 0, `${name} ${f.ruleId} has evidence`);
      assert.equal(f.range, undefined);
      assert.deepEqual(f.fixes, []);
    }
  }
});

test('a partial or odd inspect (nulls, missing HostConfig) gives findings, never a throw', () => {
  const odd = { Id: 'abc123def4567890', Name: '/odd', HostConfig: { CapAdd: null, CapDrop: null, SecurityOpt: null, PortBindings: null, Devices: null }, Mounts: [], Config: { Env: null } } as unknown as ContainerInspect;
  const r = checkContainer({ inspect: odd });
  assert.deepEqual(r.errors, []);
  assert.ok(r.findings.some((f) => f.ruleId === 'cap-drop-all'));
  const bare = checkContainer({ inspect: { Id: 'x', Name: '' } });
  assert.deepEqual(bare.errors, []);
});

test('shared judgements: effective capabilities, seccomp state, restart policy, host paths, short ports', () => {
  assert.equal(effectiveCapabilities(true, [], ['ALL']), 'ALL');
  assert.deepEqual(effectiveCapabilities(false, ['cap_net_admin'], ['ALL']), ['NET_ADMIN']);
  assert.ok(!(effectiveCapabilities(false, [], ['NET_RAW']) as string[]).includes('NET_RAW'));
  assert.equal(seccompState([]), 'default');
  assert.equal(seccompState(['seccomp=unconfined']), 'unconfined');
  assert.equal(seccompState(['seccomp:/p.json']), 'custom');
  assert.equal(restartPolicyProblem('on-failure', 3), undefined);
  assert.match(restartPolicyProblem('on-failure', 0)!, /no retry limit/);
  assert.match(restartPolicyProblem('unless-stopped')!, /forever/);
  assert.deepEqual(sensitiveHostPath('/etc/'), { directory: '/etc', whole: true });
  assert.deepEqual(sensitiveHostPath('/etc/localtime'), { directory: '/etc', whole: false });
  assert.equal(sensitiveHostPath('/srv/app'), undefined);
  assert.equal(sensitiveHostPath('./etc'), undefined);
  assert.deepEqual(parseShortPort('[::1]:8080:80/udp'), { hostIp: '::1', hostPort: '8080', containerPort: '80', protocol: 'udp' });
  assert.deepEqual(parseShortPort('127.0.0.1::80'), { hostIp: '127.0.0.1', hostPort: undefined, containerPort: '80', protocol: 'tcp' });
});

test('credentials: names and values that hold one, settings about one that do not', () => {
  assert.equal(judgeSecret('POSTGRES_PASSWORD', 'hunter2'), 'name');
  assert.equal(judgeSecret('API_KEY', 'sk-live-abc'), 'name');
  assert.equal(judgeSecret('GITHUB_TOKEN', 'ghp_x1y2'), 'name');
  assert.equal(judgeSecret('REDIS_URL', 'redis://:pw@redis:6379'), 'connection-string', 'a password without a user');
  assert.equal(judgeSecret('REDIS_URL', 'redis://redis:6379/0'), undefined);
  assert.equal(judgeSecret('DATABASE_URL', 'postgres://app:pw@db/app'), 'connection-string');
  for (const [name, value] of [['PWD', '/app'], ['TOKEN_TTL', '3600'], ['PASSWORD_FILE', '/run/secrets/pw'], ['DB_PASSWORD', '/run/secrets/db'], ['AUTH_ENABLED', 'true'], ['OAUTH_CALLBACK', 'https://x/cb'], ['DB_PASSWORD', '${DB_PASSWORD}'], ['SECRET_KEY', 'changeme'], ['JWT_SECRET', '']]) {
    assert.equal(judgeSecret(name, value), undefined, `${name}=${value}`);
  }
});

test('a custom seccomp profile inlined by the engine is custom, not unconfined, and evidence stays short', () => {
  const profile = `seccomp=${JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write', 'exit'], action: 'SCMP_ACT_ALLOW' }] }, null, 2)}`;
  assert.equal(seccompState([profile]), 'custom');
  const inspect = { ...load('baseline'), HostConfig: { ...load('baseline').HostConfig, SecurityOpt: [profile] } } as ContainerInspect;
  const r = checkContainer({ inspect });
  assert.ok(!r.findings.some((f) => f.ruleId === 'security-unconfined'));
  const nnp = r.findings.find((f) => f.ruleId === 'no-new-privileges')!;
  assert.ok(nnp.evidence!.length < 140, nnp.evidence);
  assert.match(nnp.evidence!, /chars\)/);
});

test('ulimits: overridden and unlimited on a container', () => {
  const base = load('hardened');
  const withLimits = (Ulimits: unknown) => ({ ...base, HostConfig: { ...base.HostConfig, Ulimits } }) as ContainerInspect;
  const note = checkContainer({ inspect: withLimits([{ Name: 'nofile', Soft: 1024, Hard: 2048 }]) }).findings;
  assert.deepEqual(note.map((f) => [f.ruleId, f.severity, f.evidence]), [['ulimits', 'info', 'HostConfig.Ulimits=nofile=1024:2048']]);
  const open = checkContainer({ inspect: withLimits([{ Name: 'nproc', Soft: -1, Hard: -1 }]) }).findings;
  assert.deepEqual(open.map((f) => [f.ruleId, f.severity]), [['ulimits', 'warning']]);
});
