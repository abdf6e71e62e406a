import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ALL_CHECKS, matchesId, runAudit, type AuditCheckResult, type AuditEvidence } from '../../src/engine/audit';
import { effectiveDaemonConfig, parseDockerdFlags } from '../../src/engine/audit/daemon-config';
import { modeWithin } from '../../src/engine/audit/files';
import { toHtml, toMarkdown, toSarif, toJson, toText } from '../../src/engine/audit/format';
import { githubSarifProblems } from '../support/sarif-github';
import { fixturePath, repoPath } from '../support/paths';
import { main } from '../../src/cli/main';
import { auditExitCode } from '../../src/cli/audit-host';

/** A fresh copy of the recorded well-configured local host, for each test to change one thing. */
function host(): AuditEvidence {
  return JSON.parse(readFileSync(fixturePath('audit', 'local-host.json'), 'utf8')) as AuditEvidence;
}
function check(ev: AuditEvidence, id: string): AuditCheckResult {
  const r = runAudit(ev, { only: [id] }).checks.find((c) => c.id === id);
  assert.ok(r, `check ${id} ran`);
  return r;
}
const privilegedCreated = (): AuditEvidence['containers'][number] => ({
  Id: 'bbbb000000000000000000000000000000000000000000000000000000000002',
  Name: '/priv',
  State: { Status: 'created', Running: false, Pid: 0 },
  Config: { Image: 'local/busybox:test', User: '', Cmd: ['sh'] },
  HostConfig: { Privileged: true, NetworkMode: 'default', CapAdd: ['SYS_ADMIN'], SecurityOpt: ['seccomp=unconfined'], PidMode: 'host' },
  Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock', RW: true }],
  AppArmorProfile: '',
});

test('the catalog has every CIS v1.6.0 check of sections 1-7 with its numbering, once', () => {
  const ids = ALL_CHECKS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  const perSection = (s: string) => ids.filter((id) => id.split('.')[0] === s).length;
  assert.deepEqual(['1', '2', '3', '4', '5', '6', '7'].map(perSection), [20, 18, 24, 12, 32, 2, 9]);
  for (let i = 1; i <= 32; i++) assert.ok(ids.includes(`5.${i}`), `5.${i}`);
  for (let i = 1; i <= 18; i++) assert.ok(ids.includes(`1.1.${i}`), `1.1.${i}`);
});

test('the well-configured fixture host passes the checks it configures', () => {
  const r = runAudit(host());
  const status = (id: string) => r.checks.find((c) => c.id === id)?.status;
  for (const id of ['1.1.1', '1.1.3', '1.1.18', '3.1', '3.2', '3.15', '3.16', '3.18', '3.24', '4.1', '5.4', '5.5', '5.10', '5.13', '5.14', '5.26', '5.29', '5.32']) assert.equal(status(id), 'pass', id);
  assert.equal(r.summary.total, ALL_CHECKS.length);
  assert.equal(r.summary.counts.pass + r.summary.counts.warn + r.summary.counts.info + r.summary.counts.note + r.summary.counts.skip, r.summary.total);
});

test('modes are compared as octal bits: 606 is not "644 or stricter" (docker-bench-security compares decimals)', () => {
  assert.equal(modeWithin(0o606, 0o644), false);
  assert.equal(modeWithin(0o600, 0o644), true);
  assert.equal(modeWithin(0o644, 0o644), true);
  assert.equal(modeWithin(0o4755, 0o755), false, 'setuid is outside 755');
  assert.equal(modeWithin(0o440, 0o444), true);
  const ev = host();
  ev.host!.files['/etc/docker/daemon.json'].mode = 0o606;
  const r = check(ev, '3.18');
  assert.equal(r.status, 'warn');
  assert.match(r.evidence.join('\n'), /mode 606/);
  ev.host!.files['/etc/docker/daemon.json'].mode = 0o600;
  assert.equal(check(ev, '3.18').status, 'pass');
  ev.host!.files['/var/run/docker.sock'].mode = 0o666;
  assert.equal(check(ev, '3.16').status, 'warn');
});

test('owners: the socket may be root:docker; a user-owned daemon.json warns', () => {
  const ev = host();
  assert.equal(check(ev, '3.15').status, 'pass');
  Object.assign(ev.host!.files['/etc/docker/daemon.json'], { uid: 1000, owner: 'dev' });
  assert.equal(check(ev, '3.17').status, 'warn');
});

test('unreadable files are skipped as "needs root", missing ones are informational', () => {
  const ev = host();
  ev.host!.isRoot = false;
  ev.host!.files['/etc/docker'] = { path: '/etc/docker', exists: false, error: 'EACCES: permission denied' };
  const r = check(ev, '3.6');
  assert.equal(r.status, 'skip');
  assert.match(r.evidence[0], /needs root/);
  assert.equal(check(ev, '3.19').status, 'info');
});

test('stopped and created containers are audited (docker-bench-security looks only at running ones)', () => {
  const ev = host();
  ev.containers.push(privilegedCreated());
  for (const id of ['5.4', '5.5', '5.16', '5.22', '5.32', '4.1']) {
    const r = check(ev, id);
    assert.equal(r.status, 'warn', id);
    assert.deepEqual(r.containers?.map((c) => c.name), ['priv'], id);
    assert.match(r.evidence.join('\n'), /priv \(created\)/, id);
  }
});

test('5.5 uses the engine container rule that declares CIS 5.5, so the audit and the Containers view agree', () => {
  const ev = host();
  ev.containers.push(privilegedCreated());
  assert.match(check(ev, '5.5').evidence.join('\n'), /\[privileged\]/);
});

test('AppArmor: skipped with a reason on hosts without it (docker-bench-security warns), judged where it exists', () => {
  const ev = host();
  ev.containers.push(privilegedCreated());
  ev.containers[1].HostConfig!.Privileged = false;
  assert.equal(check(ev, '5.2').status, 'warn');
  ev.host!.apparmor = 'absent';
  const r = check(ev, '5.2');
  assert.equal(r.status, 'skip');
  assert.match(r.evidence[0], /AppArmor not available on this host/);
});

test('swarm 7.1 counts managers, not leaders (one leader always exists)', () => {
  const ev = host();
  ev.info!.Swarm = { LocalNodeState: 'active', ControlAvailable: true, Managers: 2, Nodes: 3 };
  ev.swarm = { nodes: [{ ID: 'a', ManagerStatus: { Leader: true } }, { ID: 'b', ManagerStatus: { Reachability: 'reachable' } }, { ID: 'c', ManagerStatus: null }] };
  const r = check(ev, '7.1');
  assert.equal(r.status, 'warn');
  assert.match(r.evidence[0], /2 manager/);
  ev.swarm.nodes!.push({ ID: 'd', ManagerStatus: { Reachability: 'reachable' } });
  assert.equal(check(ev, '7.1').status, 'pass');
  ev.info!.Swarm.LocalNodeState = 'inactive';
  assert.equal(check(ev, '7.1').status, 'info');
  assert.equal(check(ev, '5.1').status, 'pass');
});

test('checks docker-bench-security can only print can warn: lone update layers (4.7), secrets in images (4.10)', () => {
  const ev = host();
  ev.images[0].history!.push({ CreatedBy: '/bin/sh -c apt-get update' });
  assert.equal(check(ev, '4.7').status, 'warn');
  ev.images[0].history![2] = { CreatedBy: '/bin/sh -c apt-get update && apt-get install -y curl' };
  assert.equal(check(ev, '4.7').status, 'pass');
  ev.images[0].Config!.Env = ['DB_PASSWORD=hunter2'];
  const r = check(ev, '4.10');
  assert.equal(r.status, 'warn');
  assert.ok(!r.evidence.join(' ').includes('hunter2'), 'the value never appears');
});

test('1.1.1: a bind mount on the root device is not a separate partition', () => {
  const ev = host();
  assert.equal(check(ev, '1.1.1').status, 'pass');
  ev.host!.mounts![1] = { mountPoint: '/var/lib/docker', root: '/srv/docker', fsType: 'ext4', source: '/dev/vda1', device: '254:1' };
  const r = check(ev, '1.1.1');
  assert.equal(r.status, 'warn');
  assert.match(r.evidence.join('\n'), /bind mount of \/srv\/docker/);
  ev.host!.mounts!.pop();
  assert.equal(check(ev, '1.1.1').status, 'warn');
});

test('audit rules: -w and -F path= both count; a missing watch warns', () => {
  const ev = host();
  assert.equal(check(ev, '1.1.18').status, 'pass');
  ev.host!.auditRules.rules = ev.host!.auditRules.rules.filter((r) => !r.includes('/var/lib/docker'));
  assert.equal(check(ev, '1.1.5').status, 'warn');
  ev.host!.auditRules = { rules: [], sources: [], error: 'auditctl -l: EPERM' };
  ev.host!.isRoot = false;
  assert.match(check(ev, '1.1.5').evidence[0], /needs root/);
});

test('daemon flags and daemon.json merge like dockerd; conflicts are reported', () => {
  const flags = parseDockerdFlags(['dockerd', '--icc=false', '-l', 'debug', '--live-restore', '-H', 'fd://', '--host=tcp://0.0.0.0:2376', '--log-opt', 'max-size=10m', '--userland-proxy=false']);
  assert.equal(flags.get('icc'), false);
  assert.equal(flags.get('log-level'), 'debug');
  assert.equal(flags.get('live-restore'), true);
  assert.deepEqual(flags.get('hosts'), ['fd://', 'tcp://0.0.0.0:2376']);
  assert.deepEqual(flags.get('log-opts'), { 'max-size': '10m' });
  assert.equal(flags.get('userland-proxy'), false);
  const merged = effectiveDaemonConfig(['dockerd', '--icc=false'], '{"icc": true, "no-new-privileges": true}');
  assert.equal(merged.settings.get('no-new-privileges')?.source, 'daemon.json');
  assert.match(merged.problems[0], /"icc" is set both/);
  assert.match(effectiveDaemonConfig(['dockerd'], '{ broken').problems[0], /not valid JSON/);

  const ev = host();
  ev.host!.daemon!.cmdline = ['dockerd', '--icc=false', '-l', 'debug'];
  ev.host!.daemon!.configText = '{"icc": true}';
  assert.equal(check(ev, 'BH-2').status, 'warn');
  assert.equal(check(ev, '2.3').status, 'warn');
});

test('daemon settings flip their checks: no-new-privileges, userland-proxy, TLS, insecure registries', () => {
  const ev = host();
  for (const id of ['2.14', '2.16']) assert.equal(check(ev, id).status, 'warn', id);
  ev.host!.daemon!.configText = '{"no-new-privileges": true, "userland-proxy": false}';
  for (const id of ['2.14', '2.16']) assert.equal(check(ev, id).status, 'pass', id);
  // The daemon default covers containers without their own security option.
  ev.containers[0].HostConfig!.SecurityOpt = [];
  assert.equal(check(ev, '5.26').status, 'pass');
  ev.host!.daemon!.cmdline = ['dockerd', '-H', 'unix:///var/run/docker.sock', '-H', 'tcp://0.0.0.0:2375'];
  assert.equal(check(ev, '2.7').status, 'warn');
  ev.host!.daemon!.cmdline.push('--tlsverify', '--tlscacert=/c', '--tlscert=/s', '--tlskey=/k');
  assert.equal(check(ev, '2.7').status, 'pass');
  ev.info!.RegistryConfig!.InsecureRegistryCIDRs = ['127.0.0.0/8', '10.0.0.0/8'];
  assert.equal(check(ev, '2.5').status, 'warn');
  ev.networks[0].Options!['com.docker.network.bridge.enable_icc'] = 'false';
  assert.equal(check(ev, '2.2').status, 'pass');
});

test('a remote engine runs only API checks and says why the rest are skipped', () => {
  const ev = host();
  ev.engine = { host: 'tcp://build:2376', local: false, flavor: 'docker' };
  const r = runAudit(ev);
  const c = (id: string) => r.checks.find((x) => x.id === id)!;
  assert.equal(c('3.18').status, 'skip');
  assert.equal(c('3.18').evidence[0], 'remote engine: host files not visible');
  assert.equal(c('1.1.5').status, 'skip');
  assert.match(c('2.16').evidence[0], /remote engine: daemon configuration not visible/);
  assert.equal(c('2.15').status, 'warn', 'live restore is an API fact');
  assert.equal(c('5.13').status, 'pass');
  assert.match(r.summary.notes[0], /remote engine/);
});

test('rootless Docker and Podman are recognised', () => {
  const ev = host();
  ev.info!.SecurityOptions = ['name=seccomp,profile=default', 'name=rootless'];
  ev.engine.flavor = 'rootless-docker';
  assert.equal(check(ev, '2.1').status, 'pass');
  assert.equal(check(ev, '2.9').status, 'pass');
  ev.engine.flavor = 'podman';
  assert.match(check(ev, '2.16').evidence[0], /Podman/);
  assert.match(runAudit(ev).summary.notes.join(' '), /Podman/);
});

test('sshd in a container is seen from its command or its processes', () => {
  const ev = host();
  assert.equal(check(ev, '5.7').status, 'pass');
  ev.host!.containerProcesses![ev.containers[0].Id] = ['sleep', 'sshd'];
  assert.equal(check(ev, '5.7').status, 'warn');
});

test('--only / --exclude match whole dotted components', () => {
  assert.ok(matchesId('1.1.10', '1.1'));
  assert.ok(!matchesId('1.10', '1.1'));
  assert.ok(matchesId('5.4', '5.4') && !matchesId('5.40', '5.4'));
  const r = runAudit(host(), { only: ['2', '5.4'], exclude: ['2.1'] });
  assert.ok(r.checks.every((c) => c.section === '2' || c.id === '5.4'));
  assert.ok(!r.checks.some((c) => c.id === '2.1'));
  assert.equal(r.checks.length, 18);
});

test('bad evidence never throws: an empty engine answer gives skips, not a crash', () => {
  const ev = { engine: { host: 'unix:///x', local: true, flavor: 'unknown' }, apiCalls: 0, containers: [], execs: [], images: [], networks: [], clientEnv: {}, errors: ['info: ECONNREFUSED'] } as unknown as AuditEvidence;
  const r = runAudit(ev);
  assert.equal(r.checks.length, ALL_CHECKS.length);
  assert.ok(r.summary.notes.includes('info: ECONNREFUSED'));
});

test('exports escape every string from Docker', () => {
  const ev = host();
  ev.containers.push({ ...privilegedCreated(), Config: { Cmd: ['sshd', '<img src=x onerror=alert(1)>'] } });
  const r = runAudit(ev);
  const html = toHtml(r);
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(!html.includes('<img'));
  assert.doesNotMatch(toMarkdown(r), /(?<!\\)<img/, 'a tag in Markdown is backslash-escaped');
  const sarif = toSarif(r, '0.0.0') as { runs: { results: { kind: string }[] }[] };
  assert.equal(sarif.runs[0].results.length, r.checks.length);
  const json = JSON.parse(toJson(r)) as { checks: Record<string, unknown>[]; summary: object };
  for (const k of ['id', 'title', 'section', 'level', 'scored', 'status', 'evidence', 'remediation', 'refs']) assert.ok(k in json.checks[0], k);
});

test('a rule covering several CIS items does not decide each of them: a memory limit alone passes 5.11, not 5.12', () => {
  const ev = host();
  const c = ev.containers[0];
  c.HostConfig = { ...c.HostConfig, Memory: 67108864, CpuShares: 0, NanoCpus: 0, CpuQuota: 0, PidsLimit: 0 };
  assert.equal(check(ev, '5.11').status, 'pass');
  assert.equal(check(ev, '5.12').status, 'warn');
  assert.equal(check(ev, '5.29').status, 'warn');
  c.HostConfig.PidMode = 'host';
  assert.equal(check(ev, '5.16').status, 'warn');
  assert.equal(check(ev, '5.17').status, 'pass', 'host PID namespace is not host IPC');
});

test('CLI: bad options are usage errors (exit 2) with a clear message, before any engine is contacted', async () => {
  for (const [args, message] of [
    [['--format', 'xml'], /--format must be one of/],
    [['--only', '9'], /no CIS check has the id 9/],
    [['--exclude', '5.99'], /no CIS check has the id 5.99/],
    [['--fail-on', 'error'], /--fail-on must be one of/],
    [['extra'], /usage: bulkhead audit host/],
  ] as const) {
    const err: string[] = [];
    const code = await main(['audit', 'host', ...args], { out: () => {}, err: (t) => err.push(t) });
    assert.equal(code, 2, args.join(' '));
    assert.match(err.join(''), message);
  }
});

test('CLI: an unreachable engine exits 2 and says where it looked', async () => {
  const err: string[] = [];
  const code = await main(['audit', 'host', '--host', 'unix:///tmp/bulkhead-no-such-engine.sock'], { out: () => {}, err: (t) => err.push(t) });
  assert.equal(code, 2);
  assert.match(err.join(''), /cannot audit the host: No Docker engine answers at unix:\/\/\/tmp\/bulkhead-no-such-engine.sock \(--host\): the socket does not exist/);
});

test('SARIF export validates against the SARIF 2.1.0 schema', async () => {
  const { default: Ajv04 } = await import('ajv-draft-04');
  const { default: addFormats } = await import('ajv-formats');
  const ev = host();
  ev.containers.push(privilegedCreated());
  const sarif = toSarif(runAudit(ev), '0.1.0');
  const schema = JSON.parse(readFileSync(repoPath('node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
  const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
});

test('titles and automated/manual tags follow docker-bench-security v1.6.0 (3.20 is /etc/default/docker permissions)', () => {
  const def = (id: string) => ALL_CHECKS.find((c) => c.id === id)!;
  assert.match(def('3.20').title, /\/etc\/default\/docker file permissions/);
  assert.match(def('3.21').title, /\/etc\/sysconfig\/docker file permissions/);
  assert.match(def('3.22').title, /\/etc\/sysconfig\/docker file ownership/);
  const manual = ALL_CHECKS.filter((c) => !c.scored && Number(c.id.split('.')[0]) <= 6).map((c) => c.id);
  assert.deepEqual(manual, ['1.2.1', '1.2.2', '2.1', '2.8', '2.17', '4.2', '4.3', '4.4', '4.7', '4.8', '4.9', '4.10', '4.11', '4.12', '5.9', '5.18', '5.19', '5.24', '5.28', '5.30', '6.1', '6.2']);
  const ev = host();
  ev.host!.files['/etc/default/docker'] = { path: '/etc/default/docker', exists: true, type: 'file', mode: 0o666, uid: 0, gid: 0, owner: 'root', group: 'root' };
  assert.equal(check(ev, '3.20').status, 'warn');
  assert.equal(check(ev, '3.19').status, 'pass');
});

test('5.23/5.24, which docker-bench-security cannot test, warn from the exec sessions the engine records', () => {
  const ev = host();
  const none = check(ev, '5.23');
  assert.equal(none.status, 'note', 'finished exec sessions are invisible: no offending session now is not a pass');
  assert.match(none.evidence.join('\n'), /manual/);
  ev.execs = [
    { ID: 'e1'.padEnd(64, '0'), ContainerID: ev.containers[0].Id, Privileged: true, User: '' },
    { ID: 'e2'.padEnd(64, '0'), ContainerID: ev.containers[0].Id, Privileged: false, User: 'root' },
  ];
  const privileged = check(ev, '5.23');
  assert.equal(privileged.status, 'warn');
  assert.deepEqual(privileged.containers?.map((c) => c.name), ['web']);
  assert.equal(check(ev, '5.24').status, 'warn');
  ev.execs = [{ ID: 'e3'.padEnd(64, '0'), ContainerID: ev.containers[0].Id, Privileged: false, User: '1000' }];
  assert.equal(check(ev, '5.24').status, 'note');
});


test('1.1.x judge the LOADED rules: rules only on disk are "configured but not loaded"; unknown loading is not a pass', () => {
  const ev = host();
  const onDiskOnly = ev.host!.auditRules.rules;
  ev.host!.auditRules = { rules: [], sources: ['auditctl -l'], onDisk: { rules: onDiskOnly, files: ['/etc/audit/rules.d/docker.rules'] } };
  const r = check(ev, '1.1.6');
  assert.equal(r.status, 'warn');
  assert.match(r.evidence[0], /configured but not loaded: -w \/etc\/docker -k docker/);
  assert.match(r.remediation, /augenrules --load/);
  ev.host!.auditRules = { rules: [], sources: [], error: 'not run: the workspace is not trusted, so the audit runs no programs (auditctl)', onDisk: { rules: onDiskOnly, files: ['/etc/audit/rules.d/docker.rules'] } };
  assert.equal(check(ev, '1.1.6').status, 'skip');
  assert.match(check(ev, '1.1.6').evidence.join('\n'), /not trusted/);
});

test('1.1.5: a watch on a parent directory covers its subtree (userns-remap data root)', () => {
  const ev = host();
  ev.info!.DockerRootDir = '/var/lib/docker/165536.165536';
  ev.host!.files['/var/lib/docker/165536.165536'] = { path: '/var/lib/docker/165536.165536', exists: true, type: 'dir', mode: 0o700, uid: 165536, gid: 165536 };
  assert.equal(check(ev, '1.1.5').status, 'pass');
  ev.host!.auditRules.rules = ['-w /var/lib/dock -k docker', '-a always,exit -F path=/var/lib -k x'];
  assert.equal(check(ev, '1.1.5').status, 'warn', 'neither a name prefix nor a path= filter on a parent covers it');
  ev.host!.auditRules.rules = ['-a always,exit -F dir=/var/lib -k x'];
  assert.equal(check(ev, '1.1.5').status, 'pass', 'dir= covers a subtree');
});

test('remediations name the resolved paths: valid -w rules, no placeholders', () => {
  const ev = host();
  ev.host!.auditRules = { rules: [], sources: ['auditctl -l'] };
  const r = runAudit(ev);
  for (const id of ['1.1.3', '1.1.7', '1.1.8', '1.1.9']) {
    const c = r.checks.find((x) => x.id === id)!;
    assert.equal(c.status, 'warn', id);
    assert.match(c.remediation, /`-w \/[^ `]+ -k docker`/, `${id}: ${c.remediation}`);
  }
  assert.match(r.checks.find((x) => x.id === '1.1.3')!.remediation, /-w \/usr\/sbin\/dockerd /);
  assert.match(r.checks.find((x) => x.id === '1.1.7')!.remediation, /-w \/lib\/systemd\/system\/docker.service /);
  for (const c of r.checks) assert.doesNotMatch(c.remediation, /<docker\.(service|socket) path>|-w dockerd/, c.id);
  // Without host evidence the generic text still gives an absolute, valid path.
  for (const c of ALL_CHECKS) assert.doesNotMatch(c.remediation, /-w [^/]/, c.id);
});

test("Bulkhead's own checks are BH-n, outside CIS numbering (CIS v1.6.0 section 8 is UCP/DTR)", () => {
  const r = runAudit(host());
  assert.ok(!r.checks.some((c) => c.id.startsWith('8.')));
  const own = r.checks.filter((c) => c.id.startsWith('BH-'));
  assert.deepEqual(own.map((c) => [c.id, c.section, c.refs.length]), [['BH-1', 'BH', 0], ['BH-2', 'BH', 0]]);
  assert.ok(matchesId('BH-1', 'BH'));
  const sarif = toSarif(r, '0.1.0') as { runs: { results: { ruleId: string }[] }[] };
  assert.ok(sarif.runs[0].results.some((x) => x.ruleId === 'BH-2'));
});

test('CLI: manual checks never trip the default --fail-on; an explicit --fail-on counts them', () => {
  const ev = host();
  const r = runAudit(ev);
  for (const c of r.checks) if (c.status === 'warn') c.status = 'pass';
  const manual = r.checks.find((c) => !c.scored)!;
  manual.status = 'warn';
  assert.equal(auditExitCode(r, 'warn', false), 0);
  assert.equal(auditExitCode(r, 'warn', true), 1);
  r.checks.find((c) => c.scored)!.status = 'warn';
  assert.equal(auditExitCode(r, 'warn', false), 1);
  assert.equal(auditExitCode(r, 'never', true), 0);
});

const HOSTILE = '\u001b]0;owned\u0007\u001b[2J\u001b[1A\r[PASS] 5.5 forged ![x](http://evil.example/i.png) [y](javascript:alert(1)) | cell <b>';

function hostileReport() {
  const ev = host();
  ev.containers.push({ ...privilegedCreated(), Name: `/${HOSTILE}`, Config: { Cmd: ['sshd', HOSTILE + 'x'.repeat(100_000)], Labels: { evil: HOSTILE } } });
  ev.errors.push(`inspect container abc: (HTTP code 500) server error - ${HOSTILE}`);
  return runAudit(ev);
}

test('text output: control characters visible, nothing forged at column 0, long evidence cut with a marker', () => {
  const text = toText(hostileReport());
  assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, 'no raw control character (ESC, CR, BEL…)');
  assert.ok(!text.split('\n').some((l) => l.startsWith('[PASS] 5.5 forged')), 'no forged line');
  assert.match(text, /\\e\]0;owned/);
  assert.match(text, /more characters\]/);
  assert.ok(text.length < 100_000, `a 100 KB command is not copied whole (${text.length} chars)`);
});

test('Markdown export: no remote image, no javascript: link, CR cannot break a row', () => {
  const md = toMarkdown(hostileReport());
  assert.doesNotMatch(md, /!\[x\]\(http/);
  assert.doesNotMatch(md, /\]\(javascript:/);
  assert.doesNotMatch(md, /[\r\u001b]/);
  for (const line of md.split('\n').filter((l) => l.startsWith('| '))) assert.match(line, /\|$/, 'every table row ends in a cell border');
  assert.doesNotMatch(md, /(?<!\\)<b>/);
});

test('HTML export: escaped, long evidence cut and wrapped', () => {
  const html = toHtml(hostileReport());
  assert.doesNotMatch(html, /<b>|\u001b/);
  assert.match(html, /overflow-wrap:anywhere/);
  assert.ok(html.length < 100_000);
});

test('SARIF: non-fail results have level none; every result has a physical location GitHub accepts', () => {
  const ev = host();
  ev.containers.push(privilegedCreated());
  const r = runAudit(ev);
  const sarif = toSarif(r, '0.1.0', { daemonConfigPath: '/etc/docker/daemon.json' }) as { runs: { results: { kind: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
  assert.deepEqual(githubSarifProblems(sarif), []);
  for (const x of sarif.runs[0].results) if (x.kind !== 'fail') assert.equal(x.level, 'none');
  assert.ok(sarif.runs[0].results.every((x) => x.locations[0].physicalLocation.artifactLocation.uri.startsWith('file:///')));
  // The checker is stricter than the schema: it rejects what the schema lets through.
  const bad = JSON.parse(JSON.stringify(sarif)) as typeof sarif;
  bad.runs[0].results[0].level = 'note';
  bad.runs[0].results[0].kind = 'pass';
  (bad.runs[0].results[1] as { locations: unknown[] }).locations = [{ logicalLocations: [{ name: 'x' }] }];
  assert.equal(githubSarifProblems(bad).length, 2);
});
