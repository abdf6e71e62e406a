// Report formats shared by the CLI and the webview's Export: text, JSON, SARIF, HTML, Markdown.
import { SECTION_TITLES } from './index';
import type { AuditCheckResult, AuditReport, AuditStatus } from './model';

export type AuditFormat = 'text' | 'json' | 'sarif' | 'html' | 'markdown';

const MARK: Record<AuditStatus, string> = { pass: 'PASS', warn: 'WARN', info: 'INFO', note: 'NOTE', skip: 'SKIP' };

export function summaryLine(r: AuditReport): string {
  const c = r.summary.counts;
  return `score ${r.summary.score}% · ${c.warn} warn · ${c.pass} pass · ${c.info} info · ${c.note} note · ${c.skip} skip · ${r.summary.total} checks · ${r.summary.apiCalls} Engine API calls${r.summary.durationMs !== undefined ? ` · ${r.summary.durationMs} ms` : ''}`;
}

export function toText(r: AuditReport): string {
  const out: string[] = [`CIS Docker Benchmark v1.6.0 audit of ${r.summary.engine} (${r.summary.flavor}${r.summary.local ? ', local' : ', remote'})`];
  for (const n of r.summary.notes) out.push(`note: ${n}`);
  let section = '';
  for (const c of r.checks) {
    if (c.section !== section) {
      section = c.section;
      out.push('', `[${section}] ${SECTION_TITLES[section] ?? ''}`);
    }
    out.push(`[${MARK[c.status]}] ${c.id} ${c.title}${c.scored ? '' : ' (manual)'}`);
    for (const e of c.evidence) out.push(`       ${e}`);
  }
  out.push('', summaryLine(r), '');
  return out.join('\n');
}

/** The documented JSON shape: {"checks":[{id,title,section,level,scored,status,evidence,remediation,refs}],"summary":{…}}. */
export function toJson(r: AuditReport): string {
  return JSON.stringify({ checks: r.checks.map((c) => ({ ...c, remediation: `${c.remediation} Impact: ${c.impact}` })), summary: r.summary }, null, 2) + '\n';
}

const SARIF_LEVEL: Record<AuditStatus, string> = { warn: 'warning', pass: 'none', info: 'note', note: 'note', skip: 'none' };

export function toSarif(r: AuditReport, toolVersion: string): object {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'bulkhead-audit',
            version: toolVersion,
            informationUri: 'https://github.com/bulkhead/bulkhead',
            rules: r.checks.map((c) => ({
              id: `CIS-${c.id}`,
              shortDescription: { text: c.title },
              help: { text: `${c.remediation} Impact: ${c.impact}` },
              properties: { tags: ['security', 'docker', 'cis', `level-${c.level}`, c.scored ? 'scored' : 'manual'] },
            })),
          },
        },
        results: r.checks.map((c, i) => ({
          ruleId: `CIS-${c.id}`,
          ruleIndex: i,
          kind: c.status === 'pass' ? 'pass' : c.status === 'warn' ? 'fail' : c.status === 'skip' ? 'notApplicable' : 'review',
          level: SARIF_LEVEL[c.status],
          message: { text: `${c.title}: ${c.evidence.join('; ')}` },
          locations: [{ logicalLocations: [{ name: r.summary.engine, kind: 'resource' }] }],
        })),
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: r.summary.notes.map((n) => ({ level: 'note', message: { text: n } })) }],
      },
    ],
  };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

/** A self-contained HTML page (no scripts): every string from Docker is escaped. */
export function toHtml(r: AuditReport): string {
  const rows = (cs: AuditCheckResult[]) =>
    cs
      .map(
        (c) =>
          `<tr class="${c.status}"><td>${escapeHtml(c.id)}</td><td>${MARK[c.status]}</td><td>${escapeHtml(c.title)}${c.scored ? '' : ' <em>(manual)</em>'}<ul>${c.evidence
            .map((e) => `<li>${escapeHtml(e)}</li>`)
            .join('')}</ul><p>${escapeHtml(c.remediation)} <em>Impact: ${escapeHtml(c.impact)}</em></p></td></tr>`,
      )
      .join('\n');
  const sections = [...new Set(r.checks.map((c) => c.section))]
    .map((s) => `<h2>${escapeHtml(s)}. ${escapeHtml(SECTION_TITLES[s] ?? '')}</h2>\n<table><tr><th>Id</th><th>Status</th><th>Check</th></tr>\n${rows(r.checks.filter((c) => c.section === s))}\n</table>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Bulkhead host audit</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px;vertical-align:top}
tr.warn td:nth-child(2){color:#b00;font-weight:bold}tr.pass td:nth-child(2){color:#070}tr.skip td:nth-child(2){color:#777}</style></head>
<body><h1>CIS Docker Benchmark v1.6.0: ${escapeHtml(r.summary.engine)}</h1>
<p>${escapeHtml(summaryLine(r))}</p>${r.summary.notes.map((n) => `<p><em>${escapeHtml(n)}</em></p>`).join('')}
${sections}
</body></html>
`;
}

const mdCell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[<>]/g, (ch) => (ch === '<' ? '&lt;' : '&gt;')).replace(/\r?\n/g, ' ');

export function toMarkdown(r: AuditReport): string {
  const out = [`# CIS Docker Benchmark v1.6.0: ${mdCell(r.summary.engine)}`, '', summaryLine(r), '', ...r.summary.notes.map((n) => `> ${mdCell(n)}`)];
  for (const s of [...new Set(r.checks.map((c) => c.section))]) {
    out.push('', `## ${s}. ${SECTION_TITLES[s] ?? ''}`, '', '| Id | Status | Check | Evidence |', '|---|---|---|---|');
    for (const c of r.checks.filter((x) => x.section === s)) out.push(`| ${c.id} | ${MARK[c.status]} | ${mdCell(c.title)} | ${mdCell(c.evidence.join('; '))} |`);
  }
  return out.join('\n') + '\n';
}

export function formatReport(r: AuditReport, format: AuditFormat, toolVersion: string): string {
  switch (format) {
    case 'json':
      return toJson(r);
    case 'sarif':
      return JSON.stringify(toSarif(r, toolVersion), null, 2) + '\n';
    case 'html':
      return toHtml(r);
    case 'markdown':
      return toMarkdown(r);
    default:
      return toText(r);
  }
}
