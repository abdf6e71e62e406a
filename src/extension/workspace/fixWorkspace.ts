import * as vscode from 'vscode';
import { fixAll } from '../../engine/fix';
import { kindOfFileName } from '../../engine/files';
import { LineIndex } from '../../engine/text';
import { minimalEdit } from '../linting/codeActions';
import type { DiagnosticsPublisher } from '../linting/diagnostics';
import { lintSettings } from '../linting/settings';
import { readProjectFile } from '../../workspace/projectFiles';
import { readTextFile } from '../../workspace/readText';
import { writeFileAtomic } from '../../workspace/atomicWrite';
import { findWorkspaceFiles, readText } from './audit';

export interface WorkspaceFixResult {
  files: number;
  fixes: number;
  /** Files changed on disk since the fixes were computed: left as they are. */
  skipped?: string[];
  /** The user discarded the preview (or the confirmation). */
  cancelled?: boolean;
}

/** What fix-all would do: the edits, and per file its text before and after. */
export interface WorkspaceFixPlan {
  edit: vscode.WorkspaceEdit;
  changes: Map<string, { before: string; after: string; fixed: number }>;
  fixes: number;
  millis: number;
}

export interface UndoResult {
  restored: number;
  /** Files changed again since the fix: left as they are. */
  skipped: string[];
}

const LABEL = 'Bulkhead: fix all safe problems';

/**
 * Plans the safe fixes of every workspace file, applies them (open documents through one
 * WorkspaceEdit, other files on disk), and remembers the texts before and after for `undoLast()`.
 */
export class WorkspaceFixer {
  private last: Map<string, { before: string; after: string }> | undefined;

  constructor(
    private readonly diagnostics: DiagnosticsPublisher,
    private readonly log?: (line: string) => void,
  ) {}

  /**
   * Every file the workspace audit would read (found on disk, so a fresh window needs no audit
   * first) plus every file with findings (open, untitled-on-disk, outside a folder).
   */
  async plan(): Promise<WorkspaceFixPlan> {
    const started = Date.now();
    const edit = new vscode.WorkspaceEdit();
    const changes = new Map<string, { before: string; after: string; fixed: number }>();
    let fixes = 0;
    const keys = new Set((await findWorkspaceFiles(this.diagnostics)).map((u) => u.toString()));
    for (const [key, linted] of this.diagnostics.allFindings()) if (linted.findings.some((f) => f.fixes.length)) keys.add(key);
    const candidates = [...keys];
    const texts = await readAll(candidates);
    for (const [i, key] of candidates.entries()) {
      const uri = vscode.Uri.parse(key);
      const kind = kindOfFileName(uri.fsPath);
      const text = texts[i];
      if (!kind || text === undefined) continue;
      const result = fixAll(text, { kind, file: uri.fsPath, unsafe: lintSettings(uri).includeUnsafeInFixAll, severities: this.diagnostics.severitiesFor(uri), readProjectFile });
      if (result.text === text) continue;
      const change = minimalEdit(text, result.text);
      const lines = new LineIndex(text);
      const a = lines.position(change.start);
      const b = lines.position(change.end);
      edit.replace(uri, new vscode.Range(a.line, a.character, b.line, b.character), change.newText, { label: LABEL, needsConfirmation: false });
      changes.set(key, { before: text, after: result.text, fixed: result.fixed });
      fixes += result.fixed;
    }
    return { edit, changes, fixes, millis: Date.now() - started };
  }

  /**
   * Open documents change through one WorkspaceEdit (their undo stack, their save); files nobody
   * has open are written straight to disk, atomically: a WorkspaceEdit opens a model per file,
   * which took 20 s for 2,000 files. Either way a file goes ahead only if it still holds the text
   * the plan was computed from (the user may have edited it while reviewing the preview).
   * "Undo Last Workspace Fix" restores both kinds.
   */
  async apply(plan: WorkspaceFixPlan): Promise<WorkspaceFixResult> {
    if (!plan.changes.size) return { files: 0, fixes: 0 };
    const started = Date.now();
    const applied = new Map<string, { before: string; after: string }>();
    const skipped: string[] = [];
    const edit = new vscode.WorkspaceEdit();
    const onDisk: [string, { before: string; after: string; fixed: number }][] = [];
    for (const [uri, edits] of plan.edit.entries()) {
      const key = uri.toString();
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      if (open && open.getText() !== plan.changes.get(key)!.before) skipped.push(vscode.workspace.asRelativePath(uri));
      else if (uri.scheme === 'file' && !open) onDisk.push([key, plan.changes.get(key)!]);
      else for (const e of edits) edit.replace(uri, e.range, e.newText, { label: LABEL, needsConfirmation: false });
    }
    // A refactoring: VS Code saves the files it touched (files.refactoring.autoSave) in one go.
    if (edit.size) {
      if (!(await vscode.workspace.applyEdit(edit, { isRefactoring: true }))) throw new Error('VS Code refused the edit');
      await saveAll(edit.entries().map(([uri]) => uri.toString()));
      const keys = edit.entries().map(([uri]) => uri.toString());
      // What is on disk now (save participants such as source.fixAll on save may add to it).
      const after = await readAll(keys);
      keys.forEach((key, i) => applied.set(key, { before: plan.changes.get(key)!.before, after: after[i] ?? plan.changes.get(key)!.after }));
    }
    for (const [key, change] of onDisk) {
      const uri = vscode.Uri.parse(key);
      if (replaceIfUnchanged(uri.fsPath, change.before, change.after)) applied.set(key, change);
      else skipped.push(vscode.workspace.asRelativePath(uri));
    }
    this.last = applied;
    this.log?.(`fix all: computed ${plan.changes.size} file(s) in ${plan.millis} ms, applied in ${Date.now() - started} ms (${onDisk.length} written directly, ${skipped.length} skipped: changed since)`);
    const fixes = [...applied.keys()].reduce((sum, key) => sum + plan.changes.get(key)!.fixed, 0);
    return { files: applied.size, fixes, ...(skipped.length ? { skipped } : {}) };
  }

  async fixAllSafe(): Promise<WorkspaceFixResult> {
    return this.apply(await this.plan());
  }

  get canUndo(): boolean {
    return !!this.last;
  }

  /**
   * Restores every file the last fix-all changed. Files are written straight to disk (atomically,
   * and only if they still hold what the fix left): saving through the editor would run
   * `source.fixAll.bulkhead` on save again and silently re-apply the fixes being undone.
   * Open documents that are not dirty follow the disk; edited ones are left alone and reported.
   */
  async undoLast(): Promise<UndoResult> {
    const last = this.last;
    if (!last) return { restored: 0, skipped: [] };
    this.last = undefined;
    const skipped: string[] = [];
    const viaEditor = new vscode.WorkspaceEdit();
    let restored = 0;
    for (const [key, { before, after }] of last) {
      const uri = vscode.Uri.parse(key);
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      if (open?.isDirty || uri.scheme !== 'file') {
        if (open && open.getText() === after && uri.scheme !== 'file') {
          viaEditor.replace(uri, new vscode.Range(0, 0, open.lineCount, 0), before, { label: 'Bulkhead: undo fix all', needsConfirmation: false });
          restored++;
        } else skipped.push(vscode.workspace.asRelativePath(uri));
        continue;
      }
      if (replaceIfUnchanged(uri.fsPath, after, before)) restored++;
      else skipped.push(vscode.workspace.asRelativePath(uri));
    }
    if (viaEditor.size) await vscode.workspace.applyEdit(viaEditor);
    return { restored, skipped };
  }
}

/**
 * Writes `text` over a file on disk (atomically) only if it still holds `expected`; false when it
 * changed, cannot be read, or changed again between the check and the rename.
 */
function replaceIfUnchanged(path: string, expected: string, text: string): boolean {
  const read = readTextFile(path);
  if (!read.file || read.file.text !== expected) return false;
  try {
    writeFileAtomic(path, text, read.file.snapshot);
    return true;
  } catch {
    return false;
  }
}

/** Saves what is still dirty (when the user turned refactoring auto-save off), in parallel. */
async function saveAll(keys: Iterable<string>): Promise<void> {
  const wanted = new Set(keys);
  await Promise.all(vscode.workspace.textDocuments.filter((d) => d.isDirty && wanted.has(d.uri.toString())).map((d) => d.save()));
}

/** Current texts (undefined: unreadable or not UTF-8): open documents from their buffers, others from disk, read in parallel batches. */
async function readAll(keys: string[]): Promise<(string | undefined)[]> {
  // A file that is not UTF-8 is skipped: the editor would save it back with U+FFFD in place of its bytes.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const out: (string | undefined)[] = [];
  for (let i = 0; i < keys.length; i += 64) {
    const batch = await Promise.all(
      keys.slice(i, i + 64).map(async (key) => {
        const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
        if (open) return open.getText();
        return readText(vscode.Uri.parse(key), decoder).catch(() => undefined);
      }),
    );
    for (const text of batch) out.push(text);
  }
  return out;
}
