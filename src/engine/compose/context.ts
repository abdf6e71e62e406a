import type { CommittedFileCheck, ProjectFileReader } from '../lint';
import { isAlias, isCollection, isMap, isPair, isScalar, parseDocument, type Alias, type Document, type Node } from 'yaml';
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
  /** Reads a file the compose file names (a seccomp profile); given by the adapter that lints. */
  readProjectFile?: ProjectFileReader;
  /**
   * The base service an `extends: {file, service}` mapping names, loaded from the other file
   * (compose projects only: see project.ts); undefined when it was not loaded.
   */
  extendsTarget?(extendsValue: unknown): ComposeService | undefined;
  /** Whether a file the compose file names is committed (LintOptions.isCommitted). */
  isCommitted?: CommittedFileCheck;
}

/** Expanded node count above which aliases are treated as an alias bomb ("billion laughs"). */
const MAX_EXPANDED_NODES = 1_000_000;

export function createComposeContext(text: string, file?: string): { ctx?: ComposeContext; errors: LintError[] } {
  // lintText promises never to throw; a bug here must become an error, not a crash of the editor.
  try {
    const deep = tooDeep(text);
    if (deep !== undefined) return { errors: [{ message: NESTING_TOO_DEEP, range: { start: deep, end: deep + 1 } }] };
    const built = buildContext(text, file);
    // The parser reports its own stack overflow as a YAML error.
    if (built.errors.some((e) => e.message.includes(STACK_OVERFLOW))) return { errors: [{ message: NESTING_TOO_DEEP }] };
    return built;
  } catch (e) {
    if (e instanceof RangeError && e.message.includes(STACK_OVERFLOW)) return { errors: [{ message: NESTING_TOO_DEEP }] };
    return { errors: [{ message: `compose file could not be read: ${(e as Error).message}` }] };
  }
}

/** Deeper than this, mappings and lists are reported, not parsed: no compose file nests like that. */
const MAX_NESTING = 200;
const NESTING_TOO_DEEP = `YAML nesting too deep (more than ${MAX_NESTING} levels); not linted`;
const STACK_OVERFLOW = 'Maximum call stack size exceeded';

/**
 * The offset where flow collections (`[`, `{`) or block indentation first nest deeper than
 * MAX_NESTING, found in one pass before the recursive parser could overflow the stack. Brackets
 * inside quotes and comments are skipped; the count is an upper bound, which is all it needs to be.
 */
function tooDeep(text: string): number | undefined {
  let depth = 0;
  let quote = '';
  let lineStart = true;
  let indentDepth = 0;
  const indents: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (lineStart) {
      lineStart = false;
      let j = i;
      while (text[j] === ' ' || text[j] === '-') j++;
      if (j < text.length && text[j] !== '\n' && text[j] !== '#' && !quote && depth === 0) {
        const indent = j - i;
        while (indents.length && indents[indents.length - 1] >= indent) indents.pop();
        indents.push(indent);
        indentDepth = indents.length;
        if (indentDepth > MAX_NESTING) return j;
      }
    }
    if (c === '\n') {
      lineStart = true;
      continue;
    }
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"') i++;
      continue;
    }
    // A quote opens a quoted scalar only where a scalar starts (not the apostrophe in `it's`).
    if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1]))) quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_NESTING) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return undefined;
}

function buildContext(text: string, file?: string): { ctx?: ComposeContext; errors: LintError[] } {
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

  const anchors = indexAliases(doc.contents);
  if (anchors.expanded >= MAX_EXPANDED_NODES) {
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
      if (isScalar(pair.key) && isMap(value)) ctx.services.push(new ComposeService(ctx, pair.key, value, servicesNode));
    }
  }
  return { ctx, errors };
}

interface AliasIndex {
  targets: Map<unknown, Node | undefined>;
  uses: Map<Node, number>;
  firstAlias?: Alias;
  /** Node count with every alias expanded (capped at MAX_EXPANDED_NODES). */
  expanded: number;
}

/**
 * One pass in document order: each alias's target (the last anchor of its name before it), how
 * often each anchor is used, and the expanded size, memoised per anchor so an alias bomb is
 * measured without being expanded.
 */
function indexAliases(root: Node): AliasIndex {
  const byName = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  const index: AliasIndex = { targets: new Map(), uses: new Map(), expanded: 0 };
  const walk = (node: unknown): number => {
    if (node === null || typeof node !== 'object') return 0;
    if (isAlias(node)) {
      const target = byName.get(node.source);
      index.targets.set(node, target);
      index.firstAlias ??= node;
      if (!target) return 1;
      index.uses.set(target, (index.uses.get(target) ?? 0) + 1);
      // An alias inside its own anchor is a cycle: count it as unbounded.
      return sizes.get(target) ?? MAX_EXPANDED_NODES;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) byName.set(anchor, node as Node);
    let size = 1;
    if (isCollection(node)) {
      for (const item of node.items as unknown[]) {
        if (isPair(item)) size += walk(item.key) + walk(item.value);
        else size += walk(item);
        if (size > MAX_EXPANDED_NODES) size = MAX_EXPANDED_NODES;
      }
    }
    if (anchor) sizes.set(node as Node, size);
    return size;
  };
  index.expanded = walk(root);
  return index;
}

function nodeRange(node: unknown): { start: number; end: number } | undefined {
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return r ? { start: r[0], end: Math.max(r[1], r[0] + 1) } : undefined;
}
