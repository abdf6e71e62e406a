import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createClient, resolveDefaultEngine } from '../../src/docker/connection';
import { observeContainer } from '../../src/docker/profile';
import { serializeSeccompProfile, validateSeccompProfile } from '../../src/engine/profile/seccomp';
import { DOCKER_CLI, TEST_IMAGE, docker, dockerTestOptions, uniqueName } from '../support/docker';

// A known workload: replaces a file, runs `id` into it, hands it to uid 1000 (needs CHOWN), and
// serves one line on TCP 8080 with nc, forever.
const WORKLOAD =
  'i=0; while true; do rm -f /tmp/id.txt; id > /tmp/id.txt; chown 1000:1000 /tmp/id.txt; echo "hello $i" | nc -l -p 8080 -w 1; i=$((i+1)); sleep 0.2; done';

/**
 * Docker's default profile (moby profiles/seccomp/default.json, master at the time of writing):
 * 349 names allowed unconditionally, plus on x86_64 with default caps ptrace, process_vm_readv/
 * writev (kernel >= 4.8), socket (not AF_VSOCK), personality (some values), arch_prctl,
 * modify_ldt and clone (without namespace flags): 357. Printed beside the generated count.
 */
const DOCKER_DEFAULT_UNCONDITIONAL = 349;
const DOCKER_DEFAULT_X86_64 = 357;

function containerIp(name: string): string {
  return docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name]).trim();
}

function fetchLine(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    const socket = connect({ host, port });
    const done = () => {
      socket.destroy();
      resolve(data);
    };
    socket.setTimeout(timeoutMs, done);
    socket.on('data', (d) => (data += d.toString()));
    socket.on('end', done);
    socket.on('error', done);
  });
}

async function fetchWithRetry(host: string, port: number, attempts = 20): Promise<string> {
  for (let i = 0; i < attempts; i++) {
    const line = await fetchLine(host, port);
    if (line.startsWith('hello')) return line;
    await new Promise((r) => setTimeout(r, 300));
  }
  return '';
}

function execIn(name: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(DOCKER_CLI, ['exec', name, ...args], { encoding: 'utf8', timeout: 30000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

function procStatus(pid: number, field: string): string | undefined {
  return new RegExp(`^${field}:\\s*(\\S+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
}

test('a profile observed from a running busybox workload runs the workload again and refuses what it never did', dockerTestOptions(), async () => {
  const observedName = uniqueName('profile-observed');
  const hardenedName = uniqueName('profile-hardened');
  const controlName = uniqueName('profile-control');
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-profile-real-'));
  try {
    docker(['run', '-d', '--name', observedName, TEST_IMAGE, 'sh', '-c', WORKLOAD]);
    const observedIp = containerIp(observedName);
    assert.match(await fetchWithRetry(observedIp, 8080), /^hello \d+/, 'the workload serves before profiling');

    // Observe for 4 s while a client talks to the server, as real traffic would.
    const client = (async () => {
      const seen: string[] = [];
      const until = Date.now() + 3500;
      while (Date.now() < until) {
        seen.push(await fetchLine(observedIp, 8080, 1500));
        await new Promise((r) => setTimeout(r, 200));
      }
      return seen;
    })();
    const started = Date.now();
    const observed = await observeContainer(createClient(resolveDefaultEngine()), observedName, { seconds: 4 });
    const tookMs = Date.now() - started;
    const replies = await client;
    assert.equal(observed.error, undefined, observed.error);
    assert.ok(observed.profile, 'a profile came back');
    assert.ok(replies.some((r) => r.startsWith('hello')), 'the workload kept serving while traced');
    assert.ok(tookMs < 15000, `observation stopped on time (${tookMs} ms)`);
    const profile = observed.profile;
    const allowed = profile.seccomp.allowed;
    for (const name of ['execve', 'chown', 'socket', 'bind', 'listen', 'accept', 'wait4', 'openat']) assert.ok(allowed.includes(name), `observed ${name}`);
    for (const never of ['mkdir', 'mkdirat', 'unshare', 'mount', 'ptrace']) assert.ok(!allowed.includes(never), `${never} was never made`);
    assert.deepEqual(profile.capAdd, ['CHOWN'], 'chown to uid 1000 needs CHOWN; nothing else was required');

    const profileFile = join(dir, 'observed.json');
    const text = serializeSeccompProfile(profile.seccomp.profile);
    assert.deepEqual(validateSeccompProfile(text).problems, []);
    writeFileSync(profileFile, text);

    // The workload from scratch, under the generated profile and only the computed capabilities.
    const capArgs = profile.capAdd.flatMap((c) => ['--cap-add', c]);
    docker(['run', '-d', '--name', hardenedName, '--security-opt', `seccomp=${profileFile}`, '--cap-drop', 'ALL', ...capArgs, TEST_IMAGE, 'sh', '-c', WORKLOAD]);
    const hardenedIp = containerIp(hardenedName);
    assert.match(await fetchWithRetry(hardenedIp, 8080), /^hello \d+/, 'the hardened workload serves');
    const pid = Number(docker(['inspect', '-f', '{{.State.Pid}}', hardenedName]).trim());
    assert.equal(procStatus(pid, 'Seccomp'), '2', 'a seccomp filter is active');
    assert.equal(procStatus(pid, 'CapEff'), '0000000000000001', 'only CAP_CHOWN is effective');
    const owned = statSync(`/proc/${pid}/root/tmp/id.txt`);
    assert.equal(owned.uid, 1000, 'the chown step worked under the profile');
    assert.match(readFileSync(`/proc/${pid}/root/tmp/id.txt`, 'utf8'), /uid=0\(root\)/, 'the id step worked under the profile');
    assert.equal(docker(['inspect', '-f', '{{.State.Running}}', hardenedName]).trim(), 'true');

    // A call the workload never made is refused by the profile, while the same capabilities
    // under Docker's default profile allow it (so it is seccomp, not a missing capability).
    docker(['run', '-d', '--name', controlName, '--cap-drop', 'ALL', ...capArgs, TEST_IMAGE, 'sleep', '300']);
    const controlMkdir = execIn(controlName, ['busybox', 'mkdir', '/tmp/made']);
    assert.equal(controlMkdir.status, 0, `mkdir works with default seccomp: ${controlMkdir.output}`);
    const refusedMkdir = execIn(hardenedName, ['busybox', 'mkdir', '/tmp/made']);
    assert.notEqual(refusedMkdir.status, 0);
    assert.match(refusedMkdir.output, /Operation not permitted/);
    const refusedUnshare = execIn(hardenedName, ['busybox', 'unshare', '-r', 'true']);
    assert.notEqual(refusedUnshare.status, 0);
    assert.match(refusedUnshare.output, /unshare.*Operation not permitted/);
    const refusedMount = execIn(hardenedName, ['busybox', 'mount', '-t', 'tmpfs', 'none', '/tmp']);
    assert.notEqual(refusedMount.status, 0);
    assert.match(refusedMount.output, /Operation not permitted|permission denied/i);

    console.log(
      `profile: ${profile.counts.size} syscalls observed in ${observed.pids.length} traced pids over 4 s, ` +
        `${profile.seccomp.runtimeOnly.length} added for runc, ${allowed.length} allowed; ` +
        `Docker default allows ${DOCKER_DEFAULT_UNCONDITIONAL} unconditionally (${DOCKER_DEFAULT_X86_64} on x86_64 with default caps): ` +
        `${(allowed.length / DOCKER_DEFAULT_X86_64).toFixed(2)}x; caps: ${profile.capAdd.join(',') || 'none'} of Docker's default 14`,
    );
  } finally {
    for (const name of [observedName, hardenedName, controlName]) spawnSync(DOCKER_CLI, ['rm', '-f', name], { timeout: 60000 });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('observing a container that is not running, or does not exist, is a message', dockerTestOptions(), async () => {
  const name = uniqueName('profile-created');
  try {
    docker(['create', '--name', name, TEST_IMAGE, 'sleep', '5']);
    const client = createClient(resolveDefaultEngine());
    const created = await observeContainer(client, name, { seconds: 1 });
    assert.match(created.error ?? '', /is not running \(created\)/);
    const missing = await observeContainer(client, `${name}-missing`, { seconds: 1 });
    assert.match(missing.error ?? '', /no container/);
  } finally {
    spawnSync(DOCKER_CLI, ['rm', '-f', name], { timeout: 60000 });
  }
});

test('a missing strace binary gives the install hint', dockerTestOptions(), async () => {
  const name = uniqueName('profile-nostrace');
  try {
    docker(['run', '-d', '--name', name, TEST_IMAGE, 'sleep', '60']);
    const r = await observeContainer(createClient(resolveDefaultEngine()), name, { seconds: 1, strace: '/nonexistent/strace' });
    assert.match(r.error ?? '', /strace is not installed.*apt-get install strace/);
  } finally {
    spawnSync(DOCKER_CLI, ['rm', '-f', name], { timeout: 60000 });
  }
});

test('a workload that rewrites a file after giving it away gets DAC_OVERRIDE, and needs it', dockerTestOptions(), async () => {
  // Without DAC_OVERRIDE root cannot reopen for writing a 0644 file owned by uid 1000.
  const workload = 'while true; do echo hi > /tmp/f; chown 1000:1000 /tmp/f; sleep 0.2; done';
  const observedName = uniqueName('profile-dac');
  const withCaps = uniqueName('profile-dac-ok');
  const withoutDac = uniqueName('profile-dac-missing');
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-profile-dac-'));
  try {
    docker(['run', '-d', '--name', observedName, TEST_IMAGE, 'sh', '-c', workload]);
    await new Promise((r) => setTimeout(r, 500));
    // A `docker exec` during the observation is not a child of the traced processes: the
    // namespace rescan must pick it up (its symlink call is made by nothing else).
    // (Asynchronous: a spawnSync here would freeze the observer's own timers.)
    const exec = new Promise<void>((resolve) => {
      setTimeout(() => spawn(DOCKER_CLI, ['exec', observedName, 'sh', '-c', 'sleep 0.6; ln -s /tmp/f /tmp/link'], { stdio: 'ignore' }).on('close', () => resolve()), 300);
    });
    const observed = await observeContainer(createClient(resolveDefaultEngine()), observedName, { seconds: 2.5 });
    await exec;
    assert.equal(observed.error, undefined, observed.error);
    const profile = observed.profile!;
    assert.deepEqual(profile.capAdd, ['CHOWN', 'DAC_OVERRIDE']);
    assert.ok(profile.counts.has('symlink') || profile.counts.has('symlinkat'), `the exec'd ln was traced: ${[...profile.counts.keys()].join(',')}`);
    const profileFile = join(dir, 'dac.json');
    writeFileSync(profileFile, serializeSeccompProfile(profile.seccomp.profile));
    const run = (name: string, caps: string[]) =>
      docker(['run', '-d', '--name', name, '--security-opt', `seccomp=${profileFile}`, '--cap-drop', 'ALL', ...caps.flatMap((c) => ['--cap-add', c]), TEST_IMAGE, 'sh', '-c', workload]);
    run(withCaps, profile.capAdd);
    run(withoutDac, ['CHOWN']);
    await new Promise((r) => setTimeout(r, 2000));
    const logs = (name: string) => spawnSync(DOCKER_CLI, ['logs', name], { encoding: 'utf8' });
    const ok = logs(withCaps);
    assert.equal(`${ok.stdout}${ok.stderr}`.trim(), '', 'no errors with the computed capabilities');
    const denied = logs(withoutDac);
    assert.match(`${denied.stdout}${denied.stderr}`, /can't create \/tmp\/f: Permission denied/, 'without DAC_OVERRIDE the rewrite fails');
  } finally {
    for (const name of [observedName, withCaps, withoutDac]) spawnSync(DOCKER_CLI, ['rm', '-f', name], { timeout: 60000 });
    rmSync(dir, { recursive: true, force: true });
  }
});
