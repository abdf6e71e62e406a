import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import { TEST_IMAGE } from '../../support/docker';
import { waitFor } from '../support';
import type { HardenCommandResult } from '../../../src/extension/harden/register';

const workspaceRoot = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

suite('harden from a trial run', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('bulkhead.bulkhead')!.activate();
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
      assert.ok(result.applied);
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
