import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { log, screenshot, waitFor } from '../support';

const EXTENSION_ID = 'bulkhead.bulkhead';

interface Timings {
  totalMs: number;
  loadMs: number;
  activateMs: number;
  hostWaitMs: number;
  fromHostMark: boolean;
}

suite('activation', () => {
  test('the extension activates without loading its heavy dependencies, and reports what VS Code counts', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed in the development host`);
    const wasActive = ext.isActive;
    const called = Date.now();
    await ext.activate();
    const waited = Date.now() - called;
    // Read before anything else runs: what activation itself required from dist/vendor (scripts/build.mjs).
    const vendor = join(ext.extensionPath, 'dist', 'vendor');
    const loaded = Object.keys(require.cache).filter((file) => file.startsWith(vendor));
    assert.equal(ext.isActive, true);
    assert.match(vscode.version, /^1\.\d+\./);
    const timings = (ext.exports as { timings?: Timings }).timings;
    assert.ok(timings, 'activate() returns its context with timings');
    assert.ok(timings.fromHostMark, "the log measures from VS Code's own load mark");
    assert.ok(timings.totalMs === timings.loadMs + timings.activateMs && timings.loadMs >= 0 && timings.activateMs >= 0, JSON.stringify(timings));
    log(
      `VS Code ${vscode.version}, Bulkhead ${ext.packageJSON.version}: activated in ${timings.totalMs} ms (loading ${timings.loadMs} ms from VS Code's load call + activate() ${timings.activateMs} ms; VS Code's context preparation in between ${timings.hostWaitMs} ms; the test's activate() call waited ${waited} ms${wasActive ? ', already active' : ''})`,
    );
    if (wasActive) log('(already active before this test: the dependency check is skipped)');
    else assert.deepEqual(loaded, [], 'activation loads none of dockerode, yaml, dockerfile-ast, picomatch, ignore');
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
    await waitFor('the Containers view to be visible', async () => (await vscode.commands.executeCommand<{ visible: boolean }>('bulkhead.containers.viewState')).visible);
    await screenshot('bulkhead-view');
  });
});
