import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { createClient, resolveDefaultEngine } from '../../src/docker/connection';
import { observeContainer } from '../../src/docker/profile';
import { PROFILE_VERIFY_LABEL, verificationText, verifyProfile, type ProfileVerification } from '../../src/docker/profile-verify';
import { serializeSeccompProfile, type SeccompProfile } from '../../src/engine/profile/seccomp';
import { DOCKER_CLI, TEST_IMAGE, docker, dockerTestOptions, uniqueName } from '../support/docker';

// Busy enough to show its calls while observed: forks, execs `id`, writes and removes a file.
const BUSY = 'while true; do id > /tmp/id.txt; rm -f /tmp/id.txt; sleep 0.2; done';

/** What the engine says about a container right now (async: the verification's timers keep running meanwhile). */
function inspectAsync(id: string): Promise<{ State: { Running: boolean; Status: string; ExitCode: number; Pid: number }; HostConfig: { SecurityOpt: string[] | null; CapDrop: string[] | null; CapAdd: string[] | null; NetworkMode: string } } | undefined> {
  return new Promise((resolve) => {
    execFile(DOCKER_CLI, ['inspect', id], { encoding: 'utf8', timeout: 30000 }, (err, stdout) => resolve(err ? undefined : JSON.parse(stdout)[0]));
  });
}

/** Containers carrying this trial's label, whatever their state. */
function leftovers(trialId: string): string[] {
  return docker(['ps', '-a', '-q', '--filter', `label=${PROFILE_VERIFY_LABEL}=${trialId}`]).split('\n').filter(Boolean);
}

function withoutCall(profileText: string, name: string): string {
  const profile = JSON.parse(profileText) as SeccompProfile;
  for (const rule of profile.syscalls ?? []) rule.names = rule.names.filter((n) => n !== name);
  return serializeSeccompProfile(profile);
}

async function observeBusy(name: string): Promise<{ profileText: string; capAdd: string[]; inspect: Parameters<typeof verifyProfile>[1] }> {
  docker(['run', '-d', '--name', name, TEST_IMAGE, 'sh', '-c', BUSY]);
  const observed = await observeContainer(createClient(resolveDefaultEngine()), name, { seconds: 3 });
  assert.equal(observed.error, undefined, observed.error);
  return { profileText: serializeSeccompProfile(observed.profile!.seccomp.profile), capAdd: observed.profile!.capAdd, inspect: observed.inspect };
}

test('a profile observed from a busy busybox workload verifies: the trial really ran under it, then is gone; the CLI writes it', dockerTestOptions(), async () => {
  const name = uniqueName('verify-busy');
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-verify-'));
  try {
    const { profileText, capAdd, inspect } = await observeBusy(name);
    let seen: Promise<[Awaited<ReturnType<typeof inspectAsync>>, Awaited<ReturnType<typeof inspectAsync>>, string]> | undefined;
    const result = await verifyProfile(createClient(resolveDefaultEngine()), inspect, {
      profileText,
      capAdd,
      onStarted: ({ baseline, profiled }) => {
        seen = (async () => {
          const [b, p] = await Promise.all([inspectAsync(baseline), inspectAsync(profiled)]);
          const status = p?.State.Pid ? readFileSync(`/proc/${p.State.Pid}/status`, 'utf8') : '';
          return [b, p, status];
        })();
      },
    });
    assert.equal(result.verified, true, verificationText(result));
    assert.equal(result.how, 'running');
    assert.ok(seen, 'both trials were started');
    const [baseline, profiled, status] = await seen;
    // The engine's own view of the trial under the profile: running, with exactly this profile, no network, only the computed caps.
    assert.ok(profiled, 'the profiled trial existed while verifying');
    assert.equal(profiled.State.Running, true, `running under the profile: ${profiled.State.Status} ${profiled.State.ExitCode}`);
    const opt = (profiled.HostConfig.SecurityOpt ?? []).find((o) => o.startsWith('seccomp='));
    assert.ok(opt, 'a seccomp profile was given');
    assert.deepEqual(JSON.parse(opt.slice('seccomp='.length)), JSON.parse(profileText));
    assert.match(status, /^Seccomp:\s+2$/m, 'a seccomp filter is active in the trial process');
    assert.equal(profiled.HostConfig.NetworkMode, 'none');
    assert.deepEqual(profiled.HostConfig.CapDrop, ['ALL']);
    assert.deepEqual(profiled.HostConfig.CapAdd ?? [], capAdd);
    assert.ok(baseline && !(baseline.HostConfig.SecurityOpt ?? []).some((o) => o.startsWith('seccomp=')), 'the comparison runs under the default profile');
    assert.deepEqual(leftovers(result.trialId), [], 'nothing of the trial is left');
    console.log(`verified in ${result.ms} ms (window ${result.windowSeconds} s): ${verificationText(result)}`);

    // The CLI verifies before writing, and says so in its JSON.
    let out = '';
    let err = '';
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
    const file = join(dir, 'busy.json');
    assert.equal(await main(['profile', name, '--seconds', '3', '--out', file, '--format', 'json'], io), 0, err);
    const report = JSON.parse(out) as { written: boolean; verification: { verified: boolean; how: string; trialId: string } };
    assert.equal(report.written, true);
    assert.equal(report.verification.verified, true);
    assert.equal(report.verification.how, 'running');
    assert.ok(existsSync(file) && existsSync(join(dir, 'busy.capabilities.json')));
    assert.match(err, /verifying: starting the image under the profile/);
    assert.deepEqual(leftovers(report.verification.trialId), []);
  } finally {
    spawnSync(DOCKER_CLI, ['rm', '-f', name], { timeout: 60000 });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a profile without arch_prctl is refused with the exit code and the escaped log; the CLI writes nothing for a broken profile', dockerTestOptions(), async () => {
  const name = uniqueName('verify-broken');
  const idle = uniqueName('verify-idle');
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-verify-'));
  try {
    const { profileText, capAdd, inspect } = await observeBusy(name);
    let exited: Promise<Awaited<ReturnType<typeof inspectAsync>>> | undefined;
    const result = await verifyProfile(createClient(resolveDefaultEngine()), inspect, {
      profileText: withoutCall(profileText, 'arch_prctl'),
      capAdd,
      onStarted: ({ profiled }) => {
        exited = (async () => {
          const until = Date.now() + 20000;
          for (;;) {
            const state = await inspectAsync(profiled);
            if (!state || !state.State.Running || Date.now() > until) return state;
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
      },
    });
    assert.equal(result.verified, false);
    assert.equal(result.error, undefined, result.error);
    const engineState = await exited;
    assert.equal(engineState?.State.Status, 'exited', 'the engine saw the trial under the broken profile stop');
    assert.equal(engineState?.State.ExitCode, 127);
    assert.equal(result.profiled?.exitCode, 127);
    assert.equal(result.baseline?.running, true, 'without the profile the same start keeps running');
    const text = verificationText(result);
    assert.match(text, /did not pass verification \(exit code 127\)/);
    assert.match(text, /arch_prctl is not allowed/);
    assert.match(text, /cannot set %fs base address/, 'the trial\'s own log is quoted');
    assert.deepEqual(leftovers(result.trialId), []);
    console.log(`refused in ${result.ms} ms:\n${text}`);

    // The CLI: a container whose observed calls do not include what its start needs, profiled
    // with --no-runtime (only the observed calls), gets a profile that cannot start it.
    docker(['run', '-d', '-i', '--name', idle, TEST_IMAGE, 'sh', '-c', 'while true; do read -t 1 line; done']);
    let out = '';
    let err = '';
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
    const file = join(dir, 'idle.json');
    assert.equal(await main(['profile', idle, '--seconds', '2', '--no-runtime', '--out', file, '--format', 'json'], io), 1, err);
    assert.ok(!existsSync(file), 'no profile written');
    assert.ok(!existsSync(join(dir, 'idle.capabilities.json')), 'no capabilities written');
    assert.match(err, /idle\.json not written: the profile did not pass verification/);
    assert.match(err, /--no-verify writes the profile/);
    const report = JSON.parse(out) as { written: boolean; verification: ProfileVerification & { trialId: string } };
    assert.equal(report.written, false);
    assert.equal(report.verification.verified, false);
    assert.ok(report.verification.problems.length > 0);
    assert.deepEqual(leftovers(report.verification.trialId), []);
    console.log(`CLI, --no-runtime:\n${err}`);

    // --no-verify writes it anyway, and says it was not verified.
    out = '';
    assert.equal(await main(['profile', idle, '--seconds', '1', '--no-runtime', '--no-verify', '--out', file], io), 0, err);
    assert.ok(existsSync(file));
    assert.match(out, /not verified \(--no-verify\)/);
  } finally {
    for (const n of [name, idle]) spawnSync(DOCKER_CLI, ['rm', '-f', n], { timeout: 60000 });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cancelled verification leaves nothing behind, whenever it is cancelled', dockerTestOptions(), async () => {
  const name = uniqueName('verify-cancel');
  try {
    const { profileText, capAdd, inspect } = await observeBusy(name);
    const client = createClient(resolveDefaultEngine());

    // Cancelled once both trials run.
    const whileRunning = new AbortController();
    let started: string[] = [];
    const running = await verifyProfile(client, inspect, {
      profileText,
      capAdd,
      signal: whileRunning.signal,
      onStarted: ({ baseline, profiled }) => {
        started = [baseline, profiled];
        whileRunning.abort();
      },
    });
    assert.equal(running.cancelled, true);
    assert.equal(running.verified, false);
    assert.equal(started.length, 2, 'both trials had started');
    assert.deepEqual(leftovers(running.trialId), []);
    for (const id of started) assert.equal(spawnSync(DOCKER_CLI, ['inspect', id]).status, 1, `${id} is removed`);

    // Cancelled while the trials are being created (the engine calls in flight finish, then everything goes).
    const whileCreating = new AbortController();
    const creating = verifyProfile(client, inspect, { profileText, capAdd, signal: whileCreating.signal });
    setTimeout(() => whileCreating.abort(), 20);
    const early = await creating;
    assert.equal(early.cancelled, true);
    assert.deepEqual(leftovers(early.trialId), []);

    // Cancelled before it began: nothing is created at all.
    const before = new AbortController();
    before.abort();
    const none = await verifyProfile(client, inspect, { profileText, capAdd, signal: before.signal });
    assert.equal(none.cancelled, true);
    assert.deepEqual(none.containers, []);
  } finally {
    spawnSync(DOCKER_CLI, ['rm', '-f', name], { timeout: 60000 });
  }
});

test('start-up work the observation never saw breaks the start under the profile: refused with its exit code and its hostile log escaped, nothing written', dockerTestOptions(), async () => {
  // The directory is made before the observation attaches; afterwards the service only waits on
  // stdin. Its start-up prints terminal escapes and a 40 kB line (shell builtins only).
  const startup = "printf '\\033[31mred\\033]0;pwned\\007\\n'; s=aaaaaaaaaa; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do s=$s$s; done; echo $s; mkdir /tmp/work || exit 3";
  const name = uniqueName('verify-startup');
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-verify-'));
  try {
    docker(['run', '-d', '-i', '--name', name, TEST_IMAGE, 'sh', '-c', `${startup}; while true; do read -t 1 line; done`]);
    let out = '';
    let err = '';
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
    const file = join(dir, 'startup.json');
    assert.equal(await main(['profile', name, '--seconds', '2', '--out', file, '--format', 'json'], io), 1, err);
    assert.ok(!existsSync(file));
    assert.match(err, /startup\.json not written: the profile did not pass verification \(exit code 3\): stopped \(exit code 3\) where the original kept running/);
    const report = JSON.parse(out) as { written: boolean; verification: { verified: boolean; trialId: string; profiled: { exitCode: number }; withoutProfile: { running: boolean } } };
    assert.equal(report.written, false);
    assert.equal(report.verification.profiled.exitCode, 3);
    assert.equal(report.verification.withoutProfile.running, true);
    assert.deepEqual(leftovers(report.verification.trialId), []);
    assert.ok(!/[\u001b\u0007]/.test(err + out), 'no raw escape or bell from the trial\'s log');
    assert.match(err, /\\e\[31mred\\e\]0;pwned\\x07/, 'the escapes are shown, not interpreted');
    assert.match(err, /a{200}… \[\d+ more characters\]/, 'the long line is cut');
    assert.ok(err.length < 8000, `bounded output (${err.length} characters)`);
  } finally {
    spawnSync(DOCKER_CLI, ['rm', '-f', name], { timeout: 60000 });
    rmSync(dir, { recursive: true, force: true });
  }
});
