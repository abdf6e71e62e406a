import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { screenshot, waitFor } from '../support';

const workspaceRoot = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

async function open(relative: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), relative));
  return vscode.window.showTextDocument(doc);
}

function bulkheadDiagnostics(uri: vscode.Uri, ruleId?: string): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'bulkhead' && (!ruleId || (typeof d.code === 'object' && d.code.value === ruleId)));
}

async function codeActions(uri: vscode.Uri, range: vscode.Range, kind?: vscode.CodeActionKind): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, kind?.value)) ?? [];
}

suite('linting in the editor', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('bulkhead.bulkhead')!.activate();
  });

  test('a Dockerfile gets diagnostics whose code links to the rule docs', async () => {
    const editor = await open('Dockerfile');
    const diag = await waitFor('maintainer-deprecated diagnostic', () => bulkheadDiagnostics(editor.document.uri, 'maintainer-deprecated')[0]);
    assert.equal(diag.range.start.line, 2);
    const code = diag.code as { value: string; target: vscode.Uri };
    // The Problems panel opens the target with commands allowed: the rule page in a preview, not the editable .md.
    assert.equal(code.target.scheme, 'command');
    await vscode.commands.executeCommand(code.target.path, ...(JSON.parse(code.target.query) as unknown[]));
    const preview = await waitFor('the rule page in a Markdown preview', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputWebview && /markdown\.preview/.test(input.viewType) && vscode.window.tabGroups.activeTabGroup.activeTab!.label;
    });
    assert.match(preview, /maintainer-deprecated/);
    assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.uri.path.endsWith('maintainer-deprecated.md')), 'the .md is not opened for editing');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await screenshot('dockerfile-problems');
  });

  test('the hover explains the finding with its references', async () => {
    const editor = await open('Dockerfile');
    const diag = await waitFor('a diagnostic', () => bulkheadDiagnostics(editor.document.uri, 'maintainer-deprecated')[0]);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, diag.range.start);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(text, /Documentation\]\(command:bulkhead\.showRuleDocs/);
  });

  test('the preferred quick fix rewrites the line, and ignore/docs actions are offered', async () => {
    const editor = await open('Dockerfile');
    const diag = await waitFor('diagnostic', () => bulkheadDiagnostics(editor.document.uri, 'maintainer-deprecated')[0]);
    const actions = await codeActions(editor.document.uri, diag.range, vscode.CodeActionKind.QuickFix);
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Ignore maintainer-deprecated for this line'), titles.join(' | '));
    assert.ok(titles.some((t) => t.startsWith('Show documentation for maintainer-deprecated')), titles.join(' | '));
    const preferred = actions.find((a) => a.isPreferred && /MAINTAINER/.test(a.title));
    assert.ok(preferred?.edit, `a preferred fix with an edit: ${JSON.stringify(actions.map((a) => [a.title, a.isPreferred, a.diagnostics?.map((d) => d.code)]))}`);
    assert.ok(await vscode.workspace.applyEdit(preferred.edit));
    assert.equal(editor.document.lineAt(2).text, 'LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"');
    assert.equal(editor.document.lineAt(0).text, '# An image that runs as root and carries old habits: the integration tests fix it.');
    await waitFor('diagnostic to clear', () => bulkheadDiagnostics(editor.document.uri, 'maintainer-deprecated').length === 0 || undefined);
  });

  test('source.fixAll.bulkhead applies safe fixes only: privileged (unsafe) stays in compose', async () => {
    const editor = await open('web/compose.yaml');
    await waitFor('privileged diagnostic', () => bulkheadDiagnostics(editor.document.uri, 'privileged')[0]);
    const all = new vscode.Range(0, 0, editor.document.lineCount, 0);
    const fixAll = await codeActions(editor.document.uri, all, vscode.CodeActionKind.SourceFixAll.append('bulkhead'));
    for (const a of fixAll) if (a.edit) await vscode.workspace.applyEdit(a.edit);
    assert.match(editor.document.getText(), /privileged: true/, 'unsafe fix not applied by fix-all');
    assert.match(editor.document.getText(), /^x-common: &common$/m, 'anchor kept');

    const diag = bulkheadDiagnostics(editor.document.uri, 'privileged')[0];
    const quick = await codeActions(editor.document.uri, diag.range, vscode.CodeActionKind.QuickFix);
    const remove = quick.find((a) => a.isPreferred && a.title.includes('privileged'));
    assert.ok(remove?.edit, quick.map((a) => a.title).join(' | '));
    assert.match(remove.title, /changes behaviour/);
    await vscode.workspace.applyEdit(remove.edit);
    const text = editor.document.getText();
    assert.doesNotMatch(text, /privileged/);
    assert.match(text, /# Integration-test compose file: comments and anchors must survive fixes\./);
    assert.match(text, /<<: \*common/);
    await screenshot('compose-after-fix');
  });

});
