import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { TEST_IMAGE, docker } from '../../support/docker';
import { screenshot, waitFor, windowText } from '../support';

interface ImagesState {
  images: { id: string; tags: string[]; containers: string[] }[];
  outcomes: Record<string, { error?: string; findings?: { ruleId: string; layer?: number; path?: string }[] }>;
  problem?: string;
}

const state = async () => (await vscode.commands.executeCommand<ImagesState>('bulkhead.images.viewState'));
const RUN = `bhimg${Math.random().toString(36).slice(2, 6)}`;
const TAG = `${RUN}:setuid`;

suite('images view', () => {
  suiteSetup(async function () {
    this.timeout(300_000);
    const dir = mkdtempSync(join(tmpdir(), 'bulkhead-images-'));
    try {
      writeFileSync(join(dir, 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN mkdir -p /usr/local/bin && cp /bin/busybox /usr/local/bin/su-copy && chmod 4755 /usr/local/bin/su-copy\n`);
      process.env.DOCKER_BUILDKIT = '0';
      docker(['build', '--quiet', '-t', TAG, dir], { timeout: 300_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    docker(['create', '--name', `${RUN}-user`, '--label', `bulkhead.test=${RUN}`, TAG, 'true']);
    await vscode.extensions.getExtension('bulkhead.bulkhead')!.activate();
    await vscode.commands.executeCommand('workbench.view.extension.bulkhead');
    await vscode.commands.executeCommand('bulkhead.images.focus');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    docker(['rm', '-f', `${RUN}-user`]);
    docker(['image', 'rm', '-f', TAG]);
  });

  test('lists the image with the container that uses it; Audit Image shows its setuid file in the view', async function () {
    this.timeout(180_000);
    const listed = await waitFor(`${TAG} in the Images view`, async () => {
      await vscode.commands.executeCommand('bulkhead.images.refresh');
      return (await state()).images.find((i) => i.tags.includes(TAG));
    });
    assert.deepEqual(listed.containers, [`${RUN}-user`]);
    const count = await vscode.commands.executeCommand<number>('bulkhead.auditImage', TAG);
    assert.ok(count && count > 0, `findings: ${count}`);
    const findings = (await state()).outcomes[listed.id]?.findings ?? [];
    const setuid = findings.find((f) => f.ruleId === 'setuid-file');
    assert.equal(setuid?.path, '/usr/local/bin/su-copy');
    assert.equal(setuid?.layer, 2);
    // What a user reads: the finding under the expanded image node.
    const text = await windowText();
    if (text !== undefined) await waitFor('the finding in the window', async () => ((await windowText())?.includes('/usr/local/bin/su-copy is setuid') ? true : undefined));
    await screenshot('images-view');
  });
});
