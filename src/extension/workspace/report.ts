import * as vscode from 'vscode';
import { ruleMeta } from '../../engine/registry';
import type { DiagnosticsPublisher } from '../linting/diagnostics';
import type { AuditSummary } from './audit';
import { describeSummary } from './audit';

/** A Markdown report of every finding Bulkhead currently shows, grouped by file. */
export function renderWorkspaceReport(diagnostics: DiagnosticsPublisher, summary?: AuditSummary): string {
  const out = ['# Bulkhead workspace report', ''];
  if (summary) out.push(describeSummary(summary), '');
  const entries = [...diagnostics.allFindings()].filter(([, l]) => l.findings.length).sort(([a], [b]) => a.localeCompare(b));
  for (const [key, linted] of entries) {
    const uri = vscode.Uri.parse(key);
    out.push(`## ${mdEscape(vscode.workspace.asRelativePath(uri))}`, '');
    const lines = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'bulkhead');
    for (const d of lines) {
      const id = typeof d.code === 'object' ? String(d.code.value) : '';
      const title = ruleMeta(id)?.title ?? '';
      out.push(`- line ${d.range.start.line + 1}: **${mdEscape(id)}** ${mdEscape(d.message)}${title ? ` — ${mdEscape(title)}` : ''}`);
    }
    if (!lines.length) out.push(`- ${linted.findings.length} finding(s)`);
    out.push('');
  }
  return out.join('\n');
}

function mdEscape(text: string): string {
  return text.replace(/([\\`*_{}[\]<>#|])/g, '\\$1');
}
