import { isMap, isScalar, isSeq, type YAMLSeq } from 'yaml';
import type { Fix, OffsetRange, TextEdit } from '../model';
import type { ComposeContext } from './context';
import type { ComposeService, Field } from './service';
import { appendSeqItemEdit, insertServiceKeyEdit, removePairEdit, removeSeqItemEdit, replaceNodeEdit, setServiceKeyEdit, flowItemText, type NewValue } from './edit';
import { isInterpolated, mapGet, rangeOf, scalarString, seqItems, type Item } from './values';

// Helpers the compose side of rules share: reading list/volume/port entries of a merged service,
// and the edits that fix them where the value really lives without spreading to other services.

export interface ListEntry extends Item {
  /** The scalar's value; undefined for non-scalars. */
  text?: string;
  /** Contains `${…}`: compose decides at run time, so rules never judge it. */
  interpolated: boolean;
}

/** The entries of a list-valued key (`cap_add`, `security_opt`, `devices`…) of the merged service. */
export function listEntries(ctx: ComposeContext, field: Field | undefined): ListEntry[] {
  if (!field) return [];
  if (isScalar(field.value) && typeof field.value.value === 'string') {
    // `tmpfs: /tmp` and similar accept one string.
    const text = scalarString(field.value)!;
    return [{ node: field.value, written: field.pair.value, index: 0, text, interpolated: isInterpolated(text) }];
  }
  return seqItems(ctx, field.value).map((item) => {
    const text = scalarString(item.node);
    return { ...item, text, interpolated: text !== undefined && isInterpolated(text) };
  });
}

/** Whether the list can be edited in place: it lives in this service or in an anchor only it uses. */
function editableInPlace(field: Field): boolean {
  return isSeq(field.value) && !field.shared && !field.valueShared;
}

/**
 * Edits that remove some entries and/or append new ones to a list-valued key. In place when the
 * list is the service's own (or an anchor only it uses); otherwise the service gets its own
 * complete list, so a shared anchor or base service keeps its value for the others.
 */
export function editListEdits(ctx: ComposeContext, service: ComposeService, key: string, field: Field | undefined, remove: readonly Item[], add: readonly string[]): TextEdit[] {
  if (!field) return add.length ? [insertServiceKeyEdit(ctx, service, key, { list: [...add] })] : [];
  const removed = new Set(remove.map((r) => r.index));
  // `key:` with no value is null: nothing to keep.
  const all = isSeq(field.value) ? field.value.items : isScalar(field.value) && field.value.value !== null ? [field.value] : [];
  const kept = all.filter((_, i) => !removed.has(i));
  if (editableInPlace(field)) {
    const seq = field.value as YAMLSeq;
    if (!kept.length && !add.length) return [removePairEdit(ctx, field.pair, field.owner)];
    // A removed item and an added one become one replacement, so the list is never left empty
    // and an append never lands inside a removed line.
    const pending = [...add];
    const edits: TextEdit[] = [];
    for (const r of remove) edits.push(pending.length ? replaceNodeEdit(seq.items[r.index], pending.shift()!) : removeSeqItemEdit(ctx, seq, r.index));
    for (const a of pending) edits.push(appendSeqItemEdit(ctx, seq, a));
    return mergeInsertions(edits);
  }
  const list = [...kept.map((n) => flowItemText(ctx, n)), ...add];
  return [setServiceKeyEdit(ctx, service, key, list.length ? { list } : { list: [] })];
}

/** Several insertions at one offset become one edit, so their order is kept. */
function mergeInsertions(edits: TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) {
    const same = out.find((o) => o.start === e.start && o.end === o.start && e.end === e.start);
    if (same) same.newText += e.newText;
    else out.push({ ...e });
  }
  return out;
}

/**
 * Removes a key the service should not have: where it lives when only this service would change,
 * else by overriding it in the service (when an override value exists that restores the default).
 */
export function removeKeyEdits(ctx: ComposeContext, service: ComposeService, field: Field, override?: NewValue): TextEdit[] | undefined {
  if (!field.shared) return [removePairEdit(ctx, field.pair, field.owner)];
  if (!override) return undefined;
  return [setServiceKeyEdit(ctx, service, field.key, override)];
}

/** Sets a scalar key: in place when only this service would change, else overridden in the service. */
export function setScalarEdits(ctx: ComposeContext, service: ComposeService, key: string, field: Field | undefined, scalar: string): TextEdit[] {
  if (field && !field.shared && isScalar(field.value) && !field.viaAlias) {
    const r = rangeOf(field.value)!;
    return [{ start: r.start, end: r.end, newText: scalar }];
  }
  return [setServiceKeyEdit(ctx, service, key, { scalar })];
}

export function fix(title: string, safe: boolean, edits: TextEdit[] | undefined, extra: Partial<Fix> = {}): Fix[] {
  return edits && edits.length ? [{ title, safe, preferred: true, edits, ...extra }] : [];
}

export const svc = (s: ComposeService) => `service "${s.name}"${profilesText(s)}`;

/** ` (profile "debug")`: a service only some runs start, named so a reader knows when it matters. */
function profilesText(s: ComposeService): string {
  const profiles = s.profiles();
  if (!profiles.length) return '';
  return ` (${profiles.length > 1 ? 'profiles' : 'profile'} ${profiles.map((p) => `"${p}"`).join(', ')})`;
}

/** Services named in a shared finding's message; the rest are counted. */
const MAX_NAMED_SERVICES = 12;

/** `service "a"`, or `3 services ("a", "b", "c")` for a value several services share (an anchor). */
export function servicesText(services: readonly ComposeService[]): string {
  if (services.length === 1) return svc(services[0]);
  const names = services.slice(0, MAX_NAMED_SERVICES).map((s) => `"${s.name}"`).join(', ');
  const more = services.length > MAX_NAMED_SERVICES ? ` and ${services.length - MAX_NAMED_SERVICES} more` : '';
  return `${services.length} services (${names}${more})`;
}

// ---- volumes ---------------------------------------------------------------------------------

export interface VolumeEntry {
  entry: ListEntry;
  long: boolean;
  type: 'bind' | 'volume' | 'tmpfs' | 'other';
  source?: string;
  target?: string;
  readOnly: boolean;
  propagation?: string;
  /** Short syntax options after the second colon (`ro`, `rshared`, `z`…). */
  options: string[];
  /** Where the source is written (for findings). */
  range?: OffsetRange;
}

/** Short (`/src:/dst:ro,rshared`) and long (`{type: bind, source, target, read_only, bind: {propagation}}`) volume syntax. */
export function volumeEntries(ctx: ComposeContext, service: ComposeService): VolumeEntry[] {
  return service.cached('volumes', () => readVolumes(ctx, service));
}

function readVolumes(ctx: ComposeContext, service: ComposeService): VolumeEntry[] {
  const out: VolumeEntry[] = [];
  for (const entry of listEntries(ctx, service.get('volumes'))) {
    if (entry.text !== undefined) {
      if (entry.interpolated) continue;
      const parts = splitVolume(entry.text);
      if (!parts) continue;
      const [source, target, opts] = parts;
      const options = opts ? opts.split(',').map((o) => o.trim()).filter(Boolean) : [];
      const bind = source !== undefined && /^(?:\/|\.|~)/.test(source);
      out.push({
        entry,
        long: false,
        type: source === undefined ? 'volume' : bind ? 'bind' : 'volume',
        source,
        target,
        readOnly: options.includes('ro'),
        propagation: options.find((o) => /^r?(?:shared|slave|private)$/.test(o)),
        options,
        range: rangeOf(entry.node),
      });
    } else if (isMap(entry.node)) {
      const map = entry.node;
      const str = (k: string) => scalarString(mapGet(ctx, map, k)?.node);
      const values = [str('type'), str('source'), str('target')];
      if (values.some((v) => v !== undefined && isInterpolated(v))) continue;
      const type = (values[0] ?? 'volume') as VolumeEntry['type'];
      const ro = scalarString(mapGet(ctx, map, 'read_only')?.node);
      const bindOpts = mapGet(ctx, map, 'bind')?.node;
      out.push({
        entry,
        long: true,
        type: ['bind', 'volume', 'tmpfs'].includes(type) ? type : 'other',
        source: values[1],
        target: values[2],
        readOnly: ro === 'true' || ro === 'yes',
        propagation: scalarString(mapGet(ctx, bindOpts, 'propagation')?.node),
        options: [],
        range: rangeOf(mapGet(ctx, map, 'source')?.pair.value ?? map),
      });
    }
  }
  return out;
}

/** `src:dst[:opts]` or `dst`; Windows drive letters (`C:\x:/y`) kept whole. */
function splitVolume(text: string): [string | undefined, string, string | undefined] | undefined {
  const parts: string[] = [];
  let rest = text;
  while (rest.length) {
    const drive = /^[A-Za-z]:[\\/]/.test(rest) ? 2 : 0;
    const i = rest.indexOf(':', drive);
    if (i === -1) {
      parts.push(rest);
      break;
    }
    parts.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  if (parts.length === 1) return [undefined, parts[0], undefined];
  if (parts.length === 2) return [parts[0], parts[1], undefined];
  if (parts.length === 3) return [parts[0], parts[1], parts[2]];
  return undefined;
}

// ---- ports -----------------------------------------------------------------------------------

export interface PortEntry {
  entry: ListEntry;
  long: boolean;
  hostIp?: string;
  hostPort?: string;
  containerPort?: string;
  protocol: string;
  range?: OffsetRange;
}

/** Short (`127.0.0.1:8080:80/tcp`) and long (`{target, published, host_ip, protocol}`) port syntax. */
export function portEntries(ctx: ComposeContext, service: ComposeService): PortEntry[] {
  return service.cached('ports', () => readPorts(ctx, service));
}

function readPorts(ctx: ComposeContext, service: ComposeService): PortEntry[] {
  const out: PortEntry[] = [];
  for (const entry of listEntries(ctx, service.get('ports'))) {
    if (isScalar(entry.node)) {
      const text = scalarString(entry.node) ?? '';
      if (isInterpolated(text)) continue;
      const m = /^(?:(?:(\[[^\]]*\]|[^:[\]]*):)?([\d-]*):)?([\d-]+)(?:\/(\w+))?$/.exec(text.trim());
      if (!m) continue;
      out.push({ entry, long: false, hostIp: m[1]?.replace(/^\[|\]$/g, ''), hostPort: m[2] || undefined, containerPort: m[3], protocol: (m[4] ?? 'tcp').toLowerCase(), range: rangeOf(entry.node) });
    } else if (isMap(entry.node)) {
      const get = (k: string) => scalarString(mapGet(ctx, entry.node, k)?.node);
      const values = [get('host_ip'), get('published'), get('target'), get('protocol')];
      if (values.some((v) => v !== undefined && isInterpolated(v))) continue;
      out.push({ entry, long: true, hostIp: values[0], hostPort: values[1], containerPort: values[2], protocol: (values[3] ?? 'tcp').toLowerCase(), range: rangeOf(entry.node) });
    }
  }
  return out;
}

/** Items of the service's ports/volumes list can be edited in place (not shared through an anchor). */
export function listEditableInPlace(field: Field | undefined, entry: ListEntry): boolean {
  return !!field && isSeq(field.value) && !field.shared && !field.valueShared && entry.written === entry.node;
}
