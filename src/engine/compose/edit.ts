import type { Pair } from 'yaml';
import type { TextEdit } from '../model';
import type { ComposeContext } from './context';

/**
 * Removes a block-mapping pair with its whole line(s), keeping neighbours' comments and layout.
 * Relies on source ranges, so it is only valid for pairs parsed from ctx.text.
 */
export function removePairEdit(ctx: ComposeContext, pair: Pair): TextEdit {
  const key = pair.key as { range?: [number, number, number] };
  const value = pair.value as { range?: [number, number, number] } | null;
  const startOffset = key.range?.[0] ?? 0;
  const endOffset = value?.range?.[2] ?? value?.range?.[1] ?? key.range?.[2] ?? startOffset;
  const startLine = ctx.lines.position(startOffset).line;
  const endLine = ctx.lines.position(Math.max(startOffset, endOffset - 1)).line;
  const lineStart = ctx.lines.lineStart(startLine);
  const onlyThisPairOnLine = ctx.text.slice(lineStart, startOffset).trim() === '';
  const from = onlyThisPairOnLine ? lineStart : startOffset;
  const to = endLine + 1 < ctx.lines.lineCount ? ctx.lines.lineStart(endLine + 1) : ctx.text.length;
  return { start: from, end: to, newText: '' };
}
