import * as vscode from 'vscode';
import type { WorkspaceFixPlan } from './fixWorkspace';

const SCHEME = 'bulkhead-fix-preview';
const PENDING_CONTEXT = 'bulkhead.fixPreviewPending';
/** VS Code adds the file count to the tab: "Bulkhead: safe fixes (1501 files)". */
const PREVIEW_TITLE = 'Bulkhead: safe fixes';

export type PreviewDecision = 'apply' | 'discard';

/**
 * "Preview" of Fix All Safe Problems: every planned change in one multi-file diff editor (the
 * file as it is on the left, the fixed text on the right), and nothing written until the user
 * applies. VS Code's refactor preview was not used: it starts every change needing
 * confirmation unticked, so "Apply" on 2,000 files applied nothing.
 */
export class FixPreview implements vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private decide: ((d: PreviewDecision) => void) | undefined;
  private provider: vscode.Disposable | undefined;

  /** Shows the plan and resolves when the user applies or discards it (a new preview discards the old). */
  async review(plan: WorkspaceFixPlan): Promise<PreviewDecision> {
    this.resolve('discard');
    this.provider ??= vscode.workspace.registerTextDocumentContentProvider(SCHEME, { provideTextDocumentContent: (uri) => this.texts.get(uri.toString()) ?? '' });
    this.texts.clear();
    const entries: [vscode.Uri, vscode.Uri, vscode.Uri][] = [];
    for (const [key, change] of plan.changes) {
      const file = vscode.Uri.parse(key);
      const fixed = vscode.Uri.from({ scheme: SCHEME, path: file.path, query: file.scheme === 'file' ? '' : key });
      this.texts.set(fixed.toString(), change.after);
      entries.push([file, file, fixed]);
    }
    const decision = new Promise<PreviewDecision>((resolve) => (this.decide = resolve));
    await vscode.commands.executeCommand('setContext', PENDING_CONTEXT, true);
    await vscode.commands.executeCommand('vscode.changes', PREVIEW_TITLE, entries);
    void vscode.window.showInformationMessage(`Bulkhead: review ${plan.fixes} safe fix(es) in ${plan.changes.size} file(s), then apply them.`, 'Apply', 'Discard').then((choice) => {
      // A notification closed without a choice leaves the decision to the commands.
      if (choice) this.resolve(choice === 'Apply' ? 'apply' : 'discard');
    });
    const result = await decision;
    await vscode.commands.executeCommand('setContext', PENDING_CONTEXT, false);
    await closePreviewTabs(PREVIEW_TITLE);
    this.texts.clear();
    return result;
  }

  /** The commands behind Apply / Discard (also in the palette while a preview is open). */
  resolve(decision: PreviewDecision): boolean {
    const decide = this.decide;
    this.decide = undefined;
    decide?.(decision);
    return !!decide;
  }

  dispose(): void {
    this.resolve('discard');
    this.provider?.dispose();
  }
}

async function closePreviewTabs(title: string): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === title || t.label.startsWith(`${title} (`));
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}
