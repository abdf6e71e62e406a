import * as vscode from 'vscode';
import type { BulkheadContext } from '../context';
import { allRules } from '../../engine/registry';
import { fixAll } from '../../engine/fix';
import { DiagnosticsPublisher } from './diagnostics';
import { BulkheadCodeActions, minimalEdit, toWorkspaceEdit } from './codeActions';
import { FindingHover } from './hover';
import { kindOfDocument, LINTED_DOCUMENTS } from './documents';
import { lintSettings } from './settings';

/** Diagnostics as you type, quick fixes, hovers, and the commands around them. */
export function registerLinting(ctx: BulkheadContext): void {
  const diagnostics = new DiagnosticsPublisher(ctx);
  ctx.diagnostics = diagnostics;
  ctx.subscribe(
    diagnostics,
    vscode.languages.registerCodeActionsProvider(LINTED_DOCUMENTS, new BulkheadCodeActions(diagnostics), BulkheadCodeActions.metadata),
    vscode.languages.registerHoverProvider(LINTED_DOCUMENTS, new FindingHover(ctx, diagnostics)),
    vscode.commands.registerCommand('bulkhead.showRuleDocs', (ruleId?: string) => showRuleDocs(ctx, ruleId)),
    vscode.commands.registerCommand('bulkhead.fixAll', () => fixAllInActiveEditor(diagnostics)),
    vscode.commands.registerCommand('bulkhead.insertSnippet', insertSnippet),
    vscode.commands.registerCommand('bulkhead.didApplyFix', (ruleId: string) => ctx.log.info(`applied a fix for ${ruleId}`)),
  );
}

async function showRuleDocs(ctx: BulkheadContext, ruleId?: string): Promise<void> {
  if (!ruleId) {
    const pick = await vscode.window.showQuickPick(
      allRules().map((r) => ({ label: r.meta.id, description: r.meta.title, detail: r.meta.targets.join(', ') })),
      { title: 'Bulkhead rule documentation', matchOnDescription: true },
    );
    if (!pick) return;
    ruleId = pick.label;
  }
  await vscode.commands.executeCommand('markdown.showPreview', ctx.ruleDocsUri(ruleId));
}

async function fixAllInActiveEditor(diagnostics: DiagnosticsPublisher): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const kind = editor && kindOfDocument(editor.document);
  if (!editor || !kind) {
    void vscode.window.showInformationMessage('Open a Dockerfile or compose file to fix its problems.');
    return;
  }
  const doc = editor.document;
  const text = doc.getText();
  const result = fixAll(text, { kind, file: doc.fileName, unsafe: lintSettings(doc).includeUnsafeInFixAll, severities: diagnostics.severitiesFor(doc.uri) });
  if (result.text === text) {
    void vscode.window.showInformationMessage('Bulkhead: nothing to fix safely in this file.');
    return;
  }
  await vscode.workspace.applyEdit(toWorkspaceEdit(doc, [minimalEdit(text, result.text)]));
}

/** Guidance fixes insert a snippet the user completes (only if the document did not change meanwhile). */
async function insertSnippet(uri: vscode.Uri, version: number, offset: number, body: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  if (doc.version !== version) return;
  const editor = await vscode.window.showTextDocument(doc);
  await editor.insertSnippet(new vscode.SnippetString(body), doc.positionAt(offset));
}
