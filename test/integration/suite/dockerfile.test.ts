import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { screenshot, waitFor } from '../support';

// A Dockerfile with most of issue 3's concerns, written into the (temporary) test workspace.
const INSECURE = [
  'FROM node:20',
  'RUN sudo apt-get install curl',
  'RUN curl -fsSLk https://example.com/tool.tar.gz -o /tmp/tool.tar.gz',
  'ENV DB_PASSWORD=hunter2',
  'ADD server.js /app/server.js',
  'WORKDIR /app',
  'EXPOSE 3000 22',
  'CMD node server.js',
  '',
].join('\n');

function bulkheadDiagnostics(uri: vscode.Uri, ruleId?: string): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'bulkhead' && (!ruleId || (typeof d.code === 'object' && d.code.value === ruleId)));
}

async function codeActions(uri: vscode.Uri, range: vscode.Range, kind: vscode.CodeActionKind): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, kind.value)) ?? [];
}

suite('dockerfile hardening', () => {
  let editor: vscode.TextEditor;

  suiteSetup(async () => {
    await vscode.extensions.getExtension('bulkhead.bulkhead')!.activate();
    const dir = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'hardening');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'Dockerfile'), INSECURE);
    editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(path.join(dir, 'Dockerfile')));
  });

  test('the insecure Dockerfile gets precise diagnostics for each concern', async () => {
    const uri = editor.document.uri;
    const expected: Record<string, string> = {
      'sudo-in-run': 'sudo',
      'verification-disabled': '-fsSLk',
      'secret-in-env': 'DB_PASSWORD=hunter2',
      'add-instead-of-copy': 'ADD',
      'ssh-port': '22',
      'shell-form-command': 'node server.js',
      'apt-missing-yes': 'apt-get install',
      'user-root': 'FROM',
      'healthcheck-missing': 'FROM',
    };
    for (const [ruleId, text] of Object.entries(expected)) {
      const diag = await waitFor(`${ruleId} diagnostic`, () => bulkheadDiagnostics(uri, ruleId)[0]);
      assert.equal(editor.document.getText(diag.range), text, ruleId);
    }
    const secret = bulkheadDiagnostics(uri, 'secret-in-env')[0];
    assert.doesNotMatch(secret.message, /hunter2/, 'the secret value never appears');
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await screenshot('dockerfile-hardening-problems');
  });

  test('the preferred quick fix for user-root creates a user and switches to it before CMD', async () => {
    const uri = editor.document.uri;
    const diag = await waitFor('user-root diagnostic', () => bulkheadDiagnostics(uri, 'user-root')[0]);
    const actions = await codeActions(uri, diag.range, vscode.CodeActionKind.QuickFix);
    const preferred = actions.find((a) => a.isPreferred && a.title.startsWith('Create an unprivileged user'));
    assert.ok(preferred?.edit, actions.map((a) => a.title).join(' | '));
    assert.ok(await vscode.workspace.applyEdit(preferred.edit));
    const lines = editor.document.getText().split('\n');
    const user = lines.indexOf('USER 10001:10001');
    assert.ok(user > 0, editor.document.getText());
    assert.match(lines[user - 1], /^RUN groupadd --system --gid 10001 app && useradd /);
    assert.equal(lines[user + 1], 'CMD node server.js');
    await waitFor('user-root to clear', () => (bulkheadDiagnostics(uri, 'user-root').length === 0 ? true : undefined));
  });

  test('source.fixAll.bulkhead applies only the safe fixes', async () => {
    const uri = editor.document.uri;
    await waitFor('sudo diagnostic', () => bulkheadDiagnostics(uri, 'sudo-in-run')[0]);
    const all = new vscode.Range(0, 0, editor.document.lineCount, 0);
    const fixAll = await codeActions(uri, all, vscode.CodeActionKind.SourceFixAll.append('bulkhead'));
    assert.ok(fixAll.some((a) => a.edit), 'a fix-all action with an edit');
    for (const a of fixAll) if (a.edit) await vscode.workspace.applyEdit(a.edit);
    const text = editor.document.getText();
    // Safe: sudo dropped, -y added, ADD → COPY.
    assert.match(text, /^RUN apt-get install -y curl/m);
    // Unsafe ones wait for the user: -k (the build may need it), port 22, exec-form CMD.
    assert.match(text, /^RUN curl -fsSLk https:\/\/example\.com\/tool\.tar\.gz/m);
    assert.match(text, /^COPY server\.js \/app\/server\.js$/m);
    assert.match(text, /^EXPOSE 3000 22$/m);
    assert.match(text, /^CMD node server\.js$/m);
    await waitFor('safe findings to clear', () => (['sudo-in-run', 'add-instead-of-copy'].every((id) => bulkheadDiagnostics(uri, id).length === 0) ? true : undefined));
    await screenshot('dockerfile-hardening-after-fix-all');
  });

  test('COPY . with a .env in the folder is a secret-file finding until .dockerignore leaves it out: typed, then on disk, live', async () => {
    const dir = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'context-copy');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, '.env'), 'API_TOKEN=Zq8vN3xR1tYw\n');
    writeFileSync(path.join(dir, 'app.py'), 'print(1)\n');
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nUSER 10001\nCMD ["python", "app.py"]\n');
    const uri = vscode.Uri.file(path.join(dir, 'Dockerfile'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const finding = await waitFor('secret-file on COPY .', () => bulkheadDiagnostics(uri, 'secret-file')[0]);
    assert.equal(doc.lineAt(finding.range.start.line).text, 'COPY . .');
    assert.match(finding.message, /\.env \(a \.env file with values\).*there is no \.dockerignore/);
    assert.doesNotMatch(finding.message, /Zq8vN3xR1tYw/);

    // Typed into a new .dockerignore (unsaved): the open text counts.
    const ignore = vscode.Uri.file(path.join(dir, '.dockerignore'));
    writeFileSync(ignore.fsPath, '# build context\n');
    const ignoreDoc = await vscode.workspace.openTextDocument(ignore);
    await vscode.window.showTextDocument(ignoreDoc, { preview: false });
    await waitFor('still reported with an empty .dockerignore', () => (bulkheadDiagnostics(uri, 'secret-file')[0]?.message.includes('.dockerignore does not exclude it') ? true : undefined));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(ignore, new vscode.Position(1, 0), '.env\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor('secret-file gone once .dockerignore leaves .env out', () => bulkheadDiagnostics(uri, 'secret-file').length === 0);

    // Closed unsaved, then changed on disk by another tool.
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor('reported again with the saved (empty) .dockerignore', () => bulkheadDiagnostics(uri, 'secret-file').length === 1);
    writeFileSync(ignore.fsPath, '.env\n.git\n');
    await waitFor('gone with the .dockerignore on disk', () => bulkheadDiagnostics(uri, 'secret-file').length === 0);
  });

  test('the quick fix for COPY . creates the .dockerignore that leaves the .env out, and the finding clears', async () => {
    const dir = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'context-fix');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, '.env'), 'API_TOKEN=Zq8vN3xR1tYw\n');
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nUSER 10001\nCMD ["python", "app.py"]\n');
    const uri = vscode.Uri.file(path.join(dir, 'Dockerfile'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const finding = await waitFor('secret-file on COPY .', () => bulkheadDiagnostics(uri, 'secret-file')[0]);
    const actions = await codeActions(uri, finding.range, vscode.CodeActionKind.QuickFix);
    const fix = actions.find((a) => a.title.startsWith('Leave .env out of the build context (create .dockerignore)'));
    assert.ok(fix?.edit, actions.map((a) => a.title).join(' | '));
    assert.match(fix.title, /changes behaviour/);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const ignore = vscode.Uri.file(path.join(dir, '.dockerignore'));
    // The edit leaves the new file open and unsaved; its text is what the builder would read once saved.
    const ignoreDoc = await waitFor('.dockerignore created', () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === ignore.toString()));
    assert.equal(ignoreDoc.getText(), '.env\n');
    await ignoreDoc.save();
    await waitFor('secret-file gone', () => bulkheadDiagnostics(uri, 'secret-file').length === 0);
    assert.equal(doc.getText(), 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nUSER 10001\nCMD ["python", "app.py"]\n', 'the Dockerfile is not changed');
  });
});

