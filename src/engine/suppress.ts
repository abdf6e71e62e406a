import type { Finding } from './model';
import type { LineIndex } from './text';

/**
 * Ignore comments, honoured in Dockerfiles and compose files alike:
 *   # bulkhead-ignore RULE[,RULE…] -- reason        the next line (or, trailing in YAML, this line)
 *   # bulkhead-ignore-file RULE[,RULE…] -- reason   the whole file
 * RULE may be `*`. The reason is free text, kept for reviewers.
 */
const IGNORE = /#\s*bulkhead-ignore(-file)?\s+([\w*,\s-]+?)(?:\s+--\s.*)?\s*$/;

export function ignoreComment(ruleId: string, reason: string, wholeFile = false): string {
  return `# bulkhead-ignore${wholeFile ? '-file' : ''} ${ruleId} -- ${reason}`;
}

interface Suppressions {
  file: Set<string>;
  byLine: Map<number, Set<string>>;
}

function collect(lines: LineIndex): Suppressions {
  const found: Suppressions = { file: new Set(), byLine: new Map() };
  const text = lines.text;
  if (!text.includes('bulkhead-ignore')) return found;
  for (let line = 0; line < lines.lineCount; line++) {
    const content = lines.lineText(line);
    if (!content.includes('bulkhead-ignore')) continue;
    const m = IGNORE.exec(content);
    if (!m) continue;
    const ids = m[2].split(/[\s,]+/).filter(Boolean);
    if (m[1]) {
      ids.forEach((id) => found.file.add(id));
      continue;
    }
    const ownLine = content.trimStart().startsWith('#');
    // A comment on its own line covers the next line that is not a comment; a trailing one its own.
    let target = line;
    if (ownLine) {
      target = line + 1;
      while (target < lines.lineCount && lines.lineText(target).trimStart().startsWith('#')) target++;
    }
    const set = found.byLine.get(target) ?? new Set<string>();
    ids.forEach((id) => set.add(id));
    found.byLine.set(target, set);
  }
  return found;
}

export function removeSuppressed(findings: Finding[], lines: LineIndex): Finding[] {
  const s = collect(lines);
  if (!s.file.size && !s.byLine.size) return findings;
  return findings.filter((f) => {
    if (s.file.has('*') || s.file.has(f.ruleId)) return false;
    if (!f.range) return true;
    const ids = s.byLine.get(lines.position(f.range.start).line);
    return !(ids && (ids.has('*') || ids.has(f.ruleId)));
  });
}
