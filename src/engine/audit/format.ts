// Report formats shared by the CLI and the webview's Export: text, JSON, SARIF, HTML, Markdown.
// Evidence, notes and the engine address come from the engine and the host: every format cuts
// long values and escapes them for its medium (terminal, Markdown, HTML).
import { escapeHtml, escapeMarkdown, safeText, truncate } from '../output/escape';
import { isOwnCheck, SECTION_TITLES } from './index';
import type { AuditCheckResult, AuditReport, AuditStatus } from './model';

export type AuditFormat = 'text' | 'json' | 'sarif' | 'html' | 'markdown';

const MARK: Record<AuditStatus, string> = { pass: 'PASS', warn: 'WARN', info: 'INFO', note: 'NOTE', skip: 'SKIP' };

function summaryLine(r: AuditReport): string {
  const c = r.summary.counts;
  return `score ${r.summary.score}% · ${c.warn} warn · ${c.pass} pass · ${c.info} info · ${c.note} note · ${c.skip} skip · ${r.summary.total} checks · ${r.summary.apiCalls} Engine API calls${r.summary.durationMs !== undefined ? ` · ${r.summary.durationMs} ms` : ''}`;
}

const heading = (r: AuditReport) => `CIS Docker Benchmark v1.6.0 audit of ${r.summary.engine} (${r.summary.flavor}${r.summary.local ? ', local' : ', remote'})`;

export function toText(r: AuditReport): string {
  // Every line starts with text Bulkhead chose; engine text is one-line, control characters
  // visible, so nothing can move the cursor, clear the screen or forge a "[PASS]" line.
  const out: string[] = [safeText(heading(r))];
  for (const n of r.summary.notes) out.push(`note: ${safeText(n)}`);
  let section = '';
  for (const c of r.checks) {
    if (c.section !== section) {
      section = c.section;
      out.push('', `[${section}] ${SECTION_TITLES[section] ?? ''}`);
    }
    out.push(`[${MARK[c.status]}] ${c.id} ${c.title}${c.scored ? '' : ' (manual)'}`);
    for (const e of c.evidence) out.push(`       ${safeText(e)}`);
  }
  out.push('', summaryLine(r), '');
  return out.join('\n');
}

/** The documented JSON shape: {"checks":[{id,title,section,level,scored,status,evidence,remediation,refs}],"summary":{…}}. */
export function toJson(r: AuditReport): string {
  return JSON.stringify({ checks: r.checks.map((c) => ({ ...c, evidence: c.evidence.map((e) => truncate(e)), remediation: `${c.remediation} Impact: ${c.impact}` })), summary: r.summary }, null, 2) + '\n';
}

const ruleId = (c: AuditCheckResult) => (isOwnCheck(c.id) ? c.id : `CIS-${c.id}`);
const SARIF_KIND: Record<AuditStatus, string> = { warn: 'fail', pass: 'pass', info: 'informational', note: 'review', skip: 'notApplicable' };

export interface SarifOptions {
  /** The engine's daemon.json: where daemon and host results are located (the documented fallback). */
  daemonConfigPath?: string;
}

/** Where a SARIF result points when nothing more precise is known (GitHub requires a physical location). */
export const FALLBACK_LOCATION = '/etc/docker/daemon.json';

function fileUri(path: string): string {
  return path.startsWith('/') ? `file://${encodeURI(path).replace(/[?#]/g, encodeURIComponent)}` : encodeURI(path).replace(/[?#]/g, encodeURIComponent);
}

/**
 * A result's physical location: the compose file of the first container it names (5.x), else the
 * daemon's configuration file: the file a fix of a host or daemon finding edits, or the fallback.
 */
function locationOf(c: AuditCheckResult, options: SarifOptions) {
  const compose = c.containers?.find((x) => x.compose?.file)?.compose?.file;
  const path = compose ?? options.daemonConfigPath ?? FALLBACK_LOCATION;
  return { physicalLocation: { artifactLocation: { uri: fileUri(path) }, region: { startLine: 1 } } };
}

export function toSarif(r: AuditReport, toolVersion: string, options: SarifOptions = {}): object {
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
              id: ruleId(c),
              shortDescription: { text: c.title },
              help: { text: `${c.remediation} Impact: ${c.impact}` },
              properties: { tags: ['security', 'docker', isOwnCheck(c.id) ? 'bulkhead' : 'cis', `level-${c.level}`, c.scored ? 'scored' : 'manual'] },
            })),
          },
        },
        results: r.checks.map((c, i) => ({
          ruleId: ruleId(c),
          ruleIndex: i,
          kind: SARIF_KIND[c.status],
          // SARIF 2.1.0 §3.27.10: a result whose kind is not "fail" has level "none".
          level: c.status === 'warn' ? 'warning' : 'none',
          message: { text: truncate(`${c.title}: ${c.evidence.join('; ')}`) },
          locations: [locationOf(c, options)],
        })),
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: r.summary.notes.map((n) => ({ level: 'note', message: { text: truncate(n) } })) }],
      },
    ],
  };
}

/** A self-contained HTML page (no scripts): every string from Docker is escaped, long evidence wraps. */
export function toHtml(r: AuditReport): string {
  const rows = (cs: AuditCheckResult[]) =>
    cs
      .map(
        (c) =>
          `<tr class="${c.status}"><td>${escapeHtml(c.id)}</td><td>${MARK[c.status]}</td><td>${escapeHtml(c.title)}${c.scored ? '' : ' <em>(manual)</em>'}<ul>${c.evidence
            .map((e) => `<li>${escapeHtml(truncate(e))}</li>`)
            .join('')}</ul><p>${escapeHtml(c.remediation)} <em>Impact: ${escapeHtml(c.impact)}</em></p></td></tr>`,
      )
      .join('\n');
  const sections = [...new Set(r.checks.map((c) => c.section))]
    .map((s) => `<h2>${escapeHtml(s)}. ${escapeHtml(SECTION_TITLES[s] ?? '')}</h2>\n<table><colgroup><col class="id"><col class="status"><col></colgroup><tr><th>Id</th><th>Status</th><th>Check</th></tr>\n${rows(r.checks.filter((c) => c.section === s))}\n</table>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Bulkhead host audit</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%;table-layout:fixed}col.id{width:5em}col.status{width:5em}
td,th{border:1px solid #ccc;padding:4px;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}li{white-space:pre-wrap}
tr.warn td:nth-child(2){color:#b00;font-weight:bold}tr.pass td:nth-child(2){color:#070}tr.skip td:nth-child(2){color:#777}</style></head>
<body><h1>CIS Docker Benchmark v1.6.0: ${escapeHtml(r.summary.engine)}</h1>
<p>${escapeHtml(summaryLine(r))}</p>${r.summary.notes.map((n) => `<p><em>${escapeHtml(truncate(n))}</em></p>`).join('')}
${sections}
</body></html>
`;
}

export function toMarkdown(r: AuditReport): string {
  const out = [`# CIS Docker Benchmark v1\\.6\\.0: ${escapeMarkdown(r.summary.engine)}`, '', escapeMarkdown(summaryLine(r)), '', ...r.summary.notes.map((n) => `> ${escapeMarkdown(n)}`)];
  for (const s of [...new Set(r.checks.map((c) => c.section))]) {
    out.push('', `## ${escapeMarkdown(s)}\\. ${escapeMarkdown(SECTION_TITLES[s] ?? '')}`, '', '| Id | Status | Check | Evidence |', '|---|---|---|---|');
    for (const c of r.checks.filter((x) => x.section === s)) out.push(`| ${escapeMarkdown(c.id)} | ${MARK[c.status]} | ${escapeMarkdown(c.title)} | ${escapeMarkdown(c.evidence.join('; '))} |`);
  }
  return out.join('\n') + '\n';
}

export function formatReport(r: AuditReport, format: AuditFormat, toolVersion: string, sarif: SarifOptions = {}): string {
  switch (format) {
    case 'json':
      return toJson(r);
    case 'sarif':
      return JSON.stringify(toSarif(r, toolVersion, sarif), null, 2) + '\n';
    case 'html':
      return toHtml(r);
    case 'markdown':
      return toMarkdown(r);
    default:
      return toText(r);
  }
}
