import { defineRule, type Report } from '../rule';
import { fix, listEditableInPlace, svc, volumeEntries, type VolumeEntry } from '../compose/checks';
import { insertMapKeyEdit, replaceNodeEdit, replacePairValueEdit, scalarLike, suffixScalarEdits } from '../compose/edit';
import type { ComposeContext } from '../compose/context';
import type { ComposeService } from '../compose/service';
import type { TextEdit } from '../model';
import { judgeHostMount } from '../runtime/judge';
import { containerMounts } from '../runtime/container';
import type { Scalar, YAMLMap } from 'yaml';

/** `:ro` on the short syntax (replacing `rw`), `read_only: true` on the long one. */
function readOnlyEdits(ctx: ComposeContext, s: ComposeService, v: VolumeEntry): TextEdit[] | undefined {
  if (!listEditableInPlace(s.get('volumes'), v.entry)) return undefined;
  if (v.long) {
    const map = v.entry.node as YAMLMap;
    const ro = map.items.find((p) => (p.key as Scalar).value === 'read_only');
    return [ro ? replacePairValueEdit(ctx, ro, 'true') : insertMapKeyEdit(ctx, map, 'read_only', { scalar: 'true' })];
  }
  const node = v.entry.node as Scalar;
  if (!v.options.length) return suffixScalarEdits(ctx, node, ':ro');
  const text = String(node.value);
  const options = v.options.filter((o) => o !== 'rw');
  const rewritten = `${text.slice(0, text.length - v.options.join(',').length)}${['ro', ...options].join(',')}`;
  return [replaceNodeEdit(node, scalarLike(node, rewritten))];
}

export default defineRule({
  meta: {
    id: 'sensitive-mount',
    title: 'Sensitive host directory mounted',
    severity: 'error',
    targets: ['compose', 'container'],
    rationale:
      'Mounting /, /etc, /proc, /sys, /boot, /dev, /usr, /lib or the engine\'s data directories lets the container read host secrets and, when writable, change the host: add users, replace binaries, load kernel settings.',
    remediation: 'Mount only the specific files the service needs, read-only (`:ro`); never the host root or system directories read-write.',
    refs: { cis: ['5.6'] },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      for (const v of volumeEntries(ctx, s)) {
        if (v.type !== 'bind' || !v.source) continue;
        const verdict = judgeHostMount(v.source, v.readOnly);
        if (verdict?.rule !== 'sensitive-mount') continue;
        if (verdict.severity === 'warning') {
          reports.push({ message: `${svc(s)} mounts the host's ${verdict.directory} (read-only): host secrets are readable`, range: v.range, severity: 'warning', fixes: [] });
          continue;
        }
        reports.push({
          message: `${svc(s)} mounts ${v.source} from the host read-write: the container can change the host`,
          range: v.range,
          // The service may write there on purpose.
          fixes: fix('Mount it read-only', false, readOnlyEdits(ctx, s, v)),
        });
      }
    }
    return reports;
  },
  container(ctx) {
    const reports: Report[] = [];
    for (const m of containerMounts(ctx.inspect)) {
      if (m.type !== 'bind') continue;
      const verdict = judgeHostMount(m.source, !m.rw);
      if (verdict?.rule !== 'sensitive-mount') continue;
      reports.push({
        message: m.rw ? `mounts ${m.source} from the host read-write: the container can change the host` : `mounts the host's ${verdict.directory} (read-only): host secrets are readable`,
        evidence: `Mounts: ${m.source} -> ${m.destination} (${m.rw ? 'rw' : 'ro'})`,
        severity: verdict.severity === 'warning' ? 'warning' : undefined,
      });
    }
    return reports;
  },
});
