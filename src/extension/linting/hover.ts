import * as vscode from 'vscode';
import { ruleMeta } from '../../engine/registry';
import type { DiagnosticsPublisher } from './diagnostics';
import type { BulkheadContext } from '../context';
import { REFERENCE_KINDS } from '../../engine/model';

const REF_LABEL = { cis: 'CIS', hadolint: 'hadolint', trivy: 'Trivy', checkov: 'Checkov', kics: 'KICS', dockle: 'dockle' } as const;

/** On a finding: why it matters, what to do, and the ids other tools know it by. */
export class FindingHover implements vscode.HoverProvider {
  constructor(private readonly ctx: BulkheadContext, private readonly diagnostics: DiagnosticsPublisher) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const offset = doc.offsetAt(pos);
    const here = (this.diagnostics.findingsFor(doc) ?? []).filter((f) => f.range && f.range.start <= offset && offset <= f.range.end);
    if (!here.length) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['bulkhead.showRuleDocs'] };
    for (const f of here) {
      const meta = ruleMeta(f.ruleId);
      if (!meta) continue;
      const refs = REFERENCE_KINDS.filter((k) => meta.refs[k]?.length).map((k) => `${REF_LABEL[k]} ${meta.refs[k]!.join(', ')}`);
      md.appendMarkdown(`**$(shield) ${escape(meta.title)}** \`${meta.id}\`\n\n`);
      md.appendMarkdown(`${escape(meta.rationale)}\n\n**Fix:** ${meta.remediation}\n\n`);
      if (refs.length) md.appendMarkdown(`*${escape(refs.join(' · '))}*\n\n`);
      md.appendMarkdown(`[Documentation](command:bulkhead.showRuleDocs?${encodeURIComponent(JSON.stringify([meta.id]))})\n\n---\n\n`);
    }
    return new vscode.Hover(md);
  }
}

/** Rule text is ours, but keep Markdown from reinterpreting it (e.g. `*` in globs). */
function escape(text: string): string {
  return text.replace(/([\\`*_{}[\]<>])/g, '\\$1');
}
