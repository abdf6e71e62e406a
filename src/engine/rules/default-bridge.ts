import { defineRule, type Report } from '../rule';
import { fix, removeKeyEdits, svc } from '../compose/checks';
import { pairRange, scalarString } from '../compose/values';

export default defineRule({
  meta: {
    id: 'default-bridge',
    title: 'Default bridge network (docker0)',
    severity: 'info',
    targets: ['compose', 'container'],
    rationale:
      'All containers on the default bridge can reach each other, and it has no embedded DNS by name. A user-defined network (what compose creates per project) isolates unrelated containers.',
    remediation: 'Remove `network_mode: bridge` so compose uses the project network, or attach the container to a user-defined network (`docker network create`, `--network NAME`).',
    refs: { cis: ['5.30'] },
    examples: {
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    network_mode: bridge\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    networks:\n      - backend\nnetworks:\n  backend: {}\n'],
      },
    },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('network_mode');
      const mode = scalarString(field?.value);
      if (!field || mode === undefined || !/^(?:bridge|default)$/i.test(mode.trim())) continue;
      reports.push({
        message: `${svc(s)} uses the default bridge network (network_mode: ${mode})`,
        range: pairRange(field.pair),
        // The service changes network: other containers on docker0 no longer reach it.
        fixes: fix('Remove network_mode (use the project network)', false, removeKeyEdits(ctx, s, field)),
      });
    }
    return reports;
  },
  container(ctx) {
    const mode = ctx.inspect.HostConfig?.NetworkMode ?? '';
    return /^(?:bridge|default)$/.test(mode) ? [{ message: 'uses the default bridge network (docker0)', evidence: `HostConfig.NetworkMode=${JSON.stringify(mode)}` }] : [];
  },
});
