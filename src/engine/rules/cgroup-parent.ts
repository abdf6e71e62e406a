import { defineRule, type Report } from '../rule';
import { svc } from '../compose/checks';
import { isInterpolated, pairRange, scalarString } from '../compose/values';

export default defineRule({
  meta: {
    id: 'cgroup-parent',
    title: 'Custom cgroup parent',
    severity: 'info',
    targets: ['compose', 'container'],
    rationale:
      "A custom cgroup parent places the container outside the engine's own cgroup hierarchy, where the limits and accounting set for containers may not apply. It should be a deliberate, reviewed choice.",
    remediation: 'Remove `cgroup_parent` (`--cgroup-parent`) unless the host is set up for it.',
    refs: { cis: ['5.25'] },
    examples: {
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    cgroup_parent: /custom\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    read_only: true\n'],
      },
    },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('cgroup_parent');
      const value = scalarString(field?.value);
      if (!field || !value || isInterpolated(value)) continue;
      reports.push({ message: `${svc(s)} uses a custom cgroup parent (${value})`, range: pairRange(field.pair), fixes: [] });
    }
    return reports;
  },
  container(ctx) {
    const parent = ctx.inspect.HostConfig?.CgroupParent;
    return parent ? [{ message: `uses a custom cgroup parent (${parent})`, evidence: `HostConfig.CgroupParent=${JSON.stringify(parent)}` }] : [];
  },
});
