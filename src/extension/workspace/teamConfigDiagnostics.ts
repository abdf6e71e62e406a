import * as vscode from 'vscode';
import { CONFIG_FILE_NAME, parseTeamConfig } from '../../engine/config';
import type { BulkheadContext } from '../context';

/** Shows .bulkhead.yaml validation errors in the file itself, as the user types. */
export function registerTeamConfigDiagnostics(ctx: BulkheadContext): void {
  const collection = vscode.languages.createDiagnosticCollection('bulkhead-config');
  const isConfig = (doc: vscode.TextDocument) => doc.uri.path.endsWith(`/${CONFIG_FILE_NAME}`);
  const validate = (doc: vscode.TextDocument) => {
    if (!isConfig(doc)) return;
    const { errors } = parseTeamConfig(doc.getText());
    collection.set(
      doc.uri,
      errors.map((e) => {
        const range = e.range ? new vscode.Range(doc.positionAt(e.range.start), doc.positionAt(e.range.end)) : new vscode.Range(0, 0, 0, 0);
        const d = new vscode.Diagnostic(range, e.message, vscode.DiagnosticSeverity.Error);
        d.source = 'bulkhead';
        return d;
      }),
    );
  };
  vscode.workspace.textDocuments.forEach(validate);
  ctx.subscribe(
    collection,
    vscode.workspace.onDidOpenTextDocument(validate),
    vscode.workspace.onDidChangeTextDocument((e) => validate(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => isConfig(d) && collection.delete(d.uri)),
  );
}
