import { isAlias, isMap, isScalar, isSeq, type Pair, type Scalar } from 'yaml';
import type { OffsetRange } from '../model';
import type { ComposeContext } from './context';

/** `$VAR`, `${VAR}`, `${VAR:-default}`… (but not the `$$` escape): compose sets it at run time. */
export function isInterpolated(text: string): boolean {
  return /\$(?:\{|[A-Za-z_])/.test(text.replace(/\$\$/g, ''));
}

/** What `${…}` in a scalar gives with the project's `.env` and defaults (variables.ts sets it). */
const EFFECTIVE = Symbol('bulkhead.effectiveValue');

export interface EffectiveValue {
  value: string;
  /** Each variable the value depends on, and where its value came from. */
  sources: { name: string; from: 'env-file' | 'default'; line?: number; /** Set for a secret's name: what to keep out of messages. */ secretValue?: string }[];
}

export function setEffectiveValue(node: Scalar, effective: EffectiveValue): void {
  (node as unknown as Record<symbol, EffectiveValue>)[EFFECTIVE] = effective;
}

function effectiveValue(node: unknown): EffectiveValue | undefined {
  return isScalar(node) ? (node as unknown as Record<symbol, EffectiveValue | undefined>)[EFFECTIVE] : undefined;
}

/**
 * A scalar's value as compose reads it, or undefined for collections and null. An interpolated
 * value that the project's `.env` or its defaults decide is that value (rules judge what compose
 * would run); one they cannot decide stays as written, `${…}` and all (rules skip it).
 */
export function scalarString(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return effectiveValue(node)?.value ?? String(node.value);
}

/** A scalar's value as written, `${…}` not substituted (where a secret is written matters, not what it becomes). */
export function writtenString(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return String(node.value);
}

/**
 * A boolean as docker-compose (PyYAML, YAML 1.1) reads it: `yes`/`on` are true too.
 * undefined when absent, interpolated or not a boolean.
 */
export function composeBool(node: unknown): boolean | undefined {
  const s = scalarString(node);
  if (s === undefined || isInterpolated(s)) return undefined;
  if (/^(?:true|yes|on|y)$/i.test(s)) return true;
  if (/^(?:false|no|off|n)$/i.test(s)) return false;
  return undefined;
}

export interface Item {
  /** The item with aliases followed. */
  node: unknown;
  /** The item as written in the sequence (the node to edit). */
  written: unknown;
  index: number;
}

/** Items of a sequence (aliases followed, bounded); empty for anything else. */
export function seqItems(ctx: ComposeContext, value: unknown): Item[] {
  if (!isSeq(value)) return [];
  return value.items.map((written, index) => ({ node: ctx.resolve(written), written, index }));
}

/** Entries of a mapping whose keys are scalars (aliases in values followed). */
export function mapEntries(ctx: ComposeContext, value: unknown): { key: string; keyNode: Scalar; node: unknown; pair: Pair }[] {
  if (!isMap(value)) return [];
  return value.items
    .filter((p) => isScalar(p.key))
    .map((p) => ({ key: String((p.key as Scalar).value), keyNode: p.key as Scalar, node: ctx.resolve(p.value), pair: p }));
}

/** A key of a mapping node (last wins), value aliases followed. */
export function mapGet(ctx: ComposeContext, map: unknown, key: string): { pair: Pair; node: unknown } | undefined {
  if (!isMap(map)) return undefined;
  let found: Pair | undefined;
  for (const p of map.items) if (isScalar(p.key) && p.key.value === key) found = p;
  return found ? { pair: found, node: ctx.resolve(found.value) } : undefined;
}

/** The source range of a node (value part, without trailing comment). */
export function rangeOf(node: unknown): OffsetRange | undefined {
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return r ? { start: r[0], end: Math.max(r[1], r[0]) } : undefined;
}

/** From a pair's key to the end of its value: where findings about a key: value are reported. */
export function pairRange(pair: Pair): OffsetRange | undefined {
  const k = rangeOf(pair.key);
  if (!k) return undefined;
  const v = rangeOf(pair.value);
  // Collections can span many lines; report those on their key.
  return v && (isScalar(pair.value) || isAlias(pair.value)) ? { start: k.start, end: v.end } : k;
}
