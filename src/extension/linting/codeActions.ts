import * as vscode from 'vscode';
import type { Finding, Fix, TextEdit } from '../../engine/model';
import { fixAll } from '../../engine/fix';
import { ruleMeta } from '../../engine/registry';
import { ignoreComment } from '../../engine/suppress';
import type { DiagnosticsPublisher } from './diagnostics';
import { kindOfDocument } from './documents';
import { lintSettings } from './settings';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { appendLinesEdit, LineIndex } from '../../engine/text';
import { readTextFile } from '../../workspace/readText';

const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('bulkhead');

/** A "fix all" entry of the quick-fix menu: its edit is computed only when the user picks it. */
class FixAllAction extends vscode.CodeAction {
  constructor(
    title: string,
    readonly doc: vscode.TextDocument,
    readonly version: number,
    readonly unsafe: boolean,
    readonly ruleId?: string,
  ) {
    super(title, vscode.CodeActionKind.QuickFix);
  }
}

/**
 * The quick-fix set vscode-eslint taught users to expect, grouped per rule under the cursor: the
 * rule's fix(es) (preferred first), "Fix all <rule> problems in this file", ignore for this line /
 * file, show documentation; then "Fix all safe problems" once. Fix-all edits are computed in
 * resolveCodeAction, when picked, never while the menu is built. `source.fixAll.bulkhead` answers
 * editor.codeActionsOnSave (safe fixes only, unless the user opts in).
 */
export class BulkheadCodeActions implements vscode.CodeActionProvider<vscode.CodeAction> {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND],
  };

  constructor(private readonly diagnostics: DiagnosticsPublisher) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const kind = kindOfDocument(doc);
    if (!kind) return [];
    const findings = this.diagnostics.findingsFor(doc) ?? this.diagnostics.lintNow(doc) ?? [];
    const settings = lintSettings(doc);

    // codeActionsOnSave asks for source.fixAll(.bulkhead): answer with the one fix-all action, edit included.
    if (context.only && (context.only.contains(FIX_ALL_KIND) || FIX_ALL_KIND.contains(context.only))) {
      const edit = this.fixAllEdit(doc, settings.includeUnsafeInFixAll);
      if (!edit) return [];
      const action = new vscode.CodeAction('Fix all Bulkhead problems', FIX_ALL_KIND);
      action.edit = edit;
      return [action];
    }

    const here = findings.filter((f) => f.range && overlaps(doc, f, range));
    const byRule = new Map<string, Finding[]>();
    for (const finding of here) byRule.set(finding.ruleId, [...(byRule.get(finding.ruleId) ?? []), finding]);
    const fixable = (f: Finding) => f.fixes.some((x) => x.edits.length);
    const actions: vscode.CodeAction[] = [];
    for (const [ruleId, ruleFindings] of byRule) {
      const first = ruleFindings[0];
      const diagnostic = context.diagnostics.find((d) => d.source === 'bulkhead' && codeOf(d) === ruleId && d.range.intersection(range));
      const group: vscode.CodeAction[] = [];
      const titles = new Set<string>();
      const fixes = ruleFindings.flatMap((f) => f.fixes.map((fix) => ({ finding: f, fix })));
      // The preferred fix first; the same fix offered by two findings here is listed once.
      for (const { finding, fix } of [...fixes.filter((x) => x.fix.preferred), ...fixes.filter((x) => !x.fix.preferred)]) {
        if (titles.has(fix.title)) continue;
        titles.add(fix.title);
        group.push(this.fixAction(doc, finding, fix, diagnostic));
      }
      if (findings.filter((f) => f.ruleId === ruleId && fixable(f)).length > 1) {
        group.push(new FixAllAction(`Fix all ${ruleId} problems in this file`, doc, doc.version, true, ruleId));
      }
      group.push(this.ignoreLineAction(doc, first, diagnostic), this.ignoreFileAction(doc, first), this.docsAction(first));
      // VS Code lists actions tied to a diagnostic before the others: tie the whole group, so it stays together.
      if (diagnostic) for (const action of group) action.diagnostics = [diagnostic];
      actions.push(...group);
    }
    if (here.length && findings.some((f) => f.fixes.some((x) => x.edits.length && (x.safe || settings.includeUnsafeInFixAll)))) {
      actions.push(new FixAllAction('Fix all safe Bulkhead problems', doc, doc.version, settings.includeUnsafeInFixAll));
    }
    return actions;
  }

  /** Computes a fix-all edit when it is picked (on the document as it is then; nothing if it changed). */
  resolveCodeAction(action: vscode.CodeAction): vscode.CodeAction {
    if (action instanceof FixAllAction && action.doc.version === action.version) {
      action.edit = this.fixAllEdit(action.doc, action.unsafe, action.ruleId);
    }
    return action;
  }

  private fixAction(doc: vscode.TextDocument, finding: Finding, fix: Fix, diagnostic?: vscode.Diagnostic): vscode.CodeAction {
    const action = new vscode.CodeAction(fix.safe ? fix.title : `${fix.title} (changes behaviour)`, vscode.CodeActionKind.QuickFix);
    action.isPreferred = !!fix.preferred;
    if (diagnostic) action.diagnostics = [diagnostic];
    if (fix.edits.length) action.edit = toWorkspaceEdit(doc, fix.edits);
    if (fix.appendToFile) {
      action.edit = appendToFileEdit(doc, fix.appendToFile);
      // Already listed (not saved yet), or a file that cannot be read: said, not silently empty.
      if (!action.edit) action.disabled = { reason: `${fix.appendToFile.path} already lists these paths or cannot be read` };
    }
    if (fix.snippet) {
      action.command = { title: fix.title, command: 'bulkhead.insertSnippet', arguments: [doc.uri, doc.version, fix.snippet.at, fix.snippet.body] };
    } else {
      // Runs after the edit: lets the walkthrough's "apply a quick fix" step complete.
      action.command = { title: fix.title, command: 'bulkhead.didApplyFix', arguments: [finding.ruleId] };
    }
    return action;
  }

  private fixAllEdit(doc: vscode.TextDocument, unsafe: boolean, ruleId?: string): vscode.WorkspaceEdit | undefined {
    const kind = kindOfDocument(doc);
    if (!kind) return undefined;
    const text = doc.getText();
    const result = fixAll(text, { kind, file: doc.fileName, unsafe, ruleId, severities: this.diagnostics.severitiesFor(doc.uri) });
    return result.text === text ? undefined : toWorkspaceEdit(doc, [minimalEdit(text, result.text)]);
  }

  private ignoreLineAction(doc: vscode.TextDocument, finding: Finding, diagnostic?: vscode.Diagnostic): vscode.CodeAction {
    const line = doc.positionAt(finding.range!.start).line;
    const indent = /^\s*/.exec(doc.lineAt(line).text)![0];
    const action = new vscode.CodeAction(`Ignore ${finding.ruleId} for this line`, vscode.CodeActionKind.QuickFix);
    action.edit = new vscode.WorkspaceEdit();
    action.edit.insert(doc.uri, new vscode.Position(line, 0), `${indent}${ignoreComment(finding.ruleId, 'reason')}${eol(doc)}`);
    if (diagnostic) action.diagnostics = [diagnostic];
    return action;
  }

  private ignoreFileAction(doc: vscode.TextDocument, finding: Finding): vscode.CodeAction {
    // Dockerfile parser directives (# syntax=, # escape=) must stay first, or they become comments.
    let line = 0;
    while (line < doc.lineCount && /^#\s*[a-zA-Z]+\s*=/.test(doc.lineAt(line).text)) line++;
    const action = new vscode.CodeAction(`Ignore ${finding.ruleId} for this file`, vscode.CodeActionKind.QuickFix);
    action.edit = new vscode.WorkspaceEdit();
    action.edit.insert(doc.uri, new vscode.Position(line, 0), `${ignoreComment(finding.ruleId, 'reason', true)}${eol(doc)}`);
    return action;
  }

  private docsAction(finding: Finding): vscode.CodeAction {
    const title = ruleMeta(finding.ruleId)?.title ?? finding.ruleId;
    const action = new vscode.CodeAction(`Show documentation for ${finding.ruleId} (${title})`, vscode.CodeActionKind.QuickFix);
    action.command = { title: action.title, command: 'bulkhead.showRuleDocs', arguments: [finding.ruleId] };
    return action;
  }
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  return typeof c === 'object' && c ? String(c.value) : c === undefined ? undefined : String(c);
}

function overlaps(doc: vscode.TextDocument, f: Finding, range: vscode.Range): boolean {
  const r = new vscode.Range(doc.positionAt(f.range!.start), doc.positionAt(f.range!.end));
  return !!r.intersection(range);
}

function eol(doc: vscode.TextDocument): string {
  return doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
}

/**
 * Appends lines to a file next to the document (a `.dockerignore`), as it is now: open in an editor
 * (unsaved text counts) or on disk; created when missing. Lines already there are not added again.
 */
function appendToFileEdit(doc: vscode.TextDocument, target: { path: string; lines: string[] }): vscode.WorkspaceEdit | undefined {
  const uri = vscode.Uri.file(resolve(dirname(doc.uri.fsPath), target.path));
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const read = open ? undefined : readTextFile(uri.fsPath);
  // A file that exists but cannot be read (permissions, too large) is left alone.
  if (!open && !read?.file && existsSync(uri.fsPath)) return undefined;
  const text = open ? open.getText() : read?.file?.text;
  const edit = appendLinesEdit(text, target.lines);
  if (!edit) return undefined;
  const we = new vscode.WorkspaceEdit();
  if (text === undefined) we.createFile(uri, { ignoreIfExists: true });
  const at = new LineIndex(text ?? '').position(edit.start);
  we.insert(uri, new vscode.Position(at.line, at.character), edit.newText);
  return we;
}

export function toWorkspaceEdit(doc: vscode.TextDocument, edits: readonly TextEdit[]): vscode.WorkspaceEdit {
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
  return we;
}

/** One edit covering only what changed between two texts (keeps cursor and folding elsewhere). */
export function minimalEdit(before: string, after: string): TextEdit {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  return { start, end: endBefore, newText: after.slice(start, endAfter) };
}
