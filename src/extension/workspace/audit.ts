import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { Finding, Severity } from '../../engine/model';
import { GitignoreFilter } from '../../workspace/gitignore';
import type { DiagnosticsPublisher } from '../linting/diagnostics';

/** Every name the CLI walks for, as one glob. */
export const WORKSPACE_FILES_GLOB =
  '**/{Dockerfile,Dockerfile.*,*.Dockerfile,*.dockerfile,Containerfile,Containerfile.*,compose*.yml,compose*.yaml,docker-compose*.yml,docker-compose*.yaml}';

const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/.git/**'];
const BATCH = 100;

export interface AuditSummary {
  files: number;
  filesWithFindings: number;
  bySeverity: Record<Severity, number>;
  cancelled: boolean;
  millis: number;
}

/** files.exclude (on by default in findFiles, but lost once we pass our own) + bulkhead.exclude. */
function excludeGlob(): string {
  const filesExclude = vscode.workspace.getConfiguration('files').get<Record<string, boolean>>('exclude', {});
  const globs = [
    ...ALWAYS_EXCLUDED,
    ...Object.entries(filesExclude).filter(([, on]) => on === true).map(([g]) => g),
    ...vscode.workspace.getConfiguration('bulkhead').get<string[]>('exclude', []).map((g) => (g.includes('/') ? g : `**/${g}/**`)),
  ];
  return `{${globs.join(',')}}`;
}

/** The Dockerfiles and compose files of all workspace folders, minus what is ignored or excluded. */
export async function findWorkspaceFiles(diagnostics: DiagnosticsPublisher, token?: vscode.CancellationToken): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(WORKSPACE_FILES_GLOB, excludeGlob(), undefined, token);
  const filters = new Map<string, GitignoreFilter>();
  return found
    .filter((uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (!folder || uri.scheme !== 'file') return true;
      let git = filters.get(folder.uri.fsPath);
      if (!git) filters.set(folder.uri.fsPath, (git = new GitignoreFilter(folder.uri.fsPath)));
      return !git.isIgnored(uri.fsPath) && !diagnostics.isExcluded(uri);
    })
    .sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/**
 * Lints every workspace file into the Problems panel, in batches that yield to the editor, with
 * progress and cancel. Open documents are linted from their buffers, others from disk.
 */
export async function auditWorkspace(
  diagnostics: DiagnosticsPublisher,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  token: vscode.CancellationToken,
): Promise<AuditSummary> {
  const started = Date.now();
  const summary: AuditSummary = { files: 0, filesWithFindings: 0, bySeverity: { error: 0, warning: 0, info: 0 }, cancelled: false, millis: 0 };
  progress.report({ message: 'finding Dockerfiles and compose files…' });
  const files = await findWorkspaceFiles(diagnostics, token);
  const decoder = new TextDecoder();
  for (let i = 0; i < files.length; i += BATCH) {
    if (token.isCancellationRequested) {
      summary.cancelled = true;
      break;
    }
    const batch = files.slice(i, i + BATCH);
    const texts = await Promise.all(batch.map((uri) => readText(uri, decoder)));
    batch.forEach((uri, j) => {
      const text = texts[j];
      if (text === undefined) return;
      count(summary, diagnostics.lintFromDisk(uri, text) ?? []);
    });
    progress.report({ message: `${Math.min(i + BATCH, files.length)} of ${files.length} files`, increment: (batch.length / files.length) * 100 });
    // Let the editor breathe between batches.
    await new Promise((r) => setImmediate(r));
  }
  summary.millis = Date.now() - started;
  return summary;
}

/** Local files straight from disk (the extension host is Node); others through VS Code's fs. */
export function readText(uri: vscode.Uri, decoder = new TextDecoder()): Promise<string | undefined> {
  const read = uri.scheme === 'file' ? readFile(uri.fsPath) : vscode.workspace.fs.readFile(uri);
  return Promise.resolve(read).then((b) => decoder.decode(b), () => undefined);
}

function count(summary: AuditSummary, findings: Finding[]): void {
  summary.files++;
  if (findings.length) summary.filesWithFindings++;
  for (const f of findings) summary.bySeverity[f.severity]++;
}

export function describeSummary(s: AuditSummary): string {
  const total = s.bySeverity.error + s.bySeverity.warning + s.bySeverity.info;
  const prefix = s.cancelled ? 'Bulkhead audit cancelled after' : 'Bulkhead audited';
  if (!total) return `${prefix} ${s.files} file(s): no hardening problems found.`;
  return `${prefix} ${s.files} file(s): ${total} problem(s) in ${s.filesWithFindings} file(s) — ${s.bySeverity.error} error(s), ${s.bySeverity.warning} warning(s), ${s.bySeverity.info} info.`;
}
