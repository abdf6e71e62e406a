import { isAlias, isMap, isScalar, isSeq, Pair, YAMLMap, YAMLSeq, type Document, type Scalar } from 'yaml';
import type { ProjectFileReader } from '../lint';
import type { Finding, LintError, OffsetRange, TextEdit } from '../model';
import { MAX_FILE_BYTES, looksBinary } from '../files';
import { LineIndex } from '../text';
import { createComposeContext, type ComposeContext } from './context';
import { ComposeService } from './service';
import { isInterpolated, scalarString } from './values';

/** One file of a compose project, in the order docker compose loads it (`-f a -f b`). */
export interface ProjectFileText {
  file: string;
  text: string;
}

/** Where one file's text sits in the project's joined text. */
interface Segment {
  file: string;
  start: number;
  end: number;
  /**
   * A file loaded for one service's `extends: {file, service}`: what is found in it is reported at
   * that `extends` in the service's file (the base is shared; the service is where it is fixed).
   */
  extendedBy?: { range: OffsetRange; label: string };
}

/** Files loaded for `extends: {file}` per project, bounded (each is parsed once per service that extends it). */
const MAX_EXTENDS_FILES = 32;

/**
 * The project as one compose context: each file is parsed on its own, but its nodes' ranges are
 * offsets into the files' texts joined in load order (each file is parsed behind padding as long
 * as the files before it, so no node has to be moved). Services are merged as docker compose
 * merges `-f` files, with the real nodes of the file that defines each value, so a rule judges the
 * effective service and every range and edit it computes falls in the file that defines the value.
 */
export interface ComposeProject {
  ctx?: ComposeContext;
  /** Parse errors per file (offsets local to the file). */
  errors: { file: string; errors: LintError[] }[];
  segments: Segment[];
  /** Every parsed file's document (the project's files, then those loaded for `extends`). */
  docs: Document.Parsed[];
}

/**
 * The files a compose file's top-level `include:` names (compose spec; docker compose 2.20+), as
 * written: `- path` and `- path: a` / `path: [a, b]`. Interpolated paths are left out.
 */
export function composeIncludes(text: string): string[] {
  // Most files have no include: skip the parse (the editor asks on every lint).
  if (!/^include[ \t]*:/m.test(text)) return [];
  const { ctx } = createComposeContext(text);
  const include = ctx && isMap(ctx.doc.contents) ? ctx.resolve(ctx.doc.contents.get('include', true)) : undefined;
  if (!isSeq(include)) return [];
  const out: string[] = [];
  for (const item of include.items.map(ctx!.resolve)) {
    const path = isMap(item) ? ctx!.resolve(item.get('path', true)) : item;
    for (const p of isSeq(path) ? path.items.map(ctx!.resolve) : [path]) {
      const written = scalarString(p);
      if (written && !isInterpolated(written)) out.push(written);
    }
  }
  return out;
}

/** Sequences whose later value replaces the earlier one (compose merge rules); other sequences append. */
const REPLACED_SEQUENCES = new Set(['command', 'entrypoint', 'test', 'args']);

/**
 * `readProjectFile` loads the files services `extends` (one level: the base file's own
 * `extends: {file}` are not followed); without it such services stay partial.
 */
export function createComposeProject(files: readonly ProjectFileText[], readProjectFile?: ProjectFileReader): ComposeProject {
  const segments: Segment[] = [];
  const contexts: ComposeContext[] = [];
  const errors: ComposeProject['errors'] = [];
  let offset = 0;
  const parts: string[] = [];
  for (const f of files) {
    // Newlines keep every parser position; the padding is never part of a node.
    const built = createComposeContext('\n'.repeat(offset) + f.text, f.file);
    if (built.errors.length || !built.ctx) {
      errors.push({ file: f.file, errors: built.errors.map((e) => (e.range ? { ...e, range: { start: Math.max(0, e.range.start - offset), end: Math.max(0, e.range.end - offset) } } : e)) });
    } else contexts.push(built.ctx);
    segments.push({ file: f.file, start: offset, end: offset + f.text.length });
    parts.push(f.text);
    // A separator, so an edit at the end of one file is never read as the start of the next.
    parts.push('\n');
    offset += f.text.length + 1;
  }
  if (errors.length) return { errors, segments, docs: [] };
  // Bases in other files, parsed behind the project's files; keyed by the `extends` mapping.
  const extendsTargets = new Map<unknown, ComposeService>();
  for (const c of [...contexts]) {
    for (const s of c.services) {
      if (segments.length - files.length >= MAX_EXTENDS_FILES) break;
      const ext = s.ownPair('extends');
      const value = c.resolve(ext?.value);
      if (!ext || !isMap(value) || !readProjectFile) continue;
      const written = scalarString(c.resolve(value.get('file', true)));
      const name = scalarString(c.resolve(value.get('service', true)));
      if (!written || !name || isInterpolated(written)) continue;
      const read = readProjectFile(c.file, written);
      if (read.kind !== 'text' || read.text.length > MAX_FILE_BYTES || looksBinary(read.text)) continue;
      const built = createComposeContext('\n'.repeat(offset) + read.text, written);
      const base = built.ctx?.services.find((b) => b.name === name);
      if (!built.ctx || !base) continue;
      contexts.push(built.ctx);
      extendsTargets.set(value, base);
      const at = ext.key;
      segments.push({ file: written, start: offset, end: offset + read.text.length, extendedBy: { range: { start: at.range![0], end: at.range![1] }, label: `${written} service "${name}"` } });
      parts.push(read.text, '\n');
      offset += read.text.length + 1;
    }
  }
  const text = parts.join('');
  const resolve = (node: unknown): unknown => {
    if (!isAlias(node)) return node;
    for (const c of contexts) {
      const target = c.resolve(node);
      if (target !== undefined) return target;
    }
    return undefined;
  };
  const first = contexts[0];
  const ctx: ComposeContext = {
    file: first?.file,
    text,
    lines: new LineIndex(text),
    doc: contexts[files.length - 1].doc,
    services: [],
    resolve,
    aliasUses: (node) => contexts.reduce((n, c) => n + c.aliasUses(node), 0),
    // One file (linted as a project for its `extends: {file}`) keeps its own override status.
    isOverrideFile: files.length === 1 && contexts[0].isOverrideFile,
    extendsTarget: (value) => extendsTargets.get(value),
  };
  // Editing an anchor used once is safe only when it is not itself a service; with several files
  // that is not tracked, so such anchors count as shared (the fix overrides in the service instead).
  const servicesMap = new YAMLMap();
  servicesMap.range = [0, text.length, text.length];
  const byName = new Map<string, { keyNode: Scalar; maps: YAMLMap[] }>();
  for (const c of contexts.slice(0, files.length)) {
    for (const s of c.services) {
      const entry = byName.get(s.name);
      if (entry) {
        entry.keyNode = s.keyNode;
        entry.maps.push(s.map);
      } else byName.set(s.name, { keyNode: s.keyNode, maps: [s.map] });
    }
  }
  for (const { keyNode, maps } of byName.values()) {
    const merged = maps.length === 1 ? maps[0] : mergeServiceMaps(maps, resolve);
    servicesMap.items.push(new Pair(keyNode, merged));
    ctx.services.push(new ComposeService(ctx, keyNode, merged, servicesMap));
  }
  return { ctx, errors: [], segments, docs: contexts.map((c) => c.doc) };
}

/**
 * One service's mappings from several files merged: later scalars win, mappings merge key by key,
 * sequences append (command/entrypoint replace). The result holds the files' own pair and item
 * nodes; its last items and its first item come from the last file, so keys a fix adds go there,
 * at that file's indentation.
 */
function mergeServiceMaps(maps: YAMLMap[], resolve: (n: unknown) => unknown): YAMLMap {
  const last = maps[maps.length - 1];
  const merged = mergeMaps(maps, resolve);
  const lead = last.items.find((p) => isScalar(p.key));
  // Lowest precedence (collect walks from the end, first seen wins), so it only sets the indentation.
  if (lead && merged.items[0] !== lead) merged.items.unshift(lead);
  return merged;
}

function mergeMaps(maps: YAMLMap[], resolve: (n: unknown) => unknown): YAMLMap {
  const last = maps[maps.length - 1];
  const order: string[] = [];
  const byKey = new Map<string, Pair[]>();
  const merges: Pair[] = [];
  for (const map of maps) {
    for (const p of map.items) {
      if (!isScalar(p.key)) continue;
      if (p.key.value === '<<' || typeof p.key.value === 'symbol') {
        merges.push(p);
        continue;
      }
      const key = String(p.key.value);
      const list = byKey.get(key);
      if (list) {
        list.push(p);
        // A key keeps the position of its last definition: pairs of the last file end the map.
        order.splice(order.indexOf(key), 1);
        order.push(key);
      } else {
        byKey.set(key, [p]);
        order.push(key);
      }
    }
  }
  const out = new YAMLMap();
  out.range = last.range;
  out.flow = last.flow;
  out.items.push(...merges);
  for (const key of order) out.items.push(mergePairs(key, byKey.get(key)!, resolve));
  return out;
}

function mergePairs(key: string, pairs: Pair[], resolve: (n: unknown) => unknown): Pair {
  const lastPair = pairs[pairs.length - 1];
  if (pairs.length === 1) return lastPair;
  // Only the values since the last one that is neither a map nor a sequence count.
  const values = pairs.map((p) => resolve(p.value));
  let from = values.length - 1;
  const lastValue = values[from];
  const sameKind = (v: unknown) => (isMap(lastValue) ? isMap(v) : isSeq(lastValue) && !REPLACED_SEQUENCES.has(key) ? isSeq(v) : false);
  while (from > 0 && sameKind(values[from - 1])) from--;
  if (from === values.length - 1) return lastPair;
  if (isMap(lastValue)) return new Pair(lastPair.key, mergeMaps(values.slice(from) as YAMLMap[], resolve));
  const seq = new YAMLSeq();
  seq.range = (lastValue as YAMLSeq).range;
  seq.flow = (lastValue as YAMLSeq).flow;
  for (const v of values.slice(from) as YAMLSeq[]) seq.items.push(...v.items);
  return new Pair(lastPair.key, seq);
}

/**
 * A finding of the project context, placed in the file its range falls in (offsets local to that
 * file). One found in a file loaded for `extends` is placed at that `extends` in the service's file.
 */
export function placeProjectFindings(project: ComposeProject, findings: Finding[]): Map<string, Finding[]> {
  const files = project.segments.filter((s) => !s.extendedBy);
  const out = new Map<string, Finding[]>(files.map((s) => [s.file, []]));
  const segmentAt = (offset: number) => project.segments.find((s) => offset >= s.start && offset <= s.end) ?? project.segments[0];
  for (const f of findings) {
    const found = segmentAt(f.range?.start ?? 0);
    const range = found.extendedBy ? found.extendedBy.range : f.range;
    const segment = found.extendedBy ? segmentAt(range!.start) : found;
    const local = (start: number, end: number) => ({ start: start - segment.start, end: end - segment.start });
    const inside = (e: TextEdit) => e.start >= segment.start && e.end <= segment.end;
    out.get(segment.file)!.push({
      ...f,
      ...(found.extendedBy ? { message: `${f.message} (set in ${found.extendedBy.label})` } : {}),
      range: range && local(range.start, Math.min(range.end, segment.end)),
      // A fix whose edits reach into another file is left out: a fix edits one file.
      fixes: f.fixes
        .filter((x) => x.edits.every(inside) && (!x.snippet || (x.snippet.at >= segment.start && x.snippet.at <= segment.end)))
        .map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...local(e.start, e.end), newText: e.newText })), ...(x.snippet ? { snippet: { ...x.snippet, at: x.snippet.at - segment.start } } : {}) })),
    });
  }
  return out;
}
