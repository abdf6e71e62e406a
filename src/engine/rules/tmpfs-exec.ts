import { defineRule, type Report } from '../rule';
import { editListEdits, fix, listEntries, svc } from '../compose/checks';
import { rangeOf } from '../compose/values';
import { tmpfsProtectionsOff } from '../runtime/judge';
import { hostConfigOf } from '../runtime/container';

export default defineRule({
  meta: {
    id: 'tmpfs-exec',
    title: 'tmpfs mounted exec or suid',
    severity: 'info',
    targets: ['compose', 'container'],
    rationale:
      'The engine mounts tmpfs noexec,nosuid,nodev by default. An explicit `exec` (or `suid`, `dev`) turns a writable scratch directory into a place to drop and run tools, which defeats a read-only root filesystem.',
    remediation: 'Remove `exec`, `suid` and `dev` from the tmpfs options unless the service really executes files from there.',
    refs: {},
    examples: {
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    tmpfs:\n      - /tmp:exec\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    tmpfs:\n      - /tmp:noexec,nosuid\n'],
      },
    },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('tmpfs');
      for (const e of listEntries(ctx, field)) {
        if (e.text === undefined || e.interpolated) continue;
        const colon = e.text.indexOf(':');
        const off = colon === -1 ? [] : tmpfsProtectionsOff(e.text.slice(colon + 1));
        if (!off.length) continue;
        const kept = e.text.slice(colon + 1).split(',').filter((o) => !/^(?:exec|suid|dev)$/i.test(o.trim()));
        const replacement = JSON.stringify(kept.length ? `${e.text.slice(0, colon)}:${kept.join(',')}` : e.text.slice(0, colon));
        reports.push({
          message: `${svc(s)} mounts tmpfs ${e.text.slice(0, colon)} without ${off.join(', ')}`,
          range: rangeOf(e.node),
          fixes: fix(`Remove ${off.map((o) => o.slice(2)).join(', ')} from the tmpfs options`, false, editListEdits(ctx, s, 'tmpfs', field, [e], [replacement])),
        });
      }
    }
    return reports;
  },
  container(ctx) {
    const reports: Report[] = [];
    for (const [path, options] of Object.entries(hostConfigOf(ctx.inspect).Tmpfs ?? {})) {
      const off = tmpfsProtectionsOff(options);
      if (off.length) reports.push({ message: `mounts tmpfs ${path} without ${off.join(', ')}`, evidence: `HostConfig.Tmpfs[${JSON.stringify(path)}]=${JSON.stringify(options)}` });
    }
    return reports;
  },
});
