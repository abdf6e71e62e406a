import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { deriveHardening, mountPointFor, writtenPaths, type HardenChange } from '../../src/engine/harden/derive';
import { hardeningEdits, servicePorts, hasHealthcheck } from '../../src/engine/harden/edits';
import { bisectCulprit, deniedCalls, regressions, type RunOutcome } from '../../src/engine/harden/verify';
import type { Evidence } from '../../src/engine/harden/evidence';
import { applyEdits } from '../../src/engine/text';
import { composeFileText, composeServiceFromInspect, dockerRunArgs, dockerRunCommand, serviceNameOf, splitCommand, withoutSecretValues } from '../../src/engine/harden/container';
import type { ContainerInspect } from '../../src/engine/runtime/container';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures');
const busyboxLog = readFileSync(join(FIXTURES, 'strace', 'busybox-o-file.log'), 'utf8');

// Recorded from a trial run of a service that chowns /data as root, then drops to uid 1000 and
// serves HTTP on port 80 (abridged to the calls that matter).
const DROPPING_TRACE = `101   execve("/bin/sh", ["sh", "-c", "chown -R 1000:1000 /data; exec su-exec"], 0x7ffd /* 5 vars */) = 0
101   chown("/data", 1000, 1000)        = 0
101   openat(AT_FDCWD, "/data/state", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3
101   setgroups(0, NULL)                = 0
101   setgid(1000)                      = 0
101   setuid(1000)                      = 0
101   socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3
101   bind(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("0.0.0.0")}, 16) = 0
101   listen(3, 5)                      = 0
101   accept(3, {sa_family=AF_INET, sin_port=htons(41234), sin_addr=inet_addr("172.30.0.1")}, [16]) = 4
101   write(4, "HTTP/1.0 200 OK\\r\\n", 17) = 17
101   exit_group(0)                     = ?
`;

function evidence(over: Partial<Evidence> = {}): Evidence {
  return {
    service: 'web',
    image: 'local/busybox:test',
    configuredUser: '',
    imageUsers: [
      { name: 'root', uid: 0, gid: 0 },
      { name: 'nobody', uid: 65534, gid: 65534 },
    ],
    trace: busyboxLog,
    setuidFiles: [],
    changes: [],
    prefilledDirs: [],
    listeners: [],
    hostAddresses: ['172.30.0.1'],
    ports: [],
    tools: ['/bin/wget', '/bin/nc'],
    restarts: 0,
    running: true,
    observedSeconds: 5,
    ...over,
  };
}

const byKey = (changes: HardenChange[], key: string) => changes.filter((c) => c.key === key);

test('capabilities: ALL dropped, exactly the used ones added, with the call as evidence', () => {
  const d = deriveHardening(evidence(), { seccompPath: './web.seccomp.json' });
  assert.deepEqual(byKey(d.changes, 'cap_drop')[0].value, ['ALL']);
  const add = byKey(d.changes, 'cap_add')[0];
  assert.deepEqual(add.value, ['CHOWN', 'DAC_OVERRIDE'], 'chown to uid 1000, then rewriting the file as root');
  assert.match(add.evidence, /CHOWN: chown/);
});

test('written paths: scratch directories get a tmpfs, data directories a named volume, and why', () => {
  const changes: Evidence['changes'] = [
    { path: '/tmp', kind: 0 },
    { path: '/tmp/cache.txt', kind: 1 },
    { path: '/data', kind: 0 },
    { path: '/data/db', kind: 1 },
    { path: '/data/db/rows', kind: 1 },
  ];
  assert.deepEqual(writtenPaths(changes), ['/data/db/rows', '/tmp/cache.txt']);
  const d = deriveHardening(evidence({ changes }), { seccompPath: './s.json' });
  assert.equal(byKey(d.changes, 'read_only')[0].value, true);
  assert.deepEqual(byKey(d.changes, 'tmpfs')[0].value, ['/tmp']);
  const volume = byKey(d.changes, 'volumes')[0];
  assert.deepEqual(volume.value, ['web-data:/data']);
  assert.match(volume.evidence, /wrote \/data\/db\/rows; \/data is not a scratch directory.*survive a restart/);
  assert.deepEqual(d.namedVolumes, ['web-data']);
  // A scratch directory that holds files of the image would hide them as a tmpfs: a volume copies them.
  const prefilled = deriveHardening(evidence({ changes, prefilledDirs: ['/tmp'] }), { seccompPath: './s.json' });
  assert.equal(byKey(prefilled.changes, 'tmpfs').length, 0);
  assert.match(byKey(prefilled.changes, 'volumes').map((c) => c.evidence).join('\n'), /\/tmp holds files of the image/);
});

test('mount points: never / or a directory of system files', () => {
  assert.equal(mountPointFor('/tmp/a/b'), '/tmp');
  assert.equal(mountPointFor('/var/lib/app/db'), '/var/lib/app');
  assert.equal(mountPointFor('/srv/x'), undefined, 'a file directly in a parent-only directory');
  assert.equal(mountPointFor('/etc/app.conf'), undefined);
  assert.equal(mountPointFor('/marker'), undefined);
  const d = deriveHardening(evidence({ changes: [{ path: '/marker', kind: 1 }] }), { seccompPath: './s.json' });
  assert.equal(byKey(d.changes, 'read_only').length, 0);
  assert.match(d.notes.find((n) => n.control === 'read_only')!.why, /writes \/marker/);
});

test('no-new-privileges only without a setuid execution; the user switch keeps root at start-up', () => {
  const plain = deriveHardening(evidence({ trace: DROPPING_TRACE }), { seccompPath: './s.json' });
  assert.deepEqual(byKey(plain.changes, 'security_opt')[0].value, ['no-new-privileges:true']);
  assert.deepEqual(byKey(plain.changes, 'cap_add')[0].value, ['CHOWN', 'NET_BIND_SERVICE', 'SETGID', 'SETUID']);
  assert.equal(byKey(plain.changes, 'user').length, 0);
  assert.match(plain.notes.find((n) => n.control === 'user')!.why, /switches to uid 1000 itself/);

  const setuidTrace = `7 execve("/opt/suid/id", ["/opt/suid/id"], 0x1 /* 1 var */) = 0\n7 exit_group(0) = ?\n`;
  const withSetuid = deriveHardening(evidence({ trace: setuidTrace, setuidFiles: ['/opt/suid/id'] }), { seccompPath: './s.json' });
  assert.ok(!withSetuid.changes.some((c) => c.control === 'no_new_privileges'));
  assert.match(withSetuid.notes.find((n) => n.control === 'no_new_privileges')!.why, /executed setuid\/setgid \/opt\/suid\/id/);
});

test('user: a process that never needed root gets the image user (or nobody)', () => {
  const trace = `5 execve("/bin/sleep", ["sleep", "9"], 0x1 /* 1 var */) = 0\n5 nanosleep({tv_sec=9, tv_nsec=0}, NULL) = 0\n`;
  const d = deriveHardening(evidence({ trace }), { seccompPath: './s.json' });
  assert.equal(byKey(d.changes, 'user')[0].value, '65534:65534');
  const own = deriveHardening(evidence({ trace, imageUsers: [{ name: 'app', uid: 1001, gid: 1001 }] }), { seccompPath: './s.json' });
  assert.equal(byKey(own.changes, 'user')[0].value, '1001:1001');
  assert.match(byKey(own.changes, 'user')[0].evidence, /image's own user app/);
  const already = deriveHardening(evidence({ trace, configuredUser: '1000' }), { seccompPath: './s.json' });
  assert.equal(byKey(already.changes, 'user').length, 0);
  // Root writing a data directory: the new volume there belongs to root, so root stays.
  const writer = deriveHardening(evidence({ trace, changes: [{ path: '/data', kind: 1 }, { path: '/data/log', kind: 1 }] }), { seccompPath: './s.json' });
  assert.deepEqual(byKey(writer.changes, 'volumes')[0].value, ['web-data:/data']);
  assert.equal(byKey(writer.changes, 'user').length, 0);
  assert.match(writer.notes.find((n) => n.control === 'user')!.why, /writes to \/data as root/);
});

test('limits from the peaks with stated headroom; seccomp from the observed calls', () => {
  const d = deriveHardening(evidence({ peakPids: 12, peakMemoryBytes: 40 * 1024 * 1024 }), { seccompPath: './web.seccomp.json' });
  assert.equal(byKey(d.changes, 'pids_limit')[0].value, 24);
  assert.equal(byKey(d.changes, 'mem_limit')[0].value, '80m');
  assert.match(byKey(d.changes, 'mem_limit')[0].evidence, /peak memory 40.0 MiB; 2× headroom/);
  const seccomp = d.changes.find((c) => c.control === 'seccomp')!;
  assert.deepEqual(seccomp.value, ['seccomp=./web.seccomp.json']);
  assert.ok(d.profile.seccomp.allowed.includes('chown') && !d.profile.seccomp.allowed.includes('mount'));
  const small = deriveHardening(evidence({ peakPids: 2, peakMemoryBytes: 1024 * 1024 }), { seccompPath: './s.json' });
  assert.equal(byKey(small.changes, 'pids_limit')[0].value, 16);
  assert.equal(byKey(small.changes, 'mem_limit')[0].value, '32m');
});

test('healthcheck: HTTP probe only for HTTP, a TCP probe otherwise, nothing without a tool', () => {
  const http = deriveHardening(evidence({ listeners: [{ port: 80, http: true, status: 200 }] }), { seccompPath: './s.json' });
  assert.deepEqual((byKey(http.changes, 'healthcheck')[0].value as { test: string[] }).test, ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:80/']);
  const tcp = deriveHardening(evidence({ listeners: [{ port: 9000, http: false }] }), { seccompPath: './s.json' });
  assert.deepEqual((byKey(tcp.changes, 'healthcheck')[0].value as { test: string[] }).test, ['CMD', 'nc', '-w', '2', '127.0.0.1', '9000']);
  const notFound = deriveHardening(evidence({ listeners: [{ port: 80, http: true, status: 404 }], tools: ['/bin/wget'] }), { seccompPath: './s.json' });
  assert.equal(byKey(notFound.changes, 'healthcheck').length, 0, 'a 404 on / is no health signal, and there is no nc');
  const existing = deriveHardening(evidence({ listeners: [{ port: 80, http: true, status: 200 }] }), { seccompPath: './s.json', hasHealthcheck: true });
  assert.equal(byKey(existing.changes, 'healthcheck').length, 0);
});

test('ports: loopback when only the host connected, kept when someone else did', () => {
  const ports = [{ text: '8080:80' }, { text: '127.0.0.1:9000:9000' }, { text: '81' }];
  const d = deriveHardening(evidence({ trace: DROPPING_TRACE, ports }), { seccompPath: './s.json' });
  assert.deepEqual(byKey(d.changes, 'ports')[0].value, ['127.0.0.1:8080:80', '127.0.0.1::81']);
  assert.match(byKey(d.changes, 'ports')[0].evidence, /only the host \(172\.30\.0\.1\) connected/);
  const outside = deriveHardening(evidence({ trace: DROPPING_TRACE, ports, hostAddresses: ['172.99.0.1'] }), { seccompPath: './s.json' });
  assert.equal(byKey(outside.changes, 'ports').length, 0);
  assert.match(outside.notes.find((n) => n.control === 'ports')!.why, /172\.30\.0\.1 connected/);
});

const COMPOSE = `# the shop
x-base: &base
  restart: unless-stopped   # keep it up
services:
  web:
    <<: *base
    image: local/busybox:test
    security_opt:
      - label=type:foo_t
      - seccomp=old.json
    ports:
      - "8080:80" # public
    volumes:
      - ./conf:/conf:ro
  db:
    <<: *base
    image: local/busybox:test
`;

test('compose edits: minimal, comments and anchors kept, idempotent, valid', () => {
  const ports = servicePorts(COMPOSE, 'web');
  assert.deepEqual(ports, [{ text: '8080:80' }]);
  assert.equal(hasHealthcheck(COMPOSE, 'web'), false);
  const d = deriveHardening(
    evidence({ ports, peakPids: 3, peakMemoryBytes: 2e6, listeners: [{ port: 80, http: true, status: 200 }], changes: [{ path: '/tmp/x', kind: 1 }, { path: '/data/y', kind: 1 }] }),
    { seccompPath: './web.seccomp.json' },
  );
  const { edits, error } = hardeningEdits(COMPOSE, 'web', d.changes, d.namedVolumes);
  assert.equal(error, undefined);
  const once = applyEdits(COMPOSE, edits).text;
  for (const kept of ['# the shop', '&base', '<<: *base', '# keep it up', '# public', '  db:\n    <<: *base\n    image: local/busybox:test\n']) assert.ok(once.includes(kept), `kept ${kept}`);
  const web = parse(once).services.web;
  assert.deepEqual(web.cap_drop, ['ALL']);
  assert.deepEqual(web.cap_add, ['CHOWN', 'DAC_OVERRIDE']);
  assert.equal(web.read_only, true);
  assert.deepEqual(web.tmpfs, ['/tmp']);
  assert.deepEqual(web.volumes, ['./conf:/conf:ro', 'web-data:/data']);
  assert.deepEqual(web.security_opt, ['label=type:foo_t', 'no-new-privileges:true', 'seccomp=./web.seccomp.json']);
  assert.deepEqual(web.ports, ['127.0.0.1:8080:80']);
  assert.equal(web.pids_limit, 16);
  assert.equal(web.mem_limit, '32m');
  assert.deepEqual(web.healthcheck.test, ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:80/']);
  assert.deepEqual(parse(once).volumes, { 'web-data': {} });
  assert.equal(parse(once).services.db.cap_drop, undefined, 'the other service is untouched');
  const again = hardeningEdits(once, 'web', d.changes, d.namedVolumes);
  assert.equal(applyEdits(once, again.edits).text, once, 'applying twice equals applying once');
  assert.match(hardeningEdits(COMPOSE, 'nope', d.changes, []).error ?? '', /service "nope" is not in this compose file/);
});

const outcome = (over: Partial<RunOutcome> = {}): RunOutcome => ({ exitCode: null, running: true, healthy: null, restarts: 0, exerciseExitCode: 0, listening: [80], denied: [], ...over });

test('verification: same behaviour passes, each kind of regression is named', () => {
  assert.deepEqual(regressions(outcome(), outcome({ healthy: true })), []);
  assert.match(regressions(outcome(), outcome({ running: false, exitCode: 1 })).join(), /stopped \(exit code 1\)/);
  assert.match(regressions(outcome({ running: false, exitCode: 0 }), outcome({ running: false, exitCode: 2 })).join(), /exit code 2 instead of 0/);
  assert.match(regressions(outcome(), outcome({ exerciseExitCode: 1 })).join(), /exercise exited with 1 instead of 0/);
  assert.match(regressions(outcome(), outcome({ listening: [] })).join(), /no longer listens on 80/);
  assert.match(regressions(outcome(), outcome({ healthy: false })).join(), /unhealthy/);
  assert.match(regressions(outcome({ denied: ['mkdir EACCES'] }), outcome({ denied: ['mkdir EACCES', 'chown EPERM'] })).join(), /new denied calls: chown EPERM$/);
  assert.deepEqual(deniedCalls('9 chown("/d", 1, 1) = -1 EPERM (Operation not permitted)\n9 open("/x", O_RDONLY) = -1 ENOENT (No such file)\n'), ['chown EPERM']);
  assert.deepEqual(deniedCalls('9 epoll_ctl(4, EPOLL_CTL_ADD, 7, {events=EPOLLIN, data={u32=1, u64=1}}) = -1 EPERM (Operation not permitted)\n'), [], 'an unpollable file is no denial');
});

test('bisection finds the one failing control in log2(n) trials', async () => {
  const controls = ['capabilities', 'read_only', 'no_new_privileges', 'user', 'limits', 'seccomp', 'ports', 'healthcheck'] as const;
  for (const culprit of controls) {
    let trials = 0;
    const found = await bisectCulprit([...controls], async (subset) => {
      trials++;
      return subset.includes(culprit);
    });
    assert.equal(found, culprit);
    assert.ok(trials <= 3, `${trials} trials for 8 controls`);
  }
});

test('a running container as a compose service: what it runs and how; secrets shown by name only; $ kept literal', () => {
  const recorded = JSON.parse(readFileSync(join(FIXTURES, 'inspect', 'docker-socket.json'), 'utf8'));
  const inspect = { ...(Array.isArray(recorded) ? recorded[0] : recorded) } as ContainerInspect;
  inspect.Config = { ...inspect.Config, User: '1000', Env: ['PATH=/bin', 'API_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'PRICE=$5'] };
  inspect.HostConfig = { ...inspect.HostConfig, CapAdd: ['NET_ADMIN'], PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }] } };
  const name = serviceNameOf(inspect);
  assert.equal(name, 'bulkhead-test-docker-socket-6410-intcja');
  const service = composeServiceFromInspect(inspect);
  assert.deepEqual(service.command, ['sleep', '300']);
  assert.equal(service.user, '1000');
  assert.deepEqual(service.volumes, ['/var/run/docker.sock:/var/run/docker.sock']);
  assert.deepEqual(service.ports, ['8080:80', '127.0.0.1:5353:53/udp']);
  assert.deepEqual(service.cap_add, ['NET_ADMIN']);
  const text = composeFileText(name, withoutSecretValues(service));
  assert.ok(!text.includes('ghp_'), 'the token value is not shown');
  const parsed = parse(text).services[name];
  assert.deepEqual(parsed.environment, ['PATH=/bin', 'API_TOKEN', 'PRICE=$$5']);
  assert.deepEqual(parsed.ports, ['8080:80', '127.0.0.1:5353:53/udp']);
});

test('a compose service as a docker run command: every flag, exec-form health check quoted, long-syntax ports, string commands split', () => {
  const args = dockerRunArgs('web', {
    image: 'local/busybox:test',
    command: 'httpd -f -p "80"',
    user: '65534:65534',
    cap_drop: ['ALL'],
    cap_add: ['NET_BIND_SERVICE'],
    read_only: true,
    tmpfs: ['/tmp'],
    security_opt: ['no-new-privileges:true', 'seccomp=./web.seccomp.json'],
    ports: [{ target: 80, published: 8080, host_ip: '127.0.0.1', protocol: 'tcp' }, '9000'],
    environment: { A: '1', B: null },
    pids_limit: 16,
    mem_limit: '32m',
    healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:80/'], interval: '10s', retries: 3 },
  });
  assert.deepEqual(args, [
    'run', '-d', '--name', 'web', '--user', '65534:65534', '--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE', '--security-opt', 'no-new-privileges:true', '--security-opt', 'seccomp=./web.seccomp.json',
    '--read-only', '--tmpfs', '/tmp', '-p', '127.0.0.1:8080:80', '-p', '9000', '-e', 'A=1', '-e', 'B', '--memory', '32m', '--pids-limit', '16',
    '--health-cmd', 'wget -q -O /dev/null http://127.0.0.1:80/', '--health-interval', '10s', '--health-retries', '3', 'local/busybox:test', 'httpd', '-f', '-p', '80',
  ]);
  assert.equal(dockerRunCommand('x', { image: 'i', command: ['sh', '-c', "echo 'a b'"] }), `docker run -d --name x i sh -c 'echo '\\''a b'\\'''`);
  assert.deepEqual(splitCommand(`sh -c "echo \\"hi\\"" 'x y' a\\ b`), ['sh', '-c', 'echo "hi"', 'x y', 'a b']);
});
