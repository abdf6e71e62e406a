import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../support';

// The compose project as docker compose loads it: base + override linted merged, live.

const workspaceRoot = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

const BASE = ['services:', '  web:', '    image: busybox:1.36', '    command: ["sleep", "60"]', ''].join('\n');

function diagnostics(uri: vscode.Uri, ruleId: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'bulkhead' && typeof d.code === 'object' && d.code.value === ruleId);
}

suite('compose project', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('bulkhead.bulkhead')!.activate();
  });

  test('cap_drop ALL written into the override clears the base file finding, live', async () => {
    const base = vscode.Uri.file(path.join(workspaceRoot(), 'project-merge/compose.yaml'));
    const override = vscode.Uri.file(path.join(workspaceRoot(), 'project-merge/compose.override.yaml'));
    await vscode.workspace.fs.writeFile(base, Buffer.from(BASE, 'utf8'));
    await vscode.workspace.fs.writeFile(override, Buffer.from('services: {}\n', 'utf8'));
    const baseDoc = await vscode.workspace.openTextDocument(base);
    await vscode.window.showTextDocument(baseDoc);
    const finding = await waitFor('cap-drop-all in the base', () => diagnostics(base, 'cap-drop-all')[0]);
    assert.equal(baseDoc.getText(finding.range), 'web');

    const overrideDoc = await vscode.workspace.openTextDocument(override);
    await vscode.window.showTextDocument(overrideDoc, { preview: false });
    const edit = new vscode.WorkspaceEdit();
    edit.replace(override, new vscode.Range(0, 0, overrideDoc.lineCount, 0), 'services:\n  web:\n    cap_drop: [ALL]\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor('cap-drop-all gone from the base', () => diagnostics(base, 'cap-drop-all').length === 0);
    assert.equal(diagnostics(override, 'cap-drop-all').length, 0, 'nor reported in the override');
    // Findings about something still missing now sit on the service in the override, where a fix adds the key.
    const readOnly = await waitFor('read-only-rootfs in the override', () => diagnostics(override, 'read-only-rootfs')[0]);
    assert.equal(overrideDoc.getText(readOnly.range), 'web');
    assert.equal(diagnostics(base, 'read-only-rootfs').length, 0);
  });

  test('privileged: true in a file the service extends is reported at its extends key, and cleared by the service, live', async () => {
    const common = vscode.Uri.file(path.join(workspaceRoot(), 'project-extends/common.yml'));
    const compose = vscode.Uri.file(path.join(workspaceRoot(), 'project-extends/compose.yaml'));
    await vscode.workspace.fs.writeFile(common, Buffer.from('services:\n  base:\n    image: busybox:1.36\n    privileged: true\n', 'utf8'));
    const APP = 'services:\n  app:\n    extends:\n      file: common.yml\n      service: base\n';
    await vscode.workspace.fs.writeFile(compose, Buffer.from(APP, 'utf8'));
    const doc = await vscode.workspace.openTextDocument(compose);
    await vscode.window.showTextDocument(doc);
    const finding = await waitFor('privileged from common.yml', () => diagnostics(compose, 'privileged')[0]);
    assert.match(doc.lineAt(finding.range.start.line).text, /extends/);
    assert.match(finding.message, /common\.yml/, finding.message);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(compose, new vscode.Position(doc.lineCount, 0), '    privileged: false\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor('privileged gone once the service overrides it', () => diagnostics(compose, 'privileged').length === 0);
  });

  test('a value set in the project .env is judged: typing in .env, closing it unsaved and changing it on disk re-judge the compose files, live', async () => {
    const dir = path.join(workspaceRoot(), 'project-env');
    const base = vscode.Uri.file(path.join(dir, 'compose.yaml'));
    const override = vscode.Uri.file(path.join(dir, 'compose.override.yaml'));
    const env = vscode.Uri.file(path.join(dir, '.env'));
    await vscode.workspace.fs.writeFile(env, Buffer.from('# local settings\nPRIVILEGED=false\n', 'utf8'));
    await vscode.workspace.fs.writeFile(base, Buffer.from('services:\n  web:\n    image: busybox:1.36\n    privileged: ${PRIVILEGED:-false}\n', 'utf8'));
    await vscode.workspace.fs.writeFile(override, Buffer.from('services:\n  web:\n    cap_drop: [ALL]\n', 'utf8'));
    const baseDoc = await vscode.workspace.openTextDocument(base);
    await vscode.window.showTextDocument(baseDoc);
    // Linted (a finding that does not depend on the variable is there), and not privileged.
    await waitFor('the project is linted', () => diagnostics(override, 'read-only-rootfs').length === 1);
    assert.equal(diagnostics(base, 'privileged').length, 0);

    // Typed, not saved: the open .env wins over the disk.
    const envDoc = await vscode.workspace.openTextDocument(env);
    await vscode.window.showTextDocument(envDoc, { preview: false });
    const edit = new vscode.WorkspaceEdit();
    edit.replace(env, envDoc.lineAt(1).range, 'PRIVILEGED=true');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const finding = await waitFor('privileged through the typed .env', () => diagnostics(base, 'privileged')[0]);
    assert.equal(baseDoc.getText(finding.range), 'privileged: ${PRIVILEGED:-false}');
    assert.match(finding.message, /\$\{PRIVILEGED\} from \.env line 2/);

    // Closed without saving: the disk's value counts again.
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor('privileged gone with the unsaved .env', () => diagnostics(base, 'privileged').length === 0);

    // Changed on disk (another tool, a git checkout): the watcher re-judges.
    await vscode.workspace.fs.writeFile(env, Buffer.from('# local settings\nPRIVILEGED=yes\n', 'utf8'));
    await waitFor('privileged through the .env on disk', () => diagnostics(base, 'privileged').length === 1);
  });

  test('a file the base file includes is linted with its project: findings land in it, unopened, and clear when it is fixed, live', async () => {
    const dir = path.join(workspaceRoot(), 'project-include');
    const base = vscode.Uri.file(path.join(dir, 'compose.yaml'));
    const db = vscode.Uri.file(path.join(dir, 'db', 'compose.db.yaml'));
    await vscode.workspace.fs.writeFile(db, Buffer.from('services:\n  db:\n    image: busybox:1.36\n    privileged: true\n', 'utf8'));
    await vscode.workspace.fs.writeFile(base, Buffer.from('include:\n  - db/compose.db.yaml\nservices:\n  api:\n    image: busybox:1.36\n    depends_on: [db]\n', 'utf8'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(base));
    // Published for the included file although no editor shows it.
    const finding = await waitFor('privileged in the included file', () => diagnostics(db, 'privileged')[0]);
    assert.equal(finding.range.start.line, 3);
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === db.toString()), 'the included file is not open');

    // Opened on its own it is the same project (no second, conflicting set of findings); fixed there, live.
    const dbDoc = await vscode.workspace.openTextDocument(db);
    await vscode.window.showTextDocument(dbDoc, { preview: false });
    await waitFor('one privileged finding with the file open', () => diagnostics(db, 'privileged').length === 1);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(db, dbDoc.lineAt(3).range, '    privileged: false');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor('privileged gone from the included file', () => diagnostics(db, 'privileged').length === 0);
    assert.equal(diagnostics(base, 'privileged').length, 0);
  });
});

