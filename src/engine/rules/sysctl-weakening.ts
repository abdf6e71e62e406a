import { defineRule, type Report } from '../rule';
import { svc } from '../compose/checks';
import { isInterpolated, mapEntries, pairRange, rangeOf, scalarString, seqItems } from '../compose/values';
import { hostConfigOf } from '../runtime/container';
import type { OffsetRange } from '../model';

/** What a sysctl value turns off or on in the container's network stack, when that weakens it. */
function sysctlProblem(key: string, value: string): string | undefined {
  const k = key.trim().toLowerCase().replace(/\//g, '.');
  const v = value.trim();
  if (/^net\.ipv4\.conf\.[^.]+\.route_localnet$/.test(k) && v !== '0') return `${k}=${v} lets packets from other hosts reach services bound to 127.0.0.1 (the localhost bypass of CVE-2020-8558)`;
  if (/^net\.ipv4\.ip_forward$|^net\.ipv6\.conf\.[^.]+\.forwarding$|^net\.ipv4\.conf\.[^.]+\.forwarding$/.test(k) && v !== '0') return `${k}=${v} makes the container a router between the networks it is attached to`;
  if (/^net\.ipv[46]\.conf\.[^.]+\.accept_(?:redirects|source_route)$/.test(k) && v !== '0') return `${k}=${v} lets other hosts rewrite the container's routes`;
  if (/^net\.ipv4\.conf\.[^.]+\.rp_filter$/.test(k) && v === '0') return `${k}=0 turns off reverse-path filtering: spoofed source addresses are accepted`;
  return undefined;
}

export default defineRule({
  meta: {
    id: 'sysctl-weakening',
    title: 'sysctl that weakens the network stack',
    severity: 'warning',
    targets: ['compose', 'container'],
    rationale:
      'Namespaced sysctls change the container\'s own network stack. Some of them remove protections: route_localnet exposes loopback-only services to the network, forwarding turns the container into a router between networks it joins, accepting redirects or source routes lets other hosts reroute its traffic, and rp_filter=0 accepts spoofed sources. VPN and router containers need forwarding on purpose; everything else should not.',
    remediation: 'Remove the sysctl, or keep it only on the one service that routes traffic (a VPN gateway) and keep that service on its own network.',
    refs: {},
    examples: {
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    sysctls:\n      net.ipv4.conf.all.route_localnet: 1\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    sysctls:\n      net.core.somaxconn: 1024\n'],
      },
    },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('sysctls');
      if (!field) continue;
      // Map form (`net.ipv4.ip_forward: 1`) or list form (`- net.ipv4.ip_forward=1`).
      const entries: { key: string; value: string; range?: OffsetRange }[] = [
        ...mapEntries(ctx, field.value).map((e) => ({ key: e.key, value: scalarString(e.node) ?? '', range: pairRange(e.pair) })),
        ...seqItems(ctx, field.value).map((item) => {
          const [key, value = ''] = (scalarString(item.node) ?? '').split('=', 2);
          return { key, value, range: rangeOf(item.written) };
        }),
      ];
      for (const e of entries) {
        const problem = isInterpolated(e.key + e.value) ? undefined : sysctlProblem(e.key, e.value);
        if (problem) reports.push({ message: `${svc(s)}: ${problem}`, range: e.range ?? pairRange(field.pair) });
      }
    }
    return reports;
  },
  container(ctx) {
    const sysctls = hostConfigOf(ctx.inspect).Sysctls ?? {};
    return Object.entries(sysctls).flatMap(([key, value]) => {
      const problem = sysctlProblem(key, String(value));
      return problem ? [{ message: problem, evidence: `HostConfig.Sysctls.${key}=${String(value)}` }] : [];
    });
  },
});
