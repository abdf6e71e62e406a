import * as vscode from 'vscode';
import type { Finding, Fix, TextEdit } from '../../engine/model';
import { fixAll } from '../../engine/fix';
import { ruleMeta } from '../../engine/registry';
import { ignoreComment } from '../../engine/suppress';
import type { DiagnosticsPublisher } from './diagnostics';
import { kindOfDocument } from './documents';
import { lintSettings } from './settings';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('bulkhead');

/**
 * The quick-fix set vscode-eslint taught users to expect: the rule's fix (preferred), fix all of
 * that rule in the file, fix all safe problems, ignore for this line / file, show documentation;
 * and `source.fixAll.bulkhead` for editor.codeActionsOnSave (safe fixes only, unless the user opts in).
 */
export class BulkheadCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND],
  };

  constructor(private readonly diagnostics: DiagnosticsPublisher) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const kind = kindOfDocument(doc);
    if (!kind) return [];
    const findings = this.diagnostics.findingsFor(doc) ?? this.diagnostics.lintNow(doc) ?? [];
    const settings = lintSettings(doc);

    // codeActionsOnSave asks for source.fixAll(.bulkhead): answer with the one fix-all action.
    if (context.only && (context.only.contains(FIX_ALL_KIND) || FIX_ALL_KIND.contains(context.only))) {
      const action = this.fixAllAction(doc, 'Fix all Bulkhead problems', FIX_ALL_KIND, settings.includeUnsafeInFixAll);
      return action ? [action] : [];
    }

    const actions: vscode.CodeAction[] = [];
    const here = findings.filter((f) => f.range && overlaps(doc, f, range));
    const seenRules = new Set<string>();
    for (const finding of here) {
      const diagnostic = context.diagnostics.find((d) => d.source === 'bulkhead' && codeOf(d) === finding.ruleId && d.range.intersection(range));
      for (const fix of finding.fixes) actions.push(this.fixAction(doc, finding, fix, diagnostic));
      if (seenRules.has(finding.ruleId)) continue;
      seenRules.add(finding.ruleId);
      const sameRule = findings.filter((f) => f.ruleId === finding.ruleId && f.fixes.some((x) => x.edits.length));
      if (sameRule.length > 1) {
        const all = this.fixAllAction(doc, `Fix all ${finding.ruleId} problems in this file`, vscode.CodeActionKind.QuickFix, true, finding.ruleId);
        if (all) actions.push(all);
      }
      actions.push(this.ignoreLineAction(doc, finding, diagnostic), this.ignoreFileAction(doc, finding), this.docsAction(finding));
    }
    if (here.length) {
      const safe = this.fixAllAction(doc, 'Fix all safe Bulkhead problems', vscode.CodeActionKind.QuickFix, settings.includeUnsafeInFixAll);
      if (safe) actions.push(safe);
    }
    return actions;
  }

  private fixAction(doc: vscode.TextDocument, finding: Finding, fix: Fix, diagnostic?: vscode.Diagnostic): vscode.CodeAction {
    const action = new vscode.CodeAction(fix.safe ? fix.title : `${fix.title} (changes behaviour)`, vscode.CodeActionKind.QuickFix);
    action.isPreferred = !!fix.preferred;
    if (diagnostic) action.diagnostics = [diagnostic];
    if (fix.edits.length) action.edit = toWorkspaceEdit(doc, fix.edits);
    if (fix.snippet) {
      action.command = { title: fix.title, command: 'bulkhead.insertSnippet', arguments: [doc.uri, doc.version, fix.snippet.at, fix.snippet.body] };
    } else {
      // Runs after the edit: lets the walkthrough's "apply a quick fix" step complete.
      action.command = { title: fix.title, command: 'bulkhead.didApplyFix', arguments: [finding.ruleId] };
    }
    return action;
  }

  private fixAllAction(doc: vscode.TextDocument, title: string, kind: vscode.CodeActionKind, unsafe: boolean, ruleId?: string): vscode.CodeAction | undefined {
    const kindOfDoc = kindOfDocument(doc);
    if (!kindOfDoc) return undefined;
    const text = doc.getText();
    const result = fixAll(text, { kind: kindOfDoc, file: doc.fileName, unsafe, ruleId, severities: this.diagnostics.severitiesFor(doc.uri) });
    if (result.text === text) return undefined;
    const action = new vscode.CodeAction(title, kind);
    action.edit = toWorkspaceEdit(doc, [minimalEdit(text, result.text)]);
    return action;
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
