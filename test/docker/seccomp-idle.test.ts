import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_CLI, TEST_IMAGE, dockerTestOptions } from '../support/docker';
import { profileFromStrace, serializeSeccompProfile } from '../../src/engine/profile';

// What strace shows of an idle `sleep` observed after it started: the start-up calls are missing.
const IDLE_TRACE = ['1234  nanosleep({tv_sec=5, tv_nsec=0}, 0x7ffd0) = 0', '1234  restart_syscall(<... resuming interrupted nanosleep ...>) = 0'].join('\n');

test('a profile from an idle observation still starts the same image, and warns that it was idle', dockerTestOptions(), () => {
  const profile = profileFromStrace(IDLE_TRACE);
  assert.equal(profile.problem, undefined);
  assert.ok(profile.log.warnings.some((w) => /only \d+ distinct system calls/.test(w)), profile.log.warnings.join('; '));
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-seccomp-'));
  try {
    const file = join(dir, 'idle.json');
    writeFileSync(file, serializeSeccompProfile(profile.seccomp.profile));
    const run = spawnSync(DOCKER_CLI, ['run', '--rm', '--security-opt', `seccomp=${file}`, TEST_IMAGE, 'sleep', '0'], { encoding: 'utf8', timeout: 120000 });
    assert.equal(run.status, 0, `the image starts under the profile: ${run.stderr}`);
    // Still deny by default: a call the workload never made is refused.
    const denied = spawnSync(DOCKER_CLI, ['run', '--rm', '--security-opt', `seccomp=${file}`, TEST_IMAGE, 'hostname', 'x'], { encoding: 'utf8', timeout: 120000 });
    assert.notEqual(denied.status, 0, 'sethostname is not allowed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
