import type { Finding, LintError, References, Severity } from '../model';
import { REFERENCE_KINDS } from '../model';
import { ruleMeta } from '../registry';
import { LineIndex } from '../text';
import { safeText } from './escape';

/** A finding placed in a file, with 1-based positions: what the CLI prints and CI reads. */
export interface FileFinding {
  ruleId: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  fixable: boolean;
  refs: Required<References>;
}

export interface FileError {
  file: string;
  message: string;
  line?: number;
  column?: number;
}

export function fullRefs(refs: References | undefined): Required<References> {
  const out = {} as Required<References>;
  for (const kind of REFERENCE_KINDS) out[kind] = [...(refs?.[kind] ?? [])];
  return out;
}

export function placeFindings(file: string, text: string, findings: Finding[], errors: LintError[]): { findings: FileFinding[]; errors: FileError[] } {
  const lines = new LineIndex(text);
  const at = (offset: number) => {
    const p = lines.position(offset);
    return { line: p.line + 1, column: p.character + 1 };
  };
  return {
    findings: findings.map((f) => {
      const start = at(f.range?.start ?? 0);
      const end = at(f.range?.end ?? f.range?.start ?? 0);
      return {
        ruleId: f.ruleId,
        severity: f.severity,
        file,
        line: start.line,
        column: start.column,
        endLine: end.line,
        endColumn: end.column,
        message: f.message,
        fixable: f.fixes.some((x) => x.edits.length > 0),
        refs: fullRefs(f.refs ?? ruleMeta(f.ruleId)?.refs),
      };
    }),
    errors: errors.map((e) => ({ file, message: e.message, ...(e.range ? at(e.range.start) : {}) })),
  };
}

export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/**
 * One line per finding and per error, then the summary and `notes` (which config applied…).
 * File names and messages come from the repository (a service name can hold `\e[1A`): every
 * control character is made visible, so no line can be hidden or forged.
 */
export function formatText(findings: FileFinding[], errors: FileError[], notes: readonly string[] = []): string {
  const out: string[] = [];
  for (const f of findings) out.push(`${safeText(f.file)}:${f.line}:${f.column}: ${f.severity} ${safeText(f.message)} [${f.ruleId}]`);
  for (const e of errors) out.push(`${safeText(e.file)}${e.line ? `:${e.line}:${e.column}` : ''}: error ${safeText(e.message)}`);
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  out.push(`${findings.length} problem(s): ${count('error')} error, ${count('warning')} warning, ${count('info')} info${errors.length ? `; ${errors.length} file(s) not linted` : ''}`);
  for (const note of notes) out.push(safeText(note));
  return out.join('\n') + '\n';
}
