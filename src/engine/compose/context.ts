import { isAlias, isCollection, isMap, isScalar, parseDocument, visit, type Alias, type Document, type Node, type YAMLMap } from 'yaml';
import { LineIndex } from '../text';
import type { LintError } from '../model';
import { ComposeService } from './service';

/** Everything a compose rule may look at, parsed once per lint. */
export interface ComposeContext {
  file?: string;
  text: string;
  lines: LineIndex;
  doc: Document.Parsed;
  /** The services in document order (only those whose value is a mapping). */
  services: ComposeService[];
  /** The node an alias points at (the last anchor of that name before it), resolved once per lint. */
  resolve(node: unknown): unknown;
  /** How many aliases point at this anchored node (0 when none or not anchored). */
  aliasUses(node: unknown): number;
  /**
   * An override file (compose.override.yaml, docker-compose.override.yml) only adds to a base
   * file, so rules about something missing stay quiet in it: the base may set it.
   */
  isOverrideFile: boolean;
}

/** Expanded node count above which aliases are treated as an alias bomb ("billion laughs"). */
export const MAX_EXPANDED_NODES = 1_000_000;

export function createComposeContext(text: string, file?: string): { ctx?: ComposeContext; errors: LintError[] } {
  // uniqueKeys: false avoids a quadratic duplicate check (compose itself rejects duplicates; the last one wins here).
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  const errors: LintError[] = doc.errors.map((e) => ({
    message: `YAML: ${e.message.split('\n')[0]}`,
    range: { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) },
  }));
  if (errors.length) return { errors };
  if (doc.contents === null) return { errors: [{ message: 'empty compose file: no services to check' }] };
  if (!isMap(doc.contents)) {
    return { errors: [{ message: 'a compose file must be a mapping at the top level (with a `services:` key)', range: nodeRange(doc.contents) }] };
  }

  const anchors = indexAliases(doc);
  const size = expandedSize(doc.contents, anchors.targets);
  if (size >= MAX_EXPANDED_NODES) {
    return {
      errors: [
        {
          message: `YAML aliases expand to more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} nodes (an alias bomb, "billion laughs"); not linted`,
          range: anchors.firstAlias ? nodeRange(anchors.firstAlias) : undefined,
        },
      ],
    };
  }

  const resolve = (node: unknown): unknown => {
    // Follow alias chains a bounded number of times (an alias can point at an alias's anchor).
    let current = node;
    for (let i = 0; i < 32 && isAlias(current); i++) current = anchors.targets.get(current);
    return isAlias(current) ? undefined : current;
  };
  const servicesNode = resolve(doc.contents.get('services', true));
  const ctx: ComposeContext = {
    file,
    text,
    lines: new LineIndex(text),
    doc,
    services: [],
    resolve,
    aliasUses: (node) => anchors.uses.get(node as Node) ?? 0,
    isOverrideFile: !!file && /override[^\\/]*$/i.test(file),
  };
  if (servicesNode !== undefined && servicesNode !== null && !isMap(servicesNode)) {
    const at = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'services');
    return { errors: [{ message: '`services` must be a mapping of service names to their configuration', range: nodeRange(at?.key) }] };
  }
  if (isMap(servicesNode)) {
    for (const pair of servicesNode.items) {
      const value = resolve(pair.value);
      if (isScalar(pair.key) && isMap(value)) ctx.services.push(new ComposeService(ctx, pair.key, value as YAMLMap, servicesNode));
    }
  }
  return { ctx, errors };
}

interface AliasIndex {
  targets: Map<unknown, Node | undefined>;
  uses: Map<Node, number>;
  firstAlias?: Alias;
}

/** One pass over the document: each alias's target and how often each anchor is used. */
function indexAliases(doc: Document.Parsed): AliasIndex {
  const byName = new Map<string, Node>();
  const index: AliasIndex = { targets: new Map(), uses: new Map() };
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const target = byName.get(node.source);
        index.targets.set(node, target);
        index.firstAlias ??= node;
        if (target) index.uses.set(target, (index.uses.get(target) ?? 0) + 1);
        return;
      }
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor) byName.set(anchor, node as Node);
    },
  });
  return index;
}

/** Node count of the document with every alias expanded, memoised per anchor and capped. */
function expandedSize(root: Node, targets: Map<unknown, Node | undefined>): number {
  if (targets.size === 0) return 0;
  const memo = new Map<Node, number>();
  const active = new Set<Node>();
  const sizeOf = (node: unknown): number => {
    if (isAlias(node)) {
      const target = targets.get(node);
      // A self-referencing alias is a cycle; count it as huge rather than recursing.
      if (!target) return 1;
      if (active.has(target)) return MAX_EXPANDED_NODES;
      return sizeOf(target);
    }
    if (!isCollection(node)) return 1;
    const known = memo.get(node);
    if (known !== undefined) return known;
    active.add(node);
    let total = 1;
    for (const item of node.items as unknown[]) {
      if (total >= MAX_EXPANDED_NODES) break;
      if (isScalar(item) || isAlias(item) || isCollection(item)) total += sizeOf(item);
      else {
        const pair = item as { key?: unknown; value?: unknown };
        total += sizeOf(pair.key) + sizeOf(pair.value);
      }
    }
    active.delete(node);
    total = Math.min(total, MAX_EXPANDED_NODES);
    memo.set(node, total);
    return total;
  };
  return sizeOf(root);
}

function nodeRange(node: unknown): { start: number; end: number } | undefined {
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return r ? { start: r[0], end: Math.max(r[1], r[0] + 1) } : undefined;
}
