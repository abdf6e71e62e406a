import * as vscode from 'vscode';
import type { Finding, LintError, Severity } from '../../engine/model';
import { lintText } from '../../engine/lint';
import type { BulkheadContext } from '../context';
import { kindOfDocument } from './documents';
import { lintSettings } from './settings';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** The findings behind a document's diagnostics, for code actions and hovers. */
export interface LintedDocument {
  version: number;
  findings: Finding[];
}

/** Lints open documents as they change (debounced) and publishes diagnostics. */
export class DiagnosticsPublisher implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('bulkhead');
  private readonly results = new Map<string, LintedDocument>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a document's diagnostics were published. */
  readonly onDidLint = this.changed.event;

  constructor(private readonly ctx: BulkheadContext) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidOpenTextDocument((d) => this.lintNow(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('bulkhead')) this.lintAllOpen();
      }),
    );
    this.lintAllOpen();
  }

  lintAllOpen(): void {
    for (const doc of vscode.workspace.textDocuments) this.lintNow(doc);
  }

  findingsFor(doc: vscode.TextDocument): Finding[] | undefined {
    const r = this.results.get(doc.uri.toString());
    // Stale findings carry offsets of another text; better none than wrong edits.
    return r && r.version === doc.version ? r.findings : undefined;
  }

  /** Lints now (code actions may ask before the debounce fired). */
  lintNow(doc: vscode.TextDocument): Finding[] | undefined {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    const kind = kindOfDocument(doc);
    const settings = lintSettings(doc);
    if (!kind || !settings.enable) {
      if (this.results.delete(key)) this.collection.delete(doc.uri);
      return undefined;
    }
    const started = Date.now();
    const { findings, errors } = lintText(doc.getText(), { kind, file: doc.fileName, severities: settings.severities });
    this.results.set(key, { version: doc.version, findings });
    this.collection.set(doc.uri, [...findings.map((f) => this.toDiagnostic(doc, f)), ...errors.map((e) => this.errorDiagnostic(doc, e))]);
    this.ctx.log.trace(`linted ${vscode.workspace.asRelativePath(doc.uri)} (${kind}) in ${Date.now() - started} ms: ${findings.length} finding(s)`);
    this.changed.fire(doc.uri);
    return findings;
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!kindOfDocument(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => this.lintNow(doc), lintSettings(doc).delay));
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.results.delete(key);
    this.collection.delete(uri);
  }

  private toDiagnostic(doc: vscode.TextDocument, f: Finding): vscode.Diagnostic {
    const range = f.range ? new vscode.Range(doc.positionAt(f.range.start), doc.positionAt(f.range.end)) : new vscode.Range(0, 0, 0, 0);
    const d = new vscode.Diagnostic(range, f.message, SEVERITY[f.severity]);
    d.source = 'bulkhead';
    d.code = { value: f.ruleId, target: this.ctx.ruleDocsUri(f.ruleId) };
    return d;
  }

  private errorDiagnostic(doc: vscode.TextDocument, e: LintError): vscode.Diagnostic {
    const start = doc.positionAt(e.range?.start ?? 0);
    const end = e.range ? doc.positionAt(e.range.end) : doc.lineAt(start.line).range.end;
    const d = new vscode.Diagnostic(new vscode.Range(start, end), `Bulkhead could not lint this file: ${e.message}`, vscode.DiagnosticSeverity.Error);
    d.source = 'bulkhead';
    return d;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
