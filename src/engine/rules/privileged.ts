import { defineRule, type Report } from '../rule';
import { composeBool, pairRange } from '../compose/values';
import { fix, removeKeyEdits, svc } from '../compose/checks';

export default defineRule({
  meta: {
    id: 'privileged',
    title: 'Container runs privileged',
    severity: 'error',
    targets: ['compose', 'container'],
    rationale:
      'A privileged container gets every capability, all host devices, and no seccomp or AppArmor confinement. A process that escapes its application owns the host.',
    remediation:
      'Remove `privileged: true` (`--privileged`). Grant only the capabilities (`cap_add`) and devices (`devices`) the service really needs.',
    refs: { cis: ['5.5'], kics: ['ae5b6871-7f45-42e0-bb4c-ab300c4d2026'] },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('privileged');
      if (!field || composeBool(field.value) !== true) continue;
      reports.push({
        message: `${svc(s)} runs privileged${field.inherited ? ' (inherited)' : ''}: every capability, all devices, no seccomp/AppArmor`,
        range: pairRange(field.pair),
        // Removing it can break what needed it, hence not safe; a shared anchor is overridden instead.
        fixes: fix(`${field.shared ? `Override with privileged: false in ${svc(s)}` : 'Remove privileged: true'} (devices, capabilities and kernel settings the service used through it then fail: grant those alone)`, false, removeKeyEdits(ctx, s, field, { scalar: 'false' })),
      });
    }
    return reports;
  },
  container(ctx) {
    return ctx.inspect.HostConfig?.Privileged
      ? [{ message: 'runs privileged: every capability, all devices, no seccomp/AppArmor', evidence: 'HostConfig.Privileged=true' }]
      : [];
  },
});
