import { isMap, isScalar, type Pair, type Scalar } from 'yaml';
import { defineRule } from '../rule';
import { removePairEdit } from '../compose/edit';

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
    refs: { cis: ['5.5'], checkov: ['CKV_DOCKER_9'], kics: ['ae5b6871-7f45-42e0-bb4c-ab300c4d2026'], trivy: [] },
  },
  compose(ctx) {
    const services = ctx.doc.get('services');
    if (!isMap(services)) return [];
    const reports = [];
    for (const service of services.items) {
      if (!isMap(service.value)) continue;
      const pair = service.value.items.find((p) => isScalar(p.key) && p.key.value === 'privileged') as Pair<Scalar, unknown> | undefined;
      if (!pair || !isScalar(pair.value) || pair.value.value !== true) continue;
      const range = pair.key.range;
      reports.push({
        message: `service "${String((service.key as Scalar).value)}" runs privileged`,
        range: range ? { start: range[0], end: (pair.value as Scalar).range?.[1] ?? range[1] } : undefined,
        fixes: [{ title: 'Remove privileged: true', safe: false, preferred: true, edits: [removePairEdit(ctx, pair)] }],
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
