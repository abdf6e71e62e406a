import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { judgeProfileTrial, verdictText, type ProfileTrialOutcome } from '../../src/engine/profile/verify';
import { trialConfig, PROFILE_VERIFY_LABEL, type VerifySource } from '../../src/docker/profile-verify';
import { fixturePath } from '../support/paths';

const running = (listening: number[] = []): ProfileTrialOutcome => ({ running: true, exitCode: null, listening });
const exited = (exitCode: number): ProfileTrialOutcome => ({ running: false, exitCode, listening: [] });

test('verdict: running like the original, or exiting with the same code (a one-shot), passes', () => {
  assert.deepEqual(judgeProfileTrial(running([8080]), running([8080])), { verified: true, how: 'running', problems: [] });
  assert.deepEqual(judgeProfileTrial(exited(0), exited(0)), { verified: true, how: 'same-exit', problems: [] });
  // A service that exits on its own (no network in the trial) is not blamed on the profile.
  assert.equal(judgeProfileTrial(exited(1), exited(1)).verified, true);
  // Still running where the comparison had already exited: the profile broke nothing.
  assert.equal(judgeProfileTrial(exited(0), running()).verified, true);
});

test('verdict: stopping early, another exit code, a lost listener or a refused start fail, with the cause when it is known', () => {
  const fsBase = judgeProfileTrial(running(), exited(127), 'cannot set %fs base address for thread-local storage');
  assert.equal(fsBase.verified, false);
  assert.deepEqual(fsBase.problems, ['stopped (exit code 127) where the original kept running']);
  assert.match(fsBase.hint ?? '', /arch_prctl is not allowed/);
  assert.match(judgeProfileTrial(running(), exited(1), 'exec /bin/sh: operation not permitted').hint ?? '', /execve/);
  assert.match(judgeProfileTrial(running(), exited(127)).hint ?? '', /could not be loaded/);
  assert.deepEqual(judgeProfileTrial(exited(0), exited(1)).problems, ['exit code 1 instead of 0']);
  assert.equal(judgeProfileTrial(exited(0), exited(1)).hint, undefined, 'no guess without a signature');
  assert.deepEqual(judgeProfileTrial(running([80]), running([])).problems, ['no longer listens on 80']);
  const refused = judgeProfileTrial(running(), { ...exited(0), exitCode: null, error: 'the engine refused to start it: cannot start a stopped process' });
  assert.deepEqual(refused.problems, ['the engine refused to start it: cannot start a stopped process']);
  assert.match(refused.hint ?? '', /runtime could not start the process/);
});

test('verdict: when the comparison cannot start either, the capabilities are blamed, not the profile', () => {
  const v = judgeProfileTrial({ ...exited(0), exitCode: null, error: 'the engine refused to start it: x' }, exited(1));
  assert.equal(v.verified, false);
  assert.match(v.problems[0], /does not start without the profile either/);
  assert.match(v.hint ?? '', /capability set is too small/);
});

test('verdict text names the exit code, the comparison and the cause', () => {
  const v = judgeProfileTrial(running(), exited(127), 'cannot set %fs base address');
  const text = verdictText(v, exited(127), 3);
  assert.match(text, /did not pass verification \(exit code 127\): stopped/);
  assert.match(text, /same image, command and capabilities under Docker's default profile/);
  assert.match(text, /likely cause: arch_prctl/);
  assert.match(verdictText(judgeProfileTrial(running(), running()), running(), 3), /still running after 3 s/);
  assert.match(verdictText(judgeProfileTrial(exited(2), exited(2)), exited(2), 3), /exits with code 2 within 3 s, as it does without the profile/);
});

test('trial config: the process the engine ran (Path/Args), env, user, workdir; no network, ports, volumes or restarts; labelled', () => {
  const inspect = JSON.parse(readFileSync(fixturePath('inspect', 'baseline.json'), 'utf8')) as VerifySource;
  const source: VerifySource = {
    ...inspect,
    Path: '/docker-entrypoint.sh',
    Args: ['nginx', '-g', 'daemon off;'],
    Config: { ...inspect.Config, Env: ['A=1', 'B=two words'], User: '101:101', WorkingDir: '/srv', Tty: false, OpenStdin: true },
    HostConfig: { ...inspect.HostConfig, Init: true, PortBindings: { '80/tcp': [{ HostPort: '8080' }] }, Binds: ['/data:/data'], NetworkMode: 'host', Privileged: true },
  };
  const made = trialConfig(source, ['CHOWN'], 'abc');
  assert.ok('config' in made);
  const c = made.config;
  assert.equal(c.Image, inspect.Image, 'the image id, not a tag that may have moved');
  assert.deepEqual(c.Entrypoint, ['/docker-entrypoint.sh']);
  assert.deepEqual(c.Cmd, ['nginx', '-g', 'daemon off;']);
  assert.deepEqual(c.Env, ['A=1', 'B=two words']);
  assert.equal(c.User, '101:101');
  assert.equal(c.WorkingDir, '/srv');
  assert.equal(c.OpenStdin, true);
  assert.deepEqual(c.Labels, { [PROFILE_VERIFY_LABEL]: 'abc' });
  assert.deepEqual(c.HostConfig, { NetworkMode: 'none', CapDrop: ['ALL'], CapAdd: ['CHOWN'], Init: true, RestartPolicy: { Name: 'no' } });
  assert.equal(c.ExposedPorts, undefined);
  assert.match((trialConfig({ ...source, Path: undefined }, [], 'x') as { error: string }).error, /command is not known/);
});

test('CLI JSON: a profile from a strace log is written and says why it was not verified', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-profile-json-'));
  try {
    let out = '';
    let err = '';
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
    const file = join(dir, 'p.json');
    assert.equal(await main(['profile', '--from-strace', fixturePath('strace', 'busybox-o-file.log'), '--out', file, '--format', 'json'], io), 0, err);
    const report = JSON.parse(out) as { written: boolean; profile: string; capAdd: string[]; verification: { skipped?: string } };
    assert.equal(report.written, true);
    assert.equal(report.profile, file);
    assert.ok(existsSync(file));
    assert.deepEqual(report.capAdd, ['CHOWN', 'DAC_OVERRIDE']);
    assert.match(report.verification.skipped ?? '', /strace log: there is no image to start/);
    assert.equal(await main(['profile', '--from-strace', fixturePath('strace', 'busybox-o-file.log'), '--out', file, '--format', 'yaml'], io), 2, 'an unknown format is a usage error');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
