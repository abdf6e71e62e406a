import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, resolveDefaultEngine } from '../../src/docker/connection';
import { hardenComposeService, TRIAL_LABEL } from '../../src/docker/harden/trial';
import { TEST_IMAGE, docker, dockerTestOptions } from '../support/docker';

/** Everything of one trial the engine still lists: by its label, and the volumes by their project's name. */
function leftoversOf(trialId: string): string[] {
  const label = `label=${TRIAL_LABEL}=${trialId}`;
  const list = (kind: string, args: string[]) => docker([kind, 'ls', '-q', ...args]).split('\n').filter(Boolean).map((x) => `${kind} ${x}`);
  return [
    ...list('container', ['-a', '--filter', label]),
    ...list('network', ['--filter', label]),
    ...list('volume', ['--filter', label]),
    ...list('volume', []).filter((v) => v.startsWith(`volume bulkheadharden${trialId}`)),
  ];
}

/**
 * Hardens a service that runs until stopped, and aborts as soon as the run named `phase`
 * (its progress line) has its container started under strace, at the start of its observation.
 */
async function cancelDuring(phase: RegExp, observeSeconds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-harden-cancel-'));
  const file = join(dir, 'compose.yml');
  // A data directory, so the hardened run has a named volume of its own to remove too.
  writeFileSync(file, `services:\n  idle:\n    image: ${TEST_IMAGE}\n    command: ["sh", "-c", "mkdir -p /data; while true; do date > /data/now; sleep 0.5; done"]\n`);
  const controller = new AbortController();
  const messages: string[] = [];
  let inPhase = false;
  try {
    const report = await hardenComposeService({
      docker: createClient(resolveDefaultEngine()),
      composeFile: file,
      service: 'idle',
      observeSeconds,
      signal: controller.signal,
      onProgress: (m) => {
        messages.push(m);
        if (phase.test(m)) inPhase = true;
        else if (inPhase && /started under strace/.test(m)) controller.abort();
      },
    });
    assert.ok(controller.signal.aborted, `the phase was reached: ${messages.join(' | ')}`);
    assert.equal(report.cancelled, true, `cancelled: ${report.error}`);
    assert.equal(report.verified, false);
    assert.ok(report.trialId, 'the trial started');
    assert.deepEqual(leftoversOf(report.trialId), [], 'nothing of the trial is left');
    return { report, messages };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('cancelling during the baseline run stops it and removes its container, network and volumes', dockerTestOptions(), async () => {
  // A 600 s observation: only the abort ends it within the test's time.
  const { report, messages } = await cancelDuring(/^baseline:/, 600);
  assert.equal(report.verification.hardened, undefined, 'no hardened run was started');
  assert.ok(!messages.some((m) => /^hardened run:/.test(m)));
});

test('cancelling during the hardened run stops it and removes everything of both runs', dockerTestOptions(), async () => {
  const { report } = await cancelDuring(/^hardened run:/, 3);
  assert.ok(report.verification.baseline, 'the baseline ran');
  assert.equal(report.hardenedText, undefined, 'no hardened file is offered');
});
