import { defineRule, type Report } from '../rule';
import { fix, listEditableInPlace, svc, volumeEntries } from '../compose/checks';
import { removePairEdit, replaceNodeEdit, scalarLike } from '../compose/edit';
import { mapGet } from '../compose/values';
import { isSharedPropagation } from '../runtime/judge';
import { containerMounts } from '../runtime/container';
import type { Scalar } from 'yaml';

export default defineRule({
  meta: {
    id: 'mount-propagation',
    title: 'Shared mount propagation',
    severity: 'warning',
    targets: ['compose', 'container'],
    rationale:
      'With shared (rshared) propagation, mounts the container makes inside the volume appear on the host and in other containers, and the other way round: a container can change what the host sees.',
    remediation: 'Remove `shared`/`rshared` from the volume options (`bind.propagation` in the long syntax); the default is rprivate.',
    refs: { cis: ['5.20'] },
    examples: {
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    volumes:\n      - /srv/data:/data:rshared\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    volumes:\n      - /srv/data:/data\n'],
      },
    },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      for (const v of volumeEntries(ctx, s)) {
        if (!isSharedPropagation(v.propagation)) continue;
        let edits;
        if (listEditableInPlace(s.get('volumes'), v.entry)) {
          if (v.long) {
            const bind = mapGet(ctx, v.entry.node, 'bind');
            const prop = bind && mapGet(ctx, bind.node, 'propagation');
            if (prop) edits = [removePairEdit(ctx, prop.pair, bind.node as never)];
            // An emptied `bind:` mapping is still valid compose; leave it.
          } else {
            const node = v.entry.node as Scalar;
            const text = String(node.value);
            const options = v.options.filter((o) => !isSharedPropagation(o));
            const head = text.slice(0, text.length - v.options.join(',').length - 1);
            edits = [replaceNodeEdit(node, scalarLike(node, options.length ? `${head}:${options.join(',')}` : head))];
          }
        }
        reports.push({
          message: `${svc(s)} mounts ${v.target ?? 'a volume'} with ${v.propagation} propagation: mounts leak between container and host`,
          range: v.range,
          fixes: fix('Remove shared propagation', false, edits),
        });
      }
    }
    return reports;
  },
  container(ctx) {
    return containerMounts(ctx.inspect)
      .filter((m) => isSharedPropagation(m.propagation))
      .map((m) => ({ message: `mount ${m.destination} uses ${m.propagation} propagation: mounts leak between container and host`, evidence: `Mounts: ${m.source} -> ${m.destination} propagation=${m.propagation}` }));
  },
});
