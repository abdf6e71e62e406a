import { isMap, isScalar, isSeq, type Scalar, type YAMLMap } from 'yaml';
import { createComposeContext, type ComposeContext } from '../compose/context';
import { appendSeqItemEdit, insertMapKeyEdit, prefixScalarEdits, removePairEdit, replacePairValueEdit, setServiceKeyEdit, yamlString, type NewValue } from '../compose/edit';
import type { ComposeService } from '../compose/service';
import type { TextEdit } from '../model';
import { hasHostIp, type HardenChange } from './derive';
import type { PublishedPort } from './evidence';

/** Security options Bulkhead sets itself; older values of them are replaced. */
const OWN_SECURITY_OPT = /^(seccomp|no-new-privileges)[=:]/;

function findService(text: string, name: string): { ctx?: ComposeContext; service?: ComposeService; error?: string } {
  const { ctx, errors } = createComposeContext(text);
  if (!ctx) return { error: errors[0]?.message ?? 'cannot parse the compose file' };
  const service = ctx.services.find((s) => s.name === name);
  if (!service) return { error: `service "${name}" is not in this compose file` };
  return { ctx, service };
}

/** The service's own short-syntax `ports:` items (long syntax is left alone). */
export function servicePorts(text: string, name: string): PublishedPort[] {
  const { service } = findService(text, name);
  const ports = service?.get('ports')?.value;
  if (!isSeq(ports)) return [];
  return ports.items.filter((i): i is Scalar => isScalar(i)).map((i) => ({ text: String(i.value) }));
}

/** Whether the service has (or inherits) a healthcheck that is not disabled. */
export function hasHealthcheck(text: string, name: string): boolean {
  const { service } = findService(text, name);
  const value = service?.get('healthcheck')?.value;
  return isMap(value) && value.get('disable') !== true;
}

const scalarOf = (v: unknown): string => (typeof v === 'string' ? yamlString(v) : JSON.stringify(v));
const flowOf = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(flowOf).join(', ')}]` : v !== null && typeof v === 'object' ? `{${Object.entries(v).map(([k, x]) => `${k}: ${flowOf(x)}`).join(', ')}}` : scalarOf(v);

/**
 * The text edits that give one service the changes: lists are set in flow style on the
 * service's own mapping (security_opt and tmpfs keep their other entries, volumes get items
 * appended), named volumes are declared at the top level. Everything else in the file stays
 * as written; applying the edits to their result again changes nothing.
 */
export function hardeningEdits(text: string, serviceName: string, changes: readonly HardenChange[], namedVolumes: readonly string[]): { edits: TextEdit[]; error?: string } {
  const { ctx, service, error } = findService(text, serviceName);
  if (!ctx || !service) return { edits: [], error };
  if (service.map.flow) return { edits: [], error: `service "${serviceName}" is written in flow style ({…}); harden it by hand` };
  const edits: TextEdit[] = [];
  const ownItems = (key: string) => {
    const v = service.ownPair(key)?.value;
    return isSeq(v) ? v.items.filter((i): i is Scalar => isScalar(i)).map((i) => String(i.value)) : [];
  };
  const merged = (key: string) => changes.filter((c) => c.key === key).flatMap((c) => c.value as string[]);
  const setList = (key: string, list: string[]) => {
    const pair = service.ownPair(key);
    if (!list.length) {
      if (pair) edits.push(removePairEdit(ctx, pair, service.map));
      return;
    }
    const value: NewValue = { list: list.map((s) => yamlString(s)) };
    const current = ownItems(key);
    if (pair && current.length === list.length && current.every((v, i) => v === list[i])) return;
    edits.push(setServiceKeyEdit(ctx, service, key, value));
  };
  const setScalar = (key: string, value: string) => {
    const pair = service.ownPair(key);
    if (pair && isScalar(pair.value) && ctx.text.slice(pair.value.range![0], pair.value.range![1]) === value) return;
    edits.push(setServiceKeyEdit(ctx, service, key, { scalar: value }));
  };

  for (const key of new Set(changes.map((c) => c.key))) {
    const change = changes.find((c) => c.key === key)!;
    switch (key) {
      case 'cap_drop':
      case 'cap_add':
        setList(key, [...new Set(merged(key))].sort());
        break;
      case 'security_opt': {
        const ours = merged(key);
        setList(key, [...ownItems(key).filter((o) => !OWN_SECURITY_OPT.test(o)), ...ours]);
        break;
      }
      case 'tmpfs': {
        const own = ownItems(key);
        setList(key, [...own, ...merged(key).filter((t) => !own.some((o) => o.split(':')[0] === t))]);
        break;
      }
      case 'volumes': {
        const pair = service.ownPair('volumes');
        const own = ownItems('volumes');
        const fresh = merged(key).filter((v) => !own.includes(v));
        if (!fresh.length) break;
        if (isSeq(pair?.value) && !(pair.value).flow && pair.value.items.length) {
          for (const v of fresh) edits.push(appendSeqItemEdit(ctx, pair.value, yamlString(v)));
        } else setList('volumes', [...own, ...fresh]);
        break;
      }
      case 'ports': {
        const ports = service.ownPair('ports')?.value;
        if (!isSeq(ports)) break;
        for (const item of ports.items) if (isScalar(item) && !hasHostIp(String(item.value))) edits.push(...prefixScalarEdits(ctx, item, '127.0.0.1:'));
        break;
      }
      case 'healthcheck':
        setScalar(key, flowOf(change.value));
        break;
      default:
        setScalar(key, scalarOf(change.value));
    }
  }
  edits.push(...topLevelVolumeEdits(ctx, namedVolumes));
  return { edits };
}

function topLevelVolumeEdits(ctx: ComposeContext, names: readonly string[]): TextEdit[] {
  if (!names.length) return [];
  const root = ctx.doc.contents;
  if (!isMap(root)) return [];
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === 'volumes');
  const declared = isMap(pair?.value) ? (pair.value as YAMLMap) : undefined;
  const missing = names.filter((n) => !declared?.has(n));
  if (!missing.length) return [];
  if (declared) return missing.map((n) => insertMapKeyEdit(ctx, declared, n, { scalar: '{}' }));
  const flow = `{${missing.map((n) => `${n}: {}`).join(', ')}}`;
  if (pair) return [replacePairValueEdit(ctx, pair, flow)];
  return [insertMapKeyEdit(ctx, root, 'volumes', { scalar: flow }, { keyColumn: 0, step: 2 })];
}
