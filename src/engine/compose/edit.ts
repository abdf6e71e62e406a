import { isMap, isPair, isScalar, isSeq, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { TextEdit } from '../model';
import { eolOf } from '../text';
import type { ComposeContext } from './context';
import type { ComposeService } from './service';

// Every edit here is computed from node source ranges of ctx.text and touches as little text as
// possible, so comments, key order, quoting, indentation, flow/block style and anchors survive.

/** A value to write: one scalar (already YAML text) or a list of scalars (each already YAML text). */
export type NewValue = { scalar: string } | { list: string[] };

type Ranged = { range?: [number, number, number] | null };
const rangeOf = (node: unknown) => (node as Ranged | null | undefined)?.range ?? undefined;

/**
 * Removes a mapping pair: in a block mapping with its whole line(s), keeping neighbours' comments
 * and layout; in a flow mapping with its separating comma.
 */
export function removePairEdit(ctx: ComposeContext, pair: Pair, owner?: YAMLMap): TextEdit {
  const key = rangeOf(pair.key);
  const value = rangeOf(pair.value);
  const startOffset = key?.[0] ?? 0;
  if (owner?.flow) return removeFlowItem(ctx, owner.items, owner.items.indexOf(pair), startOffset, value?.[1] ?? key?.[1] ?? startOffset);
  const endOffset = value?.[2] ?? value?.[1] ?? key?.[2] ?? startOffset;
  const startLine = ctx.lines.position(startOffset).line;
  const endLine = ctx.lines.position(Math.max(startOffset, endOffset - 1)).line;
  const lineStart = ctx.lines.lineStart(startLine);
  const onlyThisPairOnLine = ctx.text.slice(lineStart, startOffset).trim() === '';
  const from = onlyThisPairOnLine ? lineStart : startOffset;
  const to = endLine + 1 < ctx.lines.lineCount ? ctx.lines.lineStart(endLine + 1) : ctx.text.length;
  return { start: from, end: to, newText: '' };
}

/** Removes one item of a sequence (its line in block style, with its comma in flow style). */
export function removeSeqItemEdit(ctx: ComposeContext, seq: YAMLSeq, index: number): TextEdit {
  const item = seq.items[index];
  const r = rangeOf(item)!;
  if (seq.flow) return removeFlowItem(ctx, seq.items, index, r[0], r[1]);
  const line = ctx.lines.position(r[0]).line;
  const endLine = ctx.lines.position(Math.max(r[0], r[1] - 1)).line;
  const to = endLine + 1 < ctx.lines.lineCount ? ctx.lines.lineStart(endLine + 1) : ctx.text.length;
  return { start: ctx.lines.lineStart(line), end: to, newText: '' };
}

function removeFlowItem(ctx: ComposeContext, items: unknown[], index: number, start: number, end: number): TextEdit {
  const startOf = (i: number) => {
    const it = items[i];
    return rangeOf(isPair(it) ? it.key : it)?.[0];
  };
  const endOf = (i: number) => {
    const it = items[i];
    return rangeOf(isPair(it) ? (it.value ?? it.key) : it)?.[1];
  };
  if (index + 1 < items.length) return { start, end: startOf(index + 1) ?? end, newText: '' };
  if (index > 0) return { start: endOf(index - 1) ?? start, end, newText: '' };
  return { start, end, newText: '' };
}

/** Replaces a node's text (not its trailing comment). */
export function replaceNodeEdit(node: unknown, newText: string): TextEdit {
  const r = rangeOf(node)!;
  return { start: r[0], end: r[1], newText };
}

/** Sets a pair's value; an empty value (`key:` alone) gets `key: value` on its line. */
export function replacePairValueEdit(ctx: ComposeContext, pair: Pair, newText: string): TextEdit {
  const v = rangeOf(pair.value);
  if (v && v[1] > v[0]) return { start: v[0], end: v[1], newText };
  const k = rangeOf(pair.key)!;
  const colon = ctx.text.indexOf(':', k[1]);
  return { start: colon + 1, end: v ? Math.max(v[1], colon + 1) : colon + 1, newText: ` ${newText}` };
}

/**
 * The text of an existing list item to copy into a new flow list: its source when that reads
 * the same inside `[...]`, else its value double-quoted.
 */
export function flowItemText(ctx: ComposeContext, node: unknown): string {
  const source = sourceText(ctx, node);
  if (!isScalar(node) || node.type !== 'PLAIN') return source;
  return /[[\]{},#]|^[&*!|>'"%@`?:-]|: /.test(source) ? JSON.stringify(String(node.value)) : source;
}

/** Puts text at the start of a scalar's content, keeping its quotes; quotes a plain scalar. */
export function prefixScalarEdits(ctx: ComposeContext, node: Scalar, prefix: string): TextEdit[] {
  const r = rangeOf(node)!;
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return [{ start: r[0] + 1, end: r[0] + 1, newText: prefix }];
  return [{ start: r[0], end: r[1], newText: scalarLike(node, prefix + ctx.text.slice(r[0], r[1])) }];
}

/** Appends text at the end of a scalar's content, keeping its quotes; quotes a plain scalar. */
export function suffixScalarEdits(ctx: ComposeContext, node: Scalar, suffix: string): TextEdit[] {
  const r = rangeOf(node)!;
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return [{ start: r[1] - 1, end: r[1] - 1, newText: suffix }];
  return [{ start: r[0], end: r[1], newText: scalarLike(node, ctx.text.slice(r[0], r[1]) + suffix) }];
}

/** Appends an item to a sequence, matching its style and the indentation of its items. */
export function appendSeqItemEdit(ctx: ComposeContext, seq: YAMLSeq, itemText: string): TextEdit {
  const r = rangeOf(seq)!;
  if (seq.flow) {
    const close = ctx.text.lastIndexOf(']', r[1] - 1);
    const last = seq.items.length ? rangeOf(seq.items[seq.items.length - 1]) : undefined;
    return last ? { start: last[1], end: last[1], newText: `, ${itemText}` } : { start: close, end: close, newText: itemText };
  }
  const firstItem = rangeOf(seq.items[0])!;
  const dashColumn = r[0] - ctx.lines.lineStart(ctx.lines.position(r[0]).line);
  const itemColumn = firstItem[0] - ctx.lines.lineStart(ctx.lines.position(firstItem[0]).line);
  const lastItem = rangeOf(seq.items[seq.items.length - 1])!;
  const line = ctx.lines.position(Math.max(lastItem[0], lastItem[1] - 1)).line;
  const at = ctx.lines.lineEnd(line);
  return { start: at, end: at, newText: `${eolOf(ctx.text)}${' '.repeat(dashColumn)}-${' '.repeat(Math.max(1, itemColumn - dashColumn - 1))}${itemText}` };
}

/** Adds `key: value` as the last key of the service's own mapping. */
export function insertServiceKeyEdit(ctx: ComposeContext, service: ComposeService, key: string, value: NewValue): TextEdit {
  return insertMapKeyEdit(ctx, service.map, key, value, service.indentation());
}

/** Adds `key: value` as the last key of a mapping (block or flow). */
export function insertMapKeyEdit(ctx: ComposeContext, map: YAMLMap, key: string, value: NewValue, indent?: { keyColumn: number; step: number }): TextEdit {
  const r = rangeOf(map)!;
  if (map.flow || !map.items.length) {
    const close = ctx.text.lastIndexOf('}', r[1] - 1);
    const last = map.items.length ? map.items[map.items.length - 1] : undefined;
    const lastEnd = last ? (rangeOf(last.value) ?? rangeOf(last.key))![1] : undefined;
    const text = `${key}: ${flowText(value)}`;
    return lastEnd !== undefined ? { start: lastEnd, end: lastEnd, newText: `, ${text}` } : { start: close, end: close, newText: text };
  }
  const first = rangeOf(map.items[0].key)!;
  const keyColumn = indent?.keyColumn ?? first[0] - ctx.lines.lineStart(ctx.lines.position(first[0]).line);
  const step = indent?.step ?? 2;
  const last = map.items[map.items.length - 1];
  const lastEnd = (rangeOf(last.value) ?? rangeOf(last.key))!;
  const line = ctx.lines.position(Math.max(lastEnd[0], lastEnd[1] - 1)).line;
  const eol = eolOf(ctx.text);
  const pad = ' '.repeat(keyColumn);
  const body =
    'scalar' in value
      ? `${pad}${key}: ${value.scalar}`
      : value.list.length
        ? `${pad}${key}:${value.list.map((item) => `${eol}${pad}${' '.repeat(step)}- ${item}`).join('')}`
        : `${pad}${key}: []`;
  // At the start of the next line, so an item appended to the last list (at the end of its line)
  // in the same pass stays in that list.
  if (line + 1 < ctx.lines.lineCount) {
    const at = ctx.lines.lineStart(line + 1);
    return { start: at, end: at, newText: body + eol };
  }
  const at = ctx.lines.lineEnd(line);
  return { start: at, end: at, newText: eol + body };
}

/**
 * The text of a scalar holding `value`, in the original's quoting style where YAML (and
 * docker-compose's YAML 1.1 reader) reads it back unchanged; double-quoted otherwise.
 */
export function scalarLike(original: Scalar, value: string): string {
  if (original.type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (original.type === 'PLAIN' && /^[\w./~][\w./~:@=+,-]*$/.test(value) && !value.endsWith(':') && !/^[\d:.]+$/.test(value) && !/^(?:true|false|yes|no|on|off|null|y|n|~)$/i.test(value)) return value;
  return JSON.stringify(value);
}

/**
 * Sets a key in the service's own mapping: replaces its value when the service has the key itself
 * (in flow style, so a block value's lines are replaced by one), else adds it. Used when the value
 * lives in a shared anchor or a base service that must not change.
 */
export function setServiceKeyEdit(ctx: ComposeContext, service: ComposeService, key: string, value: NewValue): TextEdit {
  const own = service.ownPair(key);
  if (!own) return insertServiceKeyEdit(ctx, service, key, value);
  const keyRange = rangeOf(own.key)!;
  const valueRange = rangeOf(own.value);
  let end = valueRange?.[1] ?? keyRange[1];
  // A block collection's range ends after its last line break: keep that line break.
  if ((isMap(own.value) || isSeq(own.value)) && !(own.value as YAMLMap).flow) {
    while (end > keyRange[1] && (ctx.text[end - 1] === '\n' || ctx.text[end - 1] === '\r')) end--;
    return { start: keyRange[1], end, newText: `: ${flowText(value)}` };
  }
  if (!valueRange || valueRange[1] === valueRange[0]) return replacePairValueEdit(ctx, own, flowText(value));
  return { start: valueRange[0], end, newText: flowText(value) };
}

function flowText(value: NewValue): string {
  return 'scalar' in value ? value.scalar : `[${value.list.join(', ')}]`;
}

/** The YAML text of a plain string: bare when YAML reads it back unchanged as a string, else quoted. */
export function yamlString(s: string): string {
  return /^[A-Za-z_][\w.\-/]*$/.test(s) && !/^(?:true|false|yes|no|on|off|null|y|n)$/i.test(s) ? s : JSON.stringify(s);
}

/** The source text of an item, to copy it into a new list. */
function sourceText(ctx: ComposeContext, node: unknown): string {
  const r = rangeOf(node);
  return r ? ctx.text.slice(r[0], r[1]) : '';
}
