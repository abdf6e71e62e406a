import * as vscode from 'vscode';
import { fixAll } from '../../engine/fix';
import { kindOfFileName } from '../../engine/files';
import { LineIndex } from '../../engine/text';
import { minimalEdit } from '../linting/codeActions';
import type { DiagnosticsPublisher } from '../linting/diagnostics';
import { lintSettings } from '../linting/settings';
import { readText } from './audit';

export interface WorkspaceFixResult {
  files: number;
  fixes: number;
}

/**
 * Applies the safe fixes of every file with findings through ONE WorkspaceEdit (one undo step in
 * VS Code), saves the files it changed, and remembers the previous texts for `undoLast()`.
 */
export class WorkspaceFixer {
  private lastOriginals: Map<string, string> | undefined;

  constructor(
    private readonly diagnostics: DiagnosticsPublisher,
    private readonly log?: (line: string) => void,
  ) {}

  async fixAllSafe(): Promise<WorkspaceFixResult> {
    const started = Date.now();
    const edit = new vscode.WorkspaceEdit();
    const originals = new Map<string, string>();
    let fixes = 0;
    const candidates = [...this.diagnostics.allFindings()].filter(([, linted]) => linted.findings.some((f) => f.fixes.length)).map(([key]) => key);
    const texts = await readAll(candidates);
    for (const [i, key] of candidates.entries()) {
      const uri = vscode.Uri.parse(key);
      const kind = kindOfFileName(uri.fsPath);
      const text = texts[i];
      if (!kind || text === undefined) continue;
      const result = fixAll(text, { kind, file: uri.fsPath, unsafe: lintSettings(uri).includeUnsafeInFixAll, severities: this.diagnostics.severitiesFor(uri) });
      if (result.text === text) continue;
      const change = minimalEdit(text, result.text);
      const lines = new LineIndex(text);
      const a = lines.position(change.start);
      const b = lines.position(change.end);
      edit.replace(uri, new vscode.Range(a.line, a.character, b.line, b.character), change.newText, {
        label: 'Bulkhead: fix all safe problems',
        needsConfirmation: false,
      });
      originals.set(key, text);
      fixes += result.fixed;
    }
    const computed = Date.now();
    if (!originals.size) return { files: 0, fixes: 0 };
    // A refactoring: VS Code saves the files it touched (files.refactoring.autoSave) in one go.
    if (!(await vscode.workspace.applyEdit(edit, { isRefactoring: true }))) throw new Error('VS Code refused the edit');
    const applied = Date.now();
    await this.saveAll(originals.keys());
    this.lastOriginals = originals;
    this.log?.(`fix all: computed ${originals.size} file(s) in ${computed - started} ms, applied in ${applied - computed} ms, saved in ${Date.now() - applied} ms`);
    return { files: originals.size, fixes };
  }

  get canUndo(): boolean {
    return !!this.lastOriginals;
  }

  /** Restores every file the last fix-all changed, in one edit. */
  async undoLast(): Promise<number> {
    const originals = this.lastOriginals;
    if (!originals) return 0;
    this.lastOriginals = undefined;
    const edit = new vscode.WorkspaceEdit();
    // Ranges past the end are clamped to the document: no need to open each file first.
    const everything = new vscode.Range(0, 0, Number.MAX_SAFE_INTEGER, 0);
    for (const [key, text] of originals) {
      edit.replace(vscode.Uri.parse(key), everything, text, { label: 'Bulkhead: undo fix all', needsConfirmation: false });
    }
    await vscode.workspace.applyEdit(edit, { isRefactoring: true });
    await this.saveAll(originals.keys());
    return originals.size;
  }

  /** Saves what is still dirty (when the user turned refactoring auto-save off), in parallel. */
  private async saveAll(keys: Iterable<string>): Promise<void> {
    const wanted = new Set(keys);
    await Promise.all(vscode.workspace.textDocuments.filter((d) => d.isDirty && wanted.has(d.uri.toString())).map((d) => d.save()));
  }
}

/** Current texts: open documents from their buffers, others from disk, read in parallel batches. */
async function readAll(keys: string[]): Promise<(string | undefined)[]> {
  const decoder = new TextDecoder();
  const out: (string | undefined)[] = [];
  for (let i = 0; i < keys.length; i += 64) {
    out.push(
      ...(await Promise.all(
        keys.slice(i, i + 64).map(async (key) => {
          const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
          if (open) return open.getText();
          return readText(vscode.Uri.parse(key), decoder);
        }),
      )),
    );
  }
  return out;
}
