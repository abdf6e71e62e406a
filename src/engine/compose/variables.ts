import { visit, type Document } from 'yaml';
import type { ProjectFileReader } from '../lint';
import type { OffsetRange } from '../model';
import type { Report } from '../rule';
import { LineIndex } from '../text';
import { looksBinary } from '../files';
import { parseDotenv } from './dotenv';
import { isSecretName } from '../runtime/secrets';
import { interpolate } from './interpolate';
import { isInterpolated, rangeOf, setEffectiveValue, type EffectiveValue } from './values';

// A compose project's values as `docker compose` substitutes them: from the `.env` in the project
// folder (the first file's folder), else a `${VAR:-default}`'s default. The shell's environment is
// not read: findings must not depend on who lints. A value neither decides stays unjudged. Rules
// may quote the value they judged, except a value whose variable is named like a secret.

/** The variables of the project's `.env`, with the line each is set on (for messages; values are never shown). */
export interface ComposeVariables {
  values: Map<string, { value: string; line: number }>;
}

/** Files larger than this are not read as a `.env` (they are not one). */
const MAX_ENV_FILE_CHARS = 256 * 1024;

/** The `.env` next to the project's first file, read through the adapter's reader (inside the project only). */
export function loadComposeVariables(readProjectFile: ProjectFileReader | undefined, firstFile: string | undefined): ComposeVariables {
  const values: ComposeVariables['values'] = new Map();
  const read = readProjectFile && firstFile ? readProjectFile(firstFile, '.env') : undefined;
  if (read?.kind !== 'text' || read.text.length > MAX_ENV_FILE_CHARS || looksBinary(read.text)) return { values };
  const lines = new LineIndex(read.text);
  for (const entry of parseDotenv(read.text)) {
    let value: string | undefined = entry.value;
    // compose expands variables in unquoted and double-quoted values, from lines above.
    if (entry.quote !== "'" && isInterpolated(value)) value = interpolate(value, (name) => values.get(name)?.value)?.value;
    // Later lines win; a value that cannot be decided makes the variable unknown.
    if (value === undefined) values.delete(entry.name);
    else values.set(entry.name, { value, line: lines.position(entry.start).line + 1 });
  }
  return { values };
}

/** Where a value decided by the variables sits, and how to say where it came from. */
export interface ResolvedValue {
  range: OffsetRange;
  effective: EffectiveValue;
}

/**
 * Gives each interpolated scalar of the documents its effective value (values only: compose does
 * not interpolate keys). Returns where those scalars are, so findings on them can say so.
 */
export function applyComposeVariables(docs: readonly Document.Parsed[], variables: ComposeVariables): ResolvedValue[] {
  const resolved: ResolvedValue[] = [];
  for (const doc of docs) {
    visit(doc, {
      Scalar(key, node) {
        if (key === 'key' || typeof node.value !== 'string' || !isInterpolated(node.value)) return;
        const result = interpolate(node.value, (name) => variables.values.get(name)?.value);
        const range = rangeOf(node);
        if (!result || !range) return;
        const sources: EffectiveValue['sources'] = [];
        for (const u of result.used) {
          if (sources.some((s) => s.name === u.name)) continue;
          const set = variables.values.get(u.name);
          sources.push(u.set && set ? { name: u.name, from: 'env-file', line: set.line, ...(isSecretName(u.name) && set.value ? { secretValue: set.value } : {}) } : { name: u.name, from: 'default' });
        }
        const effective = { value: result.value, sources };
        setEffectiveValue(node, effective);
        resolved.push({ range, effective });
      },
    });
  }
  return resolved.sort((a, b) => a.range.start - b.range.start);
}

/**
 * A report on a value the variables decided names where it came from. Fixes that would rewrite
 * such a value are left out: they would replace the `${…}` with a constant, and the place to
 * change the value is the `.env` (or the environment) that sets it. A fix that deletes the whole
 * value is kept.
 */
export function explainResolvedValue(report: Report, resolved: readonly ResolvedValue[]): Report {
  if (!resolved.length || report.judgesWrittenValue) return report;
  const overlapping = (r: OffsetRange) => overlappingValues(resolved, r);
  const on = report.range ? overlapping(report.range) : [];
  const fixes = report.fixes?.filter((fix) => fix.edits.every((e) => overlapping(e).every((v) => e.newText === '' && e.start <= v.range.start && v.range.end <= e.end)));
  if (!on.length) return fixes?.length === report.fixes?.length ? report : { ...report, fixes };
  const sources = on.flatMap((v) => v.effective.sources);
  // A rule may quote the value it judged; a secret's value from .env is never shown.
  let message = report.message;
  for (const s of sources) if (s.secretValue) message = message.split(s.secretValue).join('…');
  return { ...report, message: `${message} (${describeSources(sources)})`, fixes };
}

/** The resolved values a range overlaps: they are sorted and disjoint, so a binary search finds the first. */
function overlappingValues(resolved: readonly ResolvedValue[], r: OffsetRange): ResolvedValue[] {
  let lo = 0;
  let hi = resolved.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (resolved[mid].range.end <= r.start) lo = mid + 1;
    else hi = mid;
  }
  const out: ResolvedValue[] = [];
  for (let i = lo; i < resolved.length && resolved[i].range.start < r.end; i++) if (r.start < resolved[i].range.end) out.push(resolved[i]);
  return out;
}

function describeSources(sources: EffectiveValue['sources']): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const s of sources) {
    if (seen.has(s.name)) continue;
    seen.add(s.name);
    // Names are identifiers ([A-Za-z_][A-Za-z0-9_]*); long ones are cut, values are never shown.
    const name = s.name.length > 64 ? `${s.name.slice(0, 64)}…` : s.name;
    parts.push(s.from === 'env-file' ? `\${${name}} from .env line ${s.line}` : `default of \${${name}}`);
  }
  return `value from ${parts.join(', ')}`;
}
