import * as vscode from 'vscode';
import type { Finding, LintError, Severity } from '../../engine/model';
import { basename, dirname, resolve } from 'node:path';
import { lintComposeProject, lintText, type CommittedFileCheck, type ProjectFileReader } from '../../engine/lint';
import type { BulkheadContext } from '../context';
import { kindOfDocument } from './documents';
import { lintSettings, effectiveSeverities, isExcludedBySettings } from './settings';
import { kindOfFileName } from '../../engine/files';
import { LineIndex } from '../../engine/text';
import { projectFileReader } from '../../workspace/projectFiles';
import { composeProjectFiles, readComposeProject } from '../../workspace/composeProject';
import { committedFileCheck } from '../../workspace/gitFiles';
import { buildContextLister } from '../../workspace/buildContext';

// Referenced files (seccomp profiles, the project's .env) are read inside the workspace folder that
// holds the compose file; one open in an editor is read as it is there, saved or not.
const readFromDisk = projectFileReader(() => (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath));
const readProjectFile: ProjectFileReader = (composeFile, written) => {
  const read = readFromDisk(composeFile, written);
  if (read.kind === 'outside' || !composeFile) return read;
  const path = resolve(dirname(composeFile), written);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.fileName === path);
  return open ? { kind: 'text', text: open.getText() } : read;
};

/** The file docker compose reads variables from (next to the project's first file). */
const isComposeVariablesFile = (path: string) => basename(path) === '.env';
/** The files the builder reads to leave paths out of the build context. */
const isDockerIgnoreFile = (path: string) => basename(path).endsWith('.dockerignore');
/** Files whose change re-judges the linted files of their folder. */
export const isCompanionFile = (path: string) => isComposeVariablesFile(path) || isDockerIgnoreFile(path);

// A context is listed again at most every few seconds while typing (listing walks the folder).
const listBuildContext = buildContextLister(5_000);

/** How long a "is this env_file committed" answer is reused while typing. */
const COMMITTED_ANSWER_MS = 15_000;
let committedCheck: { git: string; check: CommittedFileCheck } | undefined;

/**
 * Whether an env_file is committed, asked of the git the built-in Git extension uses; without that
 * extension (disabled, not active) or in an untrusted workspace, committed files are not reported.
 */
function isCommitted(): CommittedFileCheck | undefined {
  if (!vscode.workspace.isTrusted) return undefined;
  const extension = vscode.extensions.getExtension<{ enabled: boolean; getAPI(version: 1): { git: { path: string } } }>('vscode.git');
  if (!extension?.isActive || !extension.exports.enabled) return undefined;
  const git = extension.exports.getAPI(1).git.path;
  if (committedCheck?.git !== git) committedCheck = { git, check: committedFileCheck(git, COMMITTED_ANSWER_MS) };
  return committedCheck.check;
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** The findings behind a document's diagnostics, for code actions and hovers. */
export interface LintedDocument {
  /** The open document's version, or -1 for a file linted from disk. */
  version: number;
  findings: Finding[];
}

/** Lints open documents as they change (debounced) and publishes diagnostics. */
export class DiagnosticsPublisher implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('bulkhead');
  private readonly results = new Map<string, LintedDocument>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Files the workspace audit linted from disk: closing their editor keeps their diagnostics. */
  private readonly fromDisk = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a document's diagnostics were published. */
  readonly onDidLint = this.changed.event;

  constructor(private readonly ctx: BulkheadContext) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidOpenTextDocument((d) => this.lintNow(d)),
      vscode.workspace.onDidChangeTextDocument((e) => (isCompanionFile(e.document.fileName) ? this.companionChanged(e.document.uri) : this.schedule(e.document))),
      vscode.workspace.onDidCloseTextDocument((d) => this.closed(d)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('bulkhead')) this.lintAllOpen();
      }),
    );
    // The first lint loads the parsers: run it just after activation instead of inside it.
    const initial = setImmediate(() => this.lintAllOpen());
    this.disposables.push({ dispose: () => clearImmediate(initial) });
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
    if (!kind || !settings.enable || (doc.uri.scheme === 'file' && this.isExcluded(doc.uri))) {
      if (this.results.delete(key)) this.collection.delete(doc.uri);
      return undefined;
    }
    if (kind === 'compose' && doc.uri.scheme === 'file') {
      const project = composeProjectFiles(doc.fileName, process.env, this.ctx.teamConfig.forFile(doc.fileName));
      if (project.length > 1) return this.lintProject(doc, project);
    }
    const started = Date.now();
    const text = doc.getText();
    const { findings, errors } = lintText(text, { kind, file: doc.fileName, severities: this.severitiesFor(doc.uri), ...(doc.uri.scheme === 'file' ? { readProjectFile, isCommitted: isCommitted(), listBuildContext } : {}) });
    this.publish(doc.uri, doc.version, new LineIndex(text), findings, errors);
    this.ctx.log.trace(`linted ${vscode.workspace.asRelativePath(doc.uri)} (${kind}) in ${Date.now() - started} ms: ${findings.length} finding(s)`);
    return findings;
  }

  /**
   * Lints a compose file with the other files of its project (open documents win over the disk)
   * and publishes every file's findings: editing an override re-judges the base too.
   */
  private lintProject(doc: vscode.TextDocument, files: string[]): Finding[] | undefined {
    const started = Date.now();
    const open = new Map(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file').map((d) => [d.fileName, d]));
    const read = readComposeProject(files, (file) => open.get(file)?.getText());
    const results = lintComposeProject(read.texts, { severities: this.severitiesFor(doc.uri), readProjectFile, isCommitted: isCommitted() });
    let mine: Finding[] | undefined;
    for (const t of read.texts) {
      const r = results.get(t.file)!;
      const other = open.get(t.file);
      if (other) {
        clearTimeout(this.timers.get(other.uri.toString()));
        this.timers.delete(other.uri.toString());
      }
      this.publish(other?.uri ?? vscode.Uri.file(t.file), other ? other.version : -1, new LineIndex(t.text), r.findings, r.errors);
      if (t.file === doc.fileName) mine = r.findings;
    }
    this.ctx.log.trace(`linted compose project of ${vscode.workspace.asRelativePath(doc.uri)} (${read.texts.length} files) in ${Date.now() - started} ms`);
    return mine;
  }

  /** Lints a file's text read from disk (workspace audit, file watcher); open documents win. */
  lintFromDisk(uri: vscode.Uri, text: string): Finding[] | undefined {
    const kind = kindOfFileName(uri.fsPath);
    if (!kind) return undefined;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return this.lintNow(open);
    this.fromDisk.add(uri.toString());
    const { findings, errors } = lintText(text, { kind, file: uri.fsPath, severities: this.severitiesFor(uri), readProjectFile, isCommitted: isCommitted(), listBuildContext });
    this.publish(uri, -1, new LineIndex(text), findings, errors);
    return findings;
  }

  /** Drops what is known about a file (deleted, or now excluded). */
  drop(uri: vscode.Uri): void {
    this.fromDisk.delete(uri.toString());
    this.forget(uri);
  }

  isExcluded(uri: vscode.Uri): boolean {
    return this.ctx.teamConfig.forFile(uri.fsPath).isExcluded(uri.fsPath) || isExcludedBySettings(uri);
  }

  severitiesFor(uri: vscode.Uri) {
    return effectiveSeverities(this.ctx.teamConfig.forFile(uri.fsPath).config.severities, uri);
  }

  private publish(uri: vscode.Uri, version: number, lines: LineIndex, findings: Finding[], errors: LintError[]): void {
    const range = (start: number, end: number) => {
      const a = lines.position(start);
      const b = lines.position(end);
      return new vscode.Range(a.line, a.character, b.line, b.character);
    };
    this.results.set(uri.toString(), { version, findings });
    this.collection.set(uri, [
      ...findings.map((f) => this.toDiagnostic(f, f.range ? range(f.range.start, f.range.end) : new vscode.Range(0, 0, 0, 0))),
      ...errors.map((e) => this.errorDiagnostic(e, e.range ? range(e.range.start, e.range.end) : new vscode.Range(0, 0, 0, lines.lineEnd(0)))),
    ]);
    this.changed.fire(uri);
  }

  /** All findings currently published (open documents and audited files), by URI. */
  allFindings(): Map<string, LintedDocument> {
    return this.results;
  }

  /**
   * A `.env` or `.dockerignore` changed (typed, saved, closed unsaved or on disk): the open files it
   * bears on in its folder (compose files and Dockerfiles for `.env`, Dockerfiles for
   * `.dockerignore`) are linted again, and the ones linted from disk there are returned for the
   * caller to re-read.
   */
  companionChanged(file: vscode.Uri): vscode.Uri[] {
    const folder = dirname(file.fsPath);
    // A .env is also a file a Dockerfile's `COPY .` may bring in: both kinds are judged again.
    const kinds = isComposeVariablesFile(file.fsPath) ? ['compose', 'dockerfile'] : ['dockerfile'];
    const inFolder = (uri: vscode.Uri) => uri.scheme === 'file' && dirname(uri.fsPath) === folder && kinds.includes(kindOfFileName(uri.fsPath) ?? '');
    const open = vscode.workspace.textDocuments.filter((d) => inFolder(d.uri));
    listBuildContext.clear();
    for (const doc of open) this.schedule(doc);
    return [...this.fromDisk].map((key) => vscode.Uri.parse(key)).filter((uri) => inFolder(uri) && !open.some((d) => d.uri.toString() === uri.toString()));
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!kindOfDocument(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => this.lintNow(doc), lintSettings(doc).delay));
  }

  private closed(doc: vscode.TextDocument): void {
    // A .env or .dockerignore closed unsaved: the disk's text counts again.
    if (isCompanionFile(doc.fileName)) void this.companionChanged(doc.uri);
    // An audited file keeps its diagnostics after its editor closes: re-lint what is on disk.
    if (!this.fromDisk.has(doc.uri.toString())) return this.forget(doc.uri);
    vscode.workspace.fs.readFile(doc.uri).then(
      (bytes) => this.lintFromDisk(doc.uri, new TextDecoder().decode(bytes)),
      () => this.drop(doc.uri),
    );
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.results.delete(key);
    this.collection.delete(uri);
  }

  private toDiagnostic(f: Finding, range: vscode.Range): vscode.Diagnostic {
    const d = new vscode.Diagnostic(range, f.message, SEVERITY[f.severity]);
    d.source = 'bulkhead';
    d.code = { value: f.ruleId, target: this.ctx.ruleDocsLink(f.ruleId) };
    return d;
  }

  private errorDiagnostic(e: LintError, range: vscode.Range): vscode.Diagnostic {
    const d = new vscode.Diagnostic(range, `Bulkhead could not lint this file: ${e.message}`, vscode.DiagnosticSeverity.Error);
    d.source = 'bulkhead';
    return d;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
