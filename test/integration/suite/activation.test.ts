import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { log, screenshot } from '../support';

const EXTENSION_ID = 'bulkhead.bulkhead';

suite('activation', () => {
  test('the extension is present and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed in the development host`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    assert.match(vscode.version, /^1\.\d+\./);
    const timings = (ext.exports as { timings?: { loadMs: number; activateMs: number } }).timings;
    log(`VS Code ${vscode.version}, Bulkhead ${ext.packageJSON.version}: bundle evaluated in ${timings?.loadMs} ms, features started in ${timings?.activateMs} ms`);
    assert.ok(timings && timings.activateMs >= 0, 'activate() returns its context with timings');
  });

  test('every command the manifest declares is registered', async () => {
    const declared = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `declared but not registered: ${missing.join(', ')}`);
    for (const id of ['bulkhead.auditHost', 'bulkhead.auditContainer', 'bulkhead.auditWorkspace', 'bulkhead.refresh']) assert.ok(declared.includes(id), id);
  });

  test('the Bulkhead view container opens with the Containers view', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.bulkhead');
    // Focusing the view by id fails if the view does not exist.
    await vscode.commands.executeCommand('bulkhead.containers.focus');
    await new Promise((r) => setTimeout(r, 1500));
    await screenshot('bulkhead-view');
  });
});
