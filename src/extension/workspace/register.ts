import * as vscode from 'vscode';
import type { BulkheadContext } from '../context';
import { auditWorkspace, describeSummary, WORKSPACE_FILES_GLOB, type AuditSummary } from './audit';
import { WorkspaceFixer } from './fixWorkspace';
import { FixPreview } from './fixPreview';
import { renderWorkspaceReport } from './report';
import { CONFIG_FILE_NAME } from '../../engine/config';
import { isCompanionFile } from '../linting/diagnostics';

/**
 * Audit Workspace Files: every Dockerfile and compose file into the Problems panel, a summary
 * with "Fix All Safe Problems" and "Show Report", and a watcher that keeps results current.
 */
export function registerWorkspaceAudit(ctx: BulkheadContext): void {
  const diagnostics = ctx.diagnostics;
  if (!diagnostics) throw new Error('the linting feature must be registered first');
  const fixer = new WorkspaceFixer(diagnostics, (line) => ctx.log.info(line));
  const preview = new FixPreview();
  let audited = false;
  let lastSummary: AuditSummary | undefined;
  const decoder = new TextDecoder();

  const relintFromDisk = async (uri: vscode.Uri) => {
    if (diagnostics.isExcluded(uri)) return diagnostics.drop(uri);
    try {
      diagnostics.lintFromDisk(uri, decoder.decode(await vscode.workspace.fs.readFile(uri)));
    } catch {
      diagnostics.drop(uri);
    }
  };

  // Created up front so it is settled by the time an audit ends; it acts only after one.
  const watcher = vscode.workspace.createFileSystemWatcher(WORKSPACE_FILES_GLOB);
  const isOpen = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
  watcher.onDidCreate((uri) => audited && !isOpen(uri) && relintFromDisk(uri));
  watcher.onDidChange((uri) => audited && !isOpen(uri) && relintFromDisk(uri));
  watcher.onDidDelete((uri) => audited && diagnostics.drop(uri));

  const runAudit = async (): Promise<AuditSummary | undefined> => {
    if (!vscode.workspace.workspaceFolders?.length) {
      void vscode.window.showInformationMessage('Open a folder to audit its Dockerfiles and compose files.');
      return undefined;
    }
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Bulkhead: auditing workspace files', cancellable: true },
      (progress, token) => auditWorkspace(diagnostics, progress, token),
    );
    lastSummary = summary;
    audited = true;
    ctx.log.info(`${describeSummary(summary)} (${summary.millis} ms)`);
    void offerNextSteps(summary);
    return summary;
  };

  const offerNextSteps = async (summary: AuditSummary) => {
    const total = summary.bySeverity.error + summary.bySeverity.warning + summary.bySeverity.info;
    const actions = total ? ['Fix All Safe Problems', 'Show Report'] : [];
    const show = summary.bySeverity.error ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const choice = await show(describeSummary(summary), ...actions);
    if (choice === 'Fix All Safe Problems') await vscode.commands.executeCommand('bulkhead.fixWorkspace');
    else if (choice === 'Show Report') await vscode.commands.executeCommand('bulkhead.showWorkspaceReport');
  };

  /**
   * Asks before changing many files: "Apply", or "Preview" (every change in one multi-file diff,
   * applied or discarded from there). Callers that already asked pass `{ confirm: false }`.
   */
  const fixWorkspace = async (options?: { confirm?: boolean; preview?: boolean }) => {
    const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Bulkhead: computing safe fixes' }, () => fixer.plan());
    if (!plan.changes.size) {
      void vscode.window.showInformationMessage('Bulkhead: nothing to fix safely.');
      return { files: 0, fixes: 0 };
    }
    let wantsPreview = options?.preview ?? false;
    if (options?.confirm !== false && options?.preview === undefined) {
      const choice = await vscode.window.showInformationMessage(
        `Bulkhead: apply ${plan.fixes} safe fix(es) in ${plan.changes.size} file(s)?`,
        { modal: true, detail: 'Safe fixes keep build and runtime behaviour. Preview shows every change first.' },
        'Apply',
        'Preview',
      );
      if (!choice) return { files: 0, fixes: 0, cancelled: true };
      wantsPreview = choice === 'Preview';
    }
    if (wantsPreview && (await preview.review(plan)) === 'discard') return { files: 0, fixes: 0, cancelled: true };
    const result = await fixer.apply(plan);
    if (!result.files) return result;
    const skippedNote = result.skipped?.length ? ` ${result.skipped.length} file(s) changed since the fixes were computed and were left as they are: ${result.skipped.slice(0, 3).join(', ')}${result.skipped.length > 3 ? ', …' : ''}` : '';
    void vscode.window.showInformationMessage(`Bulkhead fixed ${result.fixes} problem(s) in ${result.files} file(s).${skippedNote}`, 'Undo').then((c) => {
      if (c === 'Undo') void vscode.commands.executeCommand('bulkhead.undoWorkspaceFix');
    });
    return result;
  };

  const undoWorkspaceFix = async () => {
    if (!fixer.canUndo) {
      void vscode.window.showInformationMessage('Bulkhead: no workspace fix to undo.');
      return { restored: 0, skipped: [] };
    }
    const result = await fixer.undoLast();
    if (result.skipped.length) {
      void vscode.window.showWarningMessage(
        `Bulkhead restored ${result.restored} file(s); ${result.skipped.length} changed since the fix and were left as they are: ${result.skipped.slice(0, 5).join(', ')}${result.skipped.length > 5 ? ', …' : ''}`,
      );
    }
    return result;
  };

  // .bulkhead.yaml changes apply at once, everywhere.
  const configWatcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE_NAME}`);
  const configChanged = () => {
    ctx.teamConfig.clear();
    diagnostics.lintAllOpen();
    for (const key of diagnostics.allFindings().keys()) {
      const uri = vscode.Uri.parse(key);
      if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) void relintFromDisk(uri);
    }
  };
  configWatcher.onDidChange(configChanged);
  configWatcher.onDidCreate(configChanged);
  configWatcher.onDidDelete(configChanged);

  // A project's .env sets the values compose substitutes, a .dockerignore what `COPY .` brings in:
  // the files of their folder are judged again.
  const companionWatcher = vscode.workspace.createFileSystemWatcher('**/{.env,*.dockerignore,.dockerignore}');
  const companionChanged = (uri: vscode.Uri) => {
    if (!isCompanionFile(uri.fsPath)) return;
    for (const closed of diagnostics.companionChanged(uri)) void relintFromDisk(closed);
  };
  companionWatcher.onDidChange(companionChanged);
  companionWatcher.onDidCreate(companionChanged);
  companionWatcher.onDidDelete(companionChanged);

  ctx.subscribe(
    watcher,
    configWatcher,
    companionWatcher,
    vscode.commands.registerCommand('bulkhead.auditWorkspace', runAudit),
    vscode.commands.registerCommand('bulkhead.fixWorkspace', fixWorkspace),
    vscode.commands.registerCommand('bulkhead.undoWorkspaceFix', undoWorkspaceFix),
    vscode.commands.registerCommand('bulkhead.applyFixPreview', () => preview.resolve('apply')),
    vscode.commands.registerCommand('bulkhead.discardFixPreview', () => preview.resolve('discard')),
    preview,
    vscode.commands.registerCommand('bulkhead.showWorkspaceReport', async () => {
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: renderWorkspaceReport(diagnostics, lastSummary) });
      await vscode.window.showTextDocument(doc);
    }),
  );
}
