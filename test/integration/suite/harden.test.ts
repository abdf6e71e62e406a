import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import { DOCKER_CLI, TEST_IMAGE, docker } from '../../support/docker';
import { spawnSync } from 'node:child_process';
import { waitFor } from '../support';
import type { HardenCommandResult } from '../../../src/extension/harden/register';

const workspaceRoot = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

suite('harden from a trial run', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('bulkhead.bulkhead')!.activate();
  });

  test('"Harden from Observation…" on a container of the Containers view ends in a document with the hardened service and docker run command', async function () {
    this.timeout(300_000);
    const menus = (vscode.extensions.getExtension('bulkhead.bulkhead')!.packageJSON as { contributes: { menus: Record<string, { command: string; when?: string }[]> } }).contributes.menus['view/item/context'];
    assert.ok(menus.some((m) => m.command === 'bulkhead.hardenContainer' && m.when?.includes('viewItem =~ /^container/')), 'on container nodes of the Containers view');
    const name = `bh-harden-${Math.random().toString(36).slice(2, 8)}`;
    const id = docker(['run', '-d', '--name', name, TEST_IMAGE, 'sh', '-c', 'while true; do date > /tmp/now; sleep 0.5; done']).trim();
    try {
      // The node's shape as the view passes it: { id: "<engine>/container/<id>" }.
      const result = await vscode.commands.executeCommand<HardenCommandResult>('bulkhead.hardenContainer', { id: `local/container/${id}`, seconds: 3, exercise: '' });
      assert.ok(result?.verified, `verified: ${result?.error}`);
      const editor = await waitFor('the document with the hardened service', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === result.hardenedUri));
      const text = editor.document.getText();
      assert.match(text, /^# docker run:\n# docker run -d --name /m);
      assert.match(text, /--cap-drop ALL/);
      const service = parse(text).services[name];
      assert.deepEqual(service.cap_drop, ['ALL']);
      assert.equal(service.read_only, true);
      assert.deepEqual(service.tmpfs, ['/tmp']);
      assert.equal(docker(['inspect', '-f', '{{.State.Running}}', id]).trim(), 'true', 'the container itself is untouched');
    } finally {
      // Untitled documents would ask to be saved: revert them first.
      for (const doc of vscode.workspace.textDocuments.filter((d) => d.isUntitled)) {
        await vscode.window.showTextDocument(doc);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      spawnSync(DOCKER_CLI, ['rm', '-f', id], { timeout: 60000 });
    }
  });

  test('the code action on a compose service ends in the diff view, and Apply writes the hardened file', async function () {
    this.timeout(300_000);
    const dir = join(workspaceRoot(), 'harden-demo');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'compose.yaml');
    const original = ['# a worker that only writes scratch files', 'services:', '  worker:', `    image: ${TEST_IMAGE}`, '    command: ["sh", "-c", "while true; do date > /tmp/now; sleep 0.5; done"]', ''].join('\n');
    writeFileSync(file, original);
    try {
      const document = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(document);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, new vscode.Range(3, 4, 3, 4), vscode.CodeActionKind.RefactorRewrite.value);
      const action = actions.find((a) => a.title === 'Harden "worker" from a trial run…');
      assert.ok(action?.command, `the code action is offered: ${actions.map((a) => a.title).join(' | ')}`);
      const arg = { ...(action.command.arguments![0] as object), seconds: 3, exercise: '', apply: true };
      const result = await vscode.commands.executeCommand<HardenCommandResult>(action.command.command, arg);
      assert.ok(result?.verified, `verified: ${result?.error}`);
      // The diff view shows the file against the hardened text.
      await waitFor('the diff view', () => vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === result.hardenedUri));
      assert.ok(result.applied, result.error);
      const written = await waitFor('the hardened file on disk', () => {
        const text = readFileSync(file, 'utf8');
        return text !== original && text;
      });
      assert.ok(written.startsWith('# a worker that only writes scratch files\n'), 'the comment is kept');
      const service = parse(written).services.worker;
      assert.deepEqual(service.cap_drop, ['ALL']);
      assert.equal(service.read_only, true);
      assert.deepEqual(service.tmpfs, ['/tmp']);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
