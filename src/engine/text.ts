import type { TextEdit } from './model';

/** Maps offsets to 0-based lines and columns; built once per text. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  get lineCount(): number {
    return this.starts.length;
  }
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }
  /** End of the line's content, before '\r\n' or '\n'. */
  lineEnd(line: number): number {
    let end = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    if (end > this.lineStart(line) && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }
  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }
  position(offset: number): { line: number; character: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo] };
  }
  offset(line: number, character: number): number {
    return Math.min(this.lineStart(line) + character, this.text.length);
  }
}

/** The line ending a file already uses, so inserted lines match it. */
export function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * Applies edits given against the same original text. Overlapping edits are dropped after the
 * first (in offset order), so a batch of independent fixes can be applied without corruption;
 * callers that care re-lint and apply again until nothing changes.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): { text: string; applied: TextEdit[] } {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const applied: TextEdit[] = [];
  let lastEnd = -1;
  for (const edit of sorted) {
    if (edit.start < lastEnd) continue;
    applied.push(edit);
    lastEnd = Math.max(edit.end, edit.start);
  }
  let out = '';
  let cursor = 0;
  for (const edit of applied) {
    out += text.slice(cursor, edit.start) + edit.newText;
    cursor = edit.end;
  }
  return { text: out + text.slice(cursor), applied };
}

/**
 * The edit that appends lines to a file's text (undefined: the file does not exist yet, and the
 * lines are its whole text), ending the last existing line first. Lines already present are not
 * added again, so applying it twice equals applying it once.
 */
export function appendLinesEdit(text: string | undefined, lines: readonly string[]): TextEdit | undefined {
  const present = new Set((text ?? '').split(/\r?\n/).map((l) => l.trim()));
  const missing = [...new Set(lines)].filter((l) => !present.has(l));
  if (!missing.length) return undefined;
  const eol = text?.includes('\r\n') ? '\r\n' : '\n';
  const end = text?.length ?? 0;
  const lead = text && !text.endsWith('\n') ? eol : '';
  return { start: end, end, newText: lead + missing.map((l) => l + eol).join('') };
}
