import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterRuntimeInit, parseStraceLog, syscallCounts } from '../../src/engine/profile/strace';
import { capabilitiesFor, capAddList } from '../../src/engine/profile/capabilities';
import { buildSeccompProfile, serializeSeccompProfile, validateSeccompProfile, RUNTIME_SYSCALLS } from '../../src/engine/profile/seccomp';
import { profileFromStrace, capabilitiesDocument } from '../../src/engine/profile';
import { composeWiringEdits, profiledRunCommand } from '../../src/engine/profile/wire';
import { applyEdits } from '../../src/engine/text';
import { main } from '../../src/cli/main';
import { fixturePath } from '../support/paths';

const INTERLEAVED = [
  'strace: Process 100 attached',
  '[pid   100] wait4(-1,  <unfinished ...>',
  '[pid   101] openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3',
  '[pid   101] read(3, "root:x:0:0:root:/root:/bin/sh\\n"..., 4096) = 30',
  '[pid   101] bind(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("0.0.0.0")}, 16) = 0',
  '[pid   101] sethostname("x", 1) = -1 EPERM (Operation not permitted)',
  '[pid   101] exit_group(0)                     = ?',
  '[pid   101] +++ exited with 0 +++',
  '[pid   100] <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 101',
  '[pid   100] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=101, si_uid=0, si_status=0} ---',
  '[pid   100] rt_sigreturn({mask=[]})           = 101',
  '[pid   100] clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLDstrace: Process 102 attached',
  ' <unfinished ...>',
  '[pid   102] set_robust_list(0x1, 24) = 0',
  '[pid   100] <... clone resumed>, child_tidptr=0x2) = 102',
  '[pid   102] syscall_0x1b6(0x1, 0x2) = -1 ENOSYS (Function not implemented)',
  '[pid   102] clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=1, tv_nsec=0},  <detached ...>',
  '[pid   100] +++ killed by SIGKILL +++',
].join('\n');

test('parser: [pid N] prefixes, unfinished/resumed pairs, signals, exits, errors, detached and unknown calls', () => {
  const log = parseStraceLog(INTERLEAVED);
  assert.deepEqual(log.pids, [100, 101, 102]);
  const names = log.calls.map((c) => `${c.pid}:${c.name}`);
  assert.deepEqual(names, ['101:openat', '101:read', '101:bind', '101:sethostname', '101:exit_group', '100:wait4', '100:rt_sigreturn', '102:set_robust_list', '100:clone', '102:clock_nanosleep']);
  const wait4 = log.calls.find((c) => c.name === 'wait4')!;
  assert.equal(wait4.args, '-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL', 'unfinished and resumed halves are joined');
  assert.equal(wait4.result, '101');
  const clone = log.calls.find((c) => c.name === 'clone')!;
  assert.match(clone.args, /SIGCHLD, child_tidptr=0x2$/, 'attach message cut out of the half-printed line');
  const denied = log.calls.find((c) => c.name === 'sethostname')!;
  assert.equal(denied.errno, 'EPERM');
  assert.equal(denied.result, '-1');
  assert.equal(log.calls.find((c) => c.name === 'exit_group')!.result, '?');
  assert.deepEqual(log.signals, [{ pid: 100, signal: 'SIGCHLD' }]);
  assert.deepEqual(log.exits, [{ pid: 101, status: 'exited with 0' }, { pid: 100, status: 'killed by SIGKILL' }]);
  assert.deepEqual(log.unknownSyscalls, ['syscall_0x1b6']);
  assert.ok(log.warnings.some((w) => w.includes('syscall_0x1b6')));
  assert.equal(log.unparsed.count, 0);
});

test('parser: -o FILE pid columns, timestamps, -T durations, prefix-less resumes, CRLF and garbage lines', () => {
  const text = [
    '321   12:00:01.000001 openat(AT_FDCWD, "/x", O_RDONLY) = -1 ENOENT (No such file or directory) <0.000011>',
    '321   1700000000.123456 fcntl(1, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)\r',
    'wait4(-1,  <unfinished ...>',
    '<... wait4 resumed>0x7ffc, WNOHANG, NULL) = -1 ECHILD (No child processes)',
    'poll([{fd=3, events=POLLIN}], 1, 1000) = 0 (Timeout)',
    'this is not strace output',
  ].join('\n');
  const log = parseStraceLog(text);
  assert.deepEqual(log.calls.map((c) => c.name), ['openat', 'fcntl', 'wait4', 'poll']);
  assert.equal(log.calls[0].errno, 'ENOENT');
  assert.equal(log.calls[1].result, '0x8002');
  assert.equal(log.calls[2].errno, 'ECHILD');
  assert.equal(log.calls[2].args, '-1, 0x7ffc, WNOHANG, NULL');
  assert.equal(log.unparsed.count, 1);
  assert.deepEqual(log.unparsed.samples, ['this is not strace output']);
});

test('parser: recorded logs of a busybox container (strace 6.1, -o FILE and stderr forms) read completely', () => {
  for (const name of ['busybox-o-file.log', 'busybox-stderr.log']) {
    const log = parseStraceLog(readFileSync(fixturePath('strace', name), 'utf8'));
    assert.equal(log.unparsed.count, 0, `${name}: ${log.unparsed.samples.join(' | ')}`);
    assert.ok(log.pids.length > 5, `${name}: several processes`);
    const counts = syscallCounts(log.calls);
    for (const expected of ['execve', 'chown', 'socket', 'bind', 'listen', 'accept', 'wait4', 'clone']) assert.ok(counts.has(expected), `${name} has ${expected}`);
    assert.deepEqual([...counts.keys()], [...counts.keys()].sort(), 'counts sorted by name');
  }
});

test('parser never throws on hostile input', () => {
  for (const text of ['', '\n\n', '(((((', ') = 1', '<... resumed>', '[pid x] y', '\u0000\u0001', 'a('.repeat(10000), '--- ---', '+++ +++']) {
    const log = parseStraceLog(text);
    assert.ok(Array.isArray(log.calls));
  }
});

const call = (line: string) => parseStraceLog(line).calls;
const capsOf = (...lines: string[]) => capabilitiesFor(lines.flatMap(call)).map((c) => `${c.capability}:${c.confidence}`);

test('syscall -> capability map', () => {
  assert.deepEqual(capsOf('bind(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("0.0.0.0")}, 16) = 0'), ['NET_BIND_SERVICE:required']);
  assert.deepEqual(capsOf('bind(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0)}, 28) = 0'), ['NET_BIND_SERVICE:required']);
  assert.deepEqual(capsOf('bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("0.0.0.0")}, 16) = 0'), []);
  assert.deepEqual(capsOf('bind(3, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("0.0.0.0")}, 16) = 0'), [], 'port 0 picks a free high port');
  assert.deepEqual(capsOf('chown("/tmp/f", 1000, 1000) = 0'), ['CHOWN:required']);
  assert.deepEqual(capsOf('fchownat(AT_FDCWD, "/x", 5, 5, 0) = 0'), ['CHOWN:required']);
  assert.deepEqual(capsOf('chown("/tmp/f", -1, -1) = 0'), [], 'no owner change');
  assert.deepEqual(capsOf('chown("/missing", 1, 1) = -1 ENOENT (No such file or directory)'), []);
  assert.deepEqual(capsOf('setuid(1000) = 0', 'setgroups(0, []) = 0'), ['SETGID:required', 'SETUID:required']);
  assert.deepEqual(capsOf('setresgid(1, 1, 1) = 0'), ['SETGID:required']);
  assert.deepEqual(capsOf('chroot("/srv") = 0'), ['SYS_CHROOT:required']);
  assert.deepEqual(capsOf('mknod("/dev/x", S_IFCHR|0600, makedev(0x1, 0x3)) = 0'), ['MKNOD:required']);
  assert.deepEqual(capsOf('mknod("/tmp/fifo", S_IFIFO|0600) = 0'), [], 'FIFOs need no capability');
  assert.deepEqual(capsOf('socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) = 3'), ['NET_RAW:required']);
  assert.deepEqual(capsOf('socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL)) = 3'), ['NET_RAW:required']);
  assert.deepEqual(capsOf('socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3'), []);
  assert.deepEqual(capsOf('mount("tmpfs", "/mnt", "tmpfs", 0, NULL) = 0'), ['SYS_ADMIN:required']);
  assert.deepEqual(capsOf('unshare(CLONE_NEWUSER) = 0'), [], 'a user namespace alone is unprivileged');
  assert.deepEqual(capsOf('unshare(CLONE_NEWNS|CLONE_NEWUSER) = 0'), ['SYS_ADMIN:required']);
  assert.deepEqual(capsOf('sethostname("x", 1) = -1 EPERM (Operation not permitted)'), ['SYS_ADMIN:likely'], 'denied: the process went on without it');
  assert.deepEqual(capsOf('kill(42, SIGTERM) = -1 EPERM (Operation not permitted)'), ['KILL:likely']);
  assert.deepEqual(capsOf('kill(42, SIGTERM) = 0'), [], 'signalling own processes needs nothing');
  assert.deepEqual(capsOf('openat(AT_FDCWD, "/root/x", O_RDONLY) = -1 EACCES (Permission denied)'), ['DAC_OVERRIDE:likely']);
  assert.deepEqual(capsOf('ptrace(PTRACE_ATTACH, 5) = 0'), ['SYS_PTRACE:required']);
  assert.deepEqual(capsOf('clock_settime(CLOCK_REALTIME, {tv_sec=1, tv_nsec=0}) = 0'), ['SYS_TIME:required']);
  // The same capability seen denied and then granted is required; reasons count every call.
  const both = capabilitiesFor(['chown("/a", 1, 1) = -1 EPERM (Operation not permitted)', 'chown("/b", 1, 1) = 0'].flatMap(call));
  assert.deepEqual(both.map((c) => [c.capability, c.confidence, c.calls]), [['CHOWN', 'required', 2]]);
  const needs = capabilitiesFor(['chown("/b", 1, 1) = 0', 'kill(9, SIGKILL) = -1 EPERM (Operation not permitted)'].flatMap(call));
  assert.deepEqual(capAddList(needs), ['CHOWN']);
  assert.deepEqual(capAddList(needs, true), ['CHOWN', 'KILL']);
});

test('profile writer: Docker format, valid, sorted, deterministic, runtime calls added', () => {
  const a = buildSeccompProfile(['write', 'read', 'openat', 'read', 'accept4']);
  const b = buildSeccompProfile(['accept4', 'openat', 'write', 'read']);
  const text = serializeSeccompProfile(a.profile);
  assert.equal(text, serializeSeccompProfile(b.profile), 'same input set gives the same bytes');
  const parsed = JSON.parse(text);
  assert.equal(parsed.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(parsed.defaultErrnoRet, 1);
  assert.deepEqual(parsed.archMap, [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ]);
  assert.equal(parsed.syscalls.length, 1);
  assert.equal(parsed.syscalls[0].action, 'SCMP_ACT_ALLOW');
  const names: string[] = parsed.syscalls[0].names;
  assert.deepEqual(names, [...names].sort());
  assert.equal(new Set(names).size, names.length);
  for (const n of ['accept4', ...RUNTIME_SYSCALLS]) assert.ok(names.includes(n), n);
  assert.ok(!a.runtimeOnly.includes('read') && a.runtimeOnly.includes('execve'), 'observed names are not counted as runtime-only');
  assert.deepEqual(validateSeccompProfile(text).problems, []);
  assert.ok(text.endsWith('}\n'));
  const bare = buildSeccompProfile(['read', 'bad name', 'syscall_0x1b6', 'Write'], { includeRuntime: false });
  assert.deepEqual(bare.allowed, ['read']);
  assert.deepEqual(bare.rejected, ['Write', 'bad name', 'syscall_0x1b6']);
});

test('profile validator: messages for what Docker would refuse', () => {
  const problems = (v: unknown) => validateSeccompProfile(typeof v === 'string' ? v : JSON.stringify(v)).problems.join(' | ');
  assert.match(problems('{"defaultAction": '), /not valid JSON/);
  assert.match(problems('[]'), /not a JSON object/);
  assert.match(problems({}), /"defaultAction" is missing/);
  assert.match(problems({ defaultAction: 'SCMP_ACT_DENY' }), /is not a seccomp action/);
  assert.match(problems({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: {} }), /"syscalls" must be a list/);
  assert.match(problems({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'ALLOW' }] }), /syscalls\[0\]\.action/);
  assert.match(problems({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: [], action: 'SCMP_ACT_ALLOW' }] }), /non-empty list/);
  assert.match(problems({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 7], action: 'SCMP_ACT_ALLOW' }] }), /not a syscall name/);
  assert.match(problems({ defaultAction: 'SCMP_ACT_ERRNO', archMap: [{ architecture: 'x86_64' }] }), /archMap\[0\]/);
  assert.match(problems({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'EQ' }] }] }), /SCMP_CMP_/);
  assert.equal(problems({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ name: 'read', action: 'SCMP_ACT_ALLOW' }] }), '', 'legacy single name is accepted');
});

test('profileFromStrace on a recorded log: capabilities and a problem for non-strace text', () => {
  const p = profileFromStrace(readFileSync(fixturePath('strace', 'busybox-stderr.log'), 'utf8'));
  assert.equal(p.problem, undefined);
  // The loop writes /tmp/f, then gives it to uid 1000, then writes it again: DAC_OVERRIDE too.
  assert.deepEqual(p.capAdd, ['CHOWN', 'DAC_OVERRIDE', 'NET_BIND_SERVICE'], 'chown, rewrite after chown and bind to port 80 observed; sethostname was denied');
  assert.equal(p.capabilities.find((c) => c.capability === 'SYS_ADMIN')?.confidence, 'likely');
  const doc = JSON.parse(capabilitiesDocument(p));
  assert.deepEqual(doc.capDrop, ['ALL']);
  assert.deepEqual(doc.capAdd, ['CHOWN', 'DAC_OVERRIDE', 'NET_BIND_SERVICE']);
  assert.match(profileFromStrace('{"name": "not strace"}\n').problem ?? '', /no system calls/);
  assert.match(profileFromStrace('read(0, "", 1) = 0\nfoo\nbar\nbaz\n').problem ?? '', /not strace output/);
});

test('compose wiring: inserts, replaces a seccomp option, keeps others, idempotent', () => {
  const text = 'services:\n  web:\n    image: busybox:1.36  # pinned later\n    security_opt:\n      - no-new-privileges:true\n      - seccomp=old.json\n    cap_add: [NET_ADMIN]\n  db:\n    image: busybox:1.36\n';
  const wiring = { profilePath: './profiles/web.json', capAdd: ['NET_BIND_SERVICE', 'CHOWN'] };
  const r = composeWiringEdits(text, 'web', wiring);
  assert.equal(r.error, undefined);
  const once = applyEdits(text, r.edits).text;
  assert.equal(
    once,
    'services:\n  web:\n    image: busybox:1.36  # pinned later\n    security_opt: ["no-new-privileges:true", "seccomp=./profiles/web.json"]\n    cap_add: ["CHOWN", "NET_BIND_SERVICE"]\n    cap_drop: ["ALL"]\n  db:\n    image: busybox:1.36\n',
  );
  assert.deepEqual(composeWiringEdits(once, 'web', wiring).edits, [], 'second run changes nothing');
  const dbOnce = applyEdits(once, composeWiringEdits(once, 'db', { profilePath: './profiles/db.json', capAdd: [] }).edits).text;
  assert.match(dbOnce, /  db:\n    image: busybox:1\.36\n    security_opt: \["seccomp=\.\/profiles\/db\.json"\]\n    cap_drop: \["ALL"\]\n$/);
  const noCaps = applyEdits(once, composeWiringEdits(once, 'web', { profilePath: './p.json', capAdd: [] }).edits).text;
  assert.ok(!noCaps.includes('cap_add'), 'cap_add removed when nothing is needed');
  assert.match(composeWiringEdits(text, 'nope', wiring).error ?? '', /service "nope"/);
  assert.match(composeWiringEdits('services: [', 'web', wiring).error ?? '', /YAML/);
  assert.match(composeWiringEdits('services:\n  web: {image: x}\n', 'web', wiring).error ?? '', /flow style/);
});

test('hardened docker run command quotes what the shell would split', () => {
  assert.equal(
    profiledRunCommand('local/app:1', ['sh', '-c', "echo 'hi' && id"], { profilePath: './profiles/my app.json', capAdd: ['SETUID', 'CHOWN'] }),
    `docker run --security-opt 'seccomp=./profiles/my app.json' --cap-drop ALL --cap-add CHOWN --cap-add SETUID local/app:1 sh -c 'echo '\\''hi'\\'' && id'`,
  );
});

test('CLI: bulkhead profile --from-strace writes a valid profile and capabilities; bad input is a message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-profile-'));
  try {
    let out = '';
    let err = '';
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
    const code = await main(['profile', '--from-strace', fixturePath('strace', 'busybox-o-file.log'), '--out', join(dir, 'p.json'), '--caps-out', join(dir, 'caps.json')], io);
    assert.equal(code, 0, err);
    assert.deepEqual(validateSeccompProfile(readFileSync(join(dir, 'p.json'), 'utf8')).problems, []);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'caps.json'), 'utf8')).capAdd, ['CHOWN', 'DAC_OVERRIDE']);
    assert.match(out, /distinct system calls observed/);
    assert.match(out, /--cap-add CHOWN --cap-add DAC_OVERRIDE/);
    assert.equal(await main(['profile', '--from-strace', fixturePath('strace', 'busybox-o-file.log'), '--out', join(dir, 'profiles', 'new', 'web.json')], io), 0, 'missing directories are created');
    assert.ok(readFileSync(join(dir, 'profiles', 'new', 'web.json'), 'utf8').includes('SCMP_ACT_ERRNO'));
    assert.equal(await main(['profile', '--from-strace', fixturePath('strace', 'busybox-o-file.log'), '--out', join(dir, 'web.json')], io), 0);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'web.capabilities.json'), 'utf8')).capDrop, ['ALL'], 'capabilities written beside the profile by default');
    const composeFile = join(dir, 'app', 'compose.yaml');
    mkdirSync(join(dir, 'app'));
    writeFileSync(composeFile, 'services:\n  web:\n    image: busybox:1.36\n');
    out = '';
    assert.equal(await main(['profile', '--from-strace', fixturePath('strace', 'busybox-o-file.log'), '--out', join(dir, 'web.json'), '--compose', composeFile, '--service', 'web'], io), 0, err);
    assert.equal(readFileSync(composeFile, 'utf8'), 'services:\n  web:\n    image: busybox:1.36\n    security_opt: ["seccomp=../web.json"]\n    cap_drop: ["ALL"]\n    cap_add: ["CHOWN", "DAC_OVERRIDE"]\n');
    assert.match(out, /wired into .*compose\.yaml, service "web"/);
    assert.equal(await main(['profile', '--from-strace', fixturePath('strace', 'busybox-o-file.log'), '--out', join(dir, 'web.json'), '--compose', composeFile, '--service', 'web'], io), 0);
    assert.match(out, /already uses it/);
    err = '';
    assert.equal(await main(['profile', '--from-strace', fixturePath('strace', 'busybox-o-file.log'), '--out', join(dir, 'web.json'), '--compose', composeFile, '--service', 'db'], io), 2);
    assert.match(err, /not wired into .*service "db" is not in this compose file/);
    assert.equal(await main(['profile', '--from-strace', fixturePath('strace', 'busybox-o-file.log'), '--out', join(dir, 'web.json'), '--compose', composeFile], io), 2, '--service is needed without a container');
    writeFileSync(join(dir, 'junk.txt'), 'hello\nworld\n');
    err = '';
    assert.equal(await main(['profile', '--from-strace', join(dir, 'junk.txt'), '--out', join(dir, 'q.json')], io), 1);
    assert.match(err, /no system calls found/);
    err = '';
    assert.equal(await main(['profile', '--from-strace', join(dir, 'missing.log'), '--out', join(dir, 'q.json')], io), 2);
    assert.match(err, /cannot read .*missing\.log: no such file or directory/);
    err = '';
    assert.equal(await main(['profile', 'web', '--seconds', 'soon', '--out', join(dir, 'q.json')], io), 2);
    assert.match(err, /--seconds must be/);
    assert.equal(await main(['profile', 'web'], io), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sequence needs: writing a file after giving it away needs DAC_OVERRIDE; signalling after a uid switch suggests KILL', () => {
  const trace = (...lines: string[]) => capabilitiesFor(lines.flatMap(call)).map((c) => `${c.capability}:${c.confidence}`);
  // What the first real experiment showed: `id > /tmp/f; chown 1000 /tmp/f` in a loop fails with EACCES under --cap-drop ALL.
  assert.deepEqual(
    trace('openat(AT_FDCWD, "/tmp/f", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3', 'chown("/tmp/f", 1000, 1000) = 0', 'openat(AT_FDCWD, "/tmp/f", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3'),
    ['CHOWN:required', 'DAC_OVERRIDE:required'],
  );
  assert.deepEqual(trace('chown("/tmp/f", 1000, 1000) = 0', 'unlink("/tmp/f") = 0', 'openat(AT_FDCWD, "/tmp/f", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3'), ['CHOWN:required'], 'removed first: a new file');
  assert.deepEqual(trace('chown("/tmp/f", 1000, 1000) = 0', 'openat(AT_FDCWD, "/tmp/f", O_RDONLY) = 3'), ['CHOWN:required'], 'reading needs no override of a 0644 file');
  assert.deepEqual(trace('chown("/tmp/f", 0, 0) = 0', 'openat(AT_FDCWD, "/tmp/f", O_RDWR) = 3'), ['CHOWN:required']);
  const switched = parseStraceLog(['[pid 10] setuid(1000) = 0', '[pid 11] kill(12, SIGTERM) = 0'].join('\n')).calls;
  assert.deepEqual(capabilitiesFor(switched).map((c) => `${c.capability}:${c.confidence}`), ['KILL:likely', 'SETUID:required']);
  const sameUid = parseStraceLog('[pid 11] kill(12, SIGTERM) = 0').calls;
  assert.deepEqual(capabilitiesFor(sameUid), []);
});

test('a docker exec caught while still runc init: its setgroups/setresuid on every Go thread are dropped, the command is kept', () => {
  // Shape of runc 1.1's exec init (finalizeNamespace → setupUser on all threads, then execve).
  const runcInit = [
    '3001  setgroups(0, []) = 0',
    '3003  setresgid(0, 0, 0 <unfinished ...>',
    '3001  setresgid(0, 0, 0) = 0',
    '3003  <... setresgid resumed>) = 0',
    '3002  setresuid(0, 0, 0) = 0',
    '3001  setresuid(0, 0, 0) = 0',
    '3001  capset({_LINUX_CAPABILITY_VERSION_3, 0}, {effective=0, permitted=0, inheritable=0}) = 0',
    '3001  execve("/bin/ln", ["ln", "-s", "/tmp/f", "/tmp/link"], 0xc000 /* 4 vars */ <unfinished ...>',
    '3003  +++ exited with 0 +++',
    '3001  <... execve resumed>) = 0',
  ].join('\n');
  const command = ['3001  symlink("/tmp/f", "/tmp/link") = 0', '3001  exit_group(0) = ?', '3001  +++ exited with 0 +++', ''].join('\n');
  const whole = `${runcInit}\n${command}`;
  assert.deepEqual(capAddList(capabilitiesFor(parseStraceLog(whole).calls)), ['SETGID', 'SETUID'], 'the whole log blames the workload for runc');
  const trimmed = parseStraceLog(afterRuntimeInit(whole));
  assert.deepEqual(capAddList(capabilitiesFor(trimmed.calls)), []);
  assert.deepEqual([...syscallCounts(trimmed.calls).keys()], ['execve', 'exit_group', 'symlink']);
  // Seen as runc init at the rescan, but exec'd by the time strace attached: all of it is the command's.
  assert.equal(afterRuntimeInit(command), command);
  const failedExec = '3001  execve("/x", ["x"], 0x0 /* 0 vars */) = -1 ENOENT (No such file or directory)\n';
  assert.equal(afterRuntimeInit(failedExec + command), failedExec + command, 'a failed execve is not where the command starts');
});
