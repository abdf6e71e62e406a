import { isAlias, isMap, isScalar, isSeq, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { OffsetRange } from '../model';
import type { ComposeContext } from './context';

/** One key of a service as compose sees it after `<<` merge keys and same-file `extends`. */
export interface Field {
  key: string;
  /** The pair where the value really lives (in the service, a merged anchor, or a base service). */
  pair: Pair;
  keyNode: Scalar;
  /** The value with aliases followed. */
  value: unknown;
  /** The map holding the pair. */
  owner: YAMLMap;
  /** The value comes from a `<<` merge or a base service, not from the service's own mapping. */
  inherited: boolean;
  /** Editing where the value lives would change other services too (shared anchor, base service). */
  shared: boolean;
  /** The value is written as an alias; its node lives at the anchor. */
  viaAlias: boolean;
  /** The aliased value is used elsewhere too, so editing it in place would spread. */
  valueShared: boolean;
}

const MAX_MERGE_DEPTH = 16;

/** A compose service with merge keys, aliases and same-file `extends` resolved (bounded). */
export class ComposeService {
  readonly name: string;
  private merged?: Map<string, Field>;
  /** `extends` names another file, or the service is an override fragment: keys may be set elsewhere. */
  readonly partial: boolean;

  constructor(
    private readonly ctx: ComposeContext,
    readonly keyNode: Scalar,
    readonly map: YAMLMap,
    /** The `services:` mapping the service is in (its `extends` without `file` looks there). */
    readonly servicesMap: YAMLMap,
  ) {
    this.name = String(keyNode.value);
    const ext = this.ownPair('extends');
    const extValue = ext ? ctx.resolve(ext.value) : undefined;
    // A base in another file is judged with the service when the project loaded it.
    const extendsOtherFile = isMap(extValue) && extValue.has('file') && !ctx.extendsTarget?.(extValue);
    const fragment = !this.ownPair('image') && !this.ownPair('build') && !ext && !this.hasMerge();
    this.partial = extendsOtherFile || ctx.isOverrideFile || fragment;
  }

  /** Where findings about the whole service (something missing) are reported. */
  get range(): OffsetRange {
    const r = this.keyNode.range!;
    return { start: r[0], end: r[1] };
  }

  private readonly memo = new Map<string, unknown>();
  /** The services this one extends in the same file, nearest first. */
  private readonly bases: YAMLMap[] = [];
  /** Bases loaded from other files (`extends: {file}`), which are not services of this context. */
  private readonly otherFileBases = new Map<YAMLMap, ComposeService>();

  /**
   * Scalar items of a list key in the services this one extends (same file). Compose appends
   * them to the service's own list, so "does the list contain X" must look at them too.
   */
  baseListTexts(key: string): string[] {
    this.fields();
    const out: string[] = [];
    for (const base of this.bases) {
      const service = this.ctx.services.find((s) => s.map === base) ?? this.otherFileBases.get(base);
      const value = this.ctx.resolve(service?.get(key)?.value);
      if (!isSeq(value)) continue;
      for (const item of value.items) {
        const v = this.ctx.resolve(item);
        if (isScalar(v) && v.value !== null) out.push(String(v.value));
      }
    }
    return out;
  }

  /** `profiles: [debug]`: the service starts only when one of them is enabled (still linted; messages say which). */
  profiles(): string[] {
    return this.cached('profiles', () => {
      const value = this.get('profiles')?.value;
      if (!isSeq(value)) return [];
      return value.items.map((i) => this.ctx.resolve(i)).filter((i): i is Scalar => isScalar(i) && i.value !== null).map((i) => String(i.value));
    });
  }

  /** A value derived from the service, computed once per lint (several rules read ports, volumes…). */
  cached<T>(key: string, compute: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, compute());
    return this.memo.get(key) as T;
  }

  get(key: string): Field | undefined {
    return this.fields().get(key);
  }

  has(key: string): boolean {
    return this.fields().has(key);
  }

  /** All keys of the service after merging, own keys first. */
  fields(): Map<string, Field> {
    if (!this.merged) {
      this.merged = new Map();
      this.collect(this.map, false, false, 0, new Set());
      this.collectExtends(0, new Set([this.map]));
    }
    return this.merged;
  }

  /** The service's own pair for a key, ignoring merges (the last one wins, as in compose). */
  ownPair(key: string): Pair<Scalar, unknown> | undefined {
    let found: Pair<Scalar, unknown> | undefined;
    for (const p of this.map.items) if (isScalar(p.key) && p.key.value === key) found = p as Pair<Scalar, unknown>;
    return found;
  }

  private hasMerge(): boolean {
    return this.map.items.some((p) => isMergeKey(p.key));
  }

  private collect(map: YAMLMap, inherited: boolean, shared: boolean, depth: number, seen: Set<YAMLMap>): void {
    if (depth > MAX_MERGE_DEPTH || seen.has(map)) return;
    seen.add(map);
    const own: Pair[] = [];
    const merges: Pair[] = [];
    for (const p of map.items) (isMergeKey(p.key) ? merges : own).push(p);
    // Own keys win over merged ones; among duplicates the last wins.
    for (let i = own.length - 1; i >= 0; i--) {
      const p = own[i];
      if (!isScalar(p.key)) continue;
      const key = String(p.key.value);
      if (this.merged!.has(key)) continue;
      const value = this.ctx.resolve(p.value);
      const viaAlias = isAlias(p.value);
      this.merged!.set(key, {
        key,
        pair: p,
        keyNode: p.key,
        value,
        owner: map,
        inherited,
        shared,
        viaAlias,
        valueShared: shared || (viaAlias && this.isSharedAnchor(value)),
      });
    }
    // In `<<: [*a, *b]` the earlier map wins.
    for (const p of merges) {
      const sources = isSeq(p.value) ? p.value.items : [p.value];
      for (const source of sources) {
        const target = this.ctx.resolve(source);
        if (!isMap(target)) continue;
        const sharedHere = shared || (isAlias(source) && this.isSharedAnchor(target));
        this.collect(target, true, sharedHere, depth + 1, seen);
      }
    }
  }

  private collectExtends(depth: number, seen: Set<YAMLMap>): void {
    let current: YAMLMap = this.map;
    let services = this.servicesMap;
    for (let d = depth; d < MAX_MERGE_DEPTH; d++) {
      const ext = ownPairOf(current, 'extends');
      if (!ext) return;
      const value = this.ctx.resolve(ext.value);
      let base: unknown;
      if (isMap(value) && value.has('file')) {
        // Another file: its service, and further same-file `extends` in that file's services.
        const target = this.ctx.extendsTarget?.(value);
        base = target?.map;
        if (target) {
          services = target.servicesMap;
          this.otherFileBases.set(target.map, target);
        }
      } else {
        const baseName = isScalar(value) ? value.value : isMap(value) ? (this.ctx.resolve(value.get('service', true)) as Scalar | undefined)?.value : undefined;
        if (typeof baseName !== 'string') return;
        base = this.ctx.resolve(services.get(baseName, true));
      }
      if (!isMap(base) || seen.has(base)) return;
      seen.add(base);
      this.bases.push(base);
      this.collect(base, true, true, 1, new Set());
      current = base;
    }
  }

  /** Editing an anchored node spreads when it is used twice, or used once and is itself real service config. */
  isSharedAnchor(node: unknown): boolean {
    // An alias to an anchor that does not exist resolves to nothing.
    if (!node || typeof node !== 'object') return false;
    const uses = this.ctx.aliasUses(node);
    const range = (node as { range?: [number, number, number] }).range;
    const sRange = this.servicesMap.range;
    const insideServices = !!range && !!sRange && range[0] >= sRange[0] && range[0] < sRange[2];
    return uses + (insideServices ? 1 : 0) >= 2;
  }

  /** Column of the service's own keys, and the indentation step used below it. */
  indentation(): { keyColumn: number; step: number } {
    const first = this.map.items.find((p) => isScalar(p.key) || isMergeKey(p.key));
    const nameColumn = this.ctx.lines.position(this.keyNode.range![0]).character;
    if (!first || this.map.flow) return { keyColumn: nameColumn + 2, step: 2 };
    const keyColumn = this.ctx.lines.position((first.key as Scalar).range![0]).character;
    return { keyColumn, step: Math.max(1, keyColumn - nameColumn) };
  }
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (key.value === '<<' || typeof key.value === 'symbol');
}

function ownPairOf(map: YAMLMap, key: string): Pair | undefined {
  let found: Pair | undefined;
  for (const p of map.items) if (isScalar(p.key) && p.key.value === key) found = p;
  return found;
}
