import { defineRule, type Report } from '../rule';
import { fix, removeKeyEdits, svc } from '../compose/checks';
import { pairRange, scalarString } from '../compose/values';
import { sharesHostNamespace } from '../runtime/judge';

export default defineRule({
  meta: {
    id: 'host-network',
    title: "Host's network namespace shared",
    severity: 'error',
    targets: ['compose', 'container'],
    rationale:
      "With the host's network namespace the container sees every host interface, can bind any host port, reach services listening on localhost (including the Docker API on tcp://127.0.0.1) and sniff traffic with NET_RAW.",
    remediation: 'Remove `network_mode: host` (`--network host`); publish the needed ports instead.',
    refs: { cis: ['5.10'] },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('network_mode');
      if (!field || !sharesHostNamespace(scalarString(field.value))) continue;
      reports.push({
        message: `${svc(s)} shares the host's network namespace (network_mode: host)`,
        range: pairRange(field.pair),
        // Ports then need publishing; a shared anchor cannot be overridden back to "the project network".
        fixes: fix('Remove network_mode: host', false, removeKeyEdits(ctx, s, field)),
      });
    }
    return reports;
  },
  container(ctx) {
    const mode = ctx.inspect.HostConfig?.NetworkMode;
    return sharesHostNamespace(mode) ? [{ message: "shares the host's network namespace", evidence: `HostConfig.NetworkMode=${JSON.stringify(mode)}` }] : [];
  },
});
