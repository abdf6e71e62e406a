import type { RuleMeta, Severity } from '../model';
import { REFERENCE_KINDS } from '../model';
import type { FileError, FileFinding } from './report';

// SARIF 2.1.0: what GitHub code scanning and most CI dashboards ingest.
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export interface SarifOptions {
  toolVersion: string;
  informationUri?: string;
  /** Makes file paths relative to this directory URI (a SARIF %SRCROOT%). */
  srcRoot?: string;
  docsUri?: (ruleId: string) => string;
}

export function toSarif(findings: FileFinding[], errors: FileError[], rules: readonly RuleMeta[], opts: SarifOptions): object {
  const used = rules.filter((r) => findings.some((f) => f.ruleId === r.id));
  const index = new Map(used.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'bulkhead',
            version: opts.toolVersion,
            informationUri: opts.informationUri ?? 'https://github.com/bulkhead/bulkhead',
            rules: used.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.rationale },
              help: { text: r.remediation, markdown: r.remediation },
              ...(opts.docsUri ? { helpUri: opts.docsUri(r.id) } : {}),
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: {
                tags: ['security', 'docker', ...REFERENCE_KINDS.flatMap((k) => (r.refs[k] ?? []).map((id) => `${k}:${id}`))],
                ...Object.fromEntries(REFERENCE_KINDS.map((k) => [k, r.refs[k] ?? []])),
              },
            })),
          },
        },
        ...(opts.srcRoot ? { originalUriBaseIds: { SRCROOT: { uri: opts.srcRoot.endsWith('/') ? opts.srcRoot : opts.srcRoot + '/' } } } : {}),
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: index.get(f.ruleId),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: fileUri(f.file), ...(opts.srcRoot ? { uriBaseId: 'SRCROOT' } : {}) },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
          properties: { fixable: f.fixable },
        })),
        invocations: [
          {
            executionSuccessful: errors.length === 0,
            toolExecutionNotifications: errors.map((e) => ({
              level: 'error',
              message: { text: e.message },
              locations: [{ physicalLocation: { artifactLocation: { uri: fileUri(e.file) } } }],
            })),
          },
        ],
      },
    ],
  };
}

/** A relative URI reference for a file name: `#`, `?` and `%` in names stay part of the path. */
function fileUri(file: string): string {
  return file.replace(/\\/g, '/').split('/').map(encodeURIComponent).join('/');
}
