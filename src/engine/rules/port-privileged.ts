import { defineRule, type Report } from '../rule';
import { portEntries, svc } from '../compose/checks';
import { isPrivilegedHostPort } from '../runtime/judge';
import { containerPorts } from '../runtime/container';

export default defineRule({
  meta: {
    id: 'port-privileged',
    title: 'Privileged host port',
    severity: 'info',
    targets: ['compose', 'container'],
    rationale:
      'Host ports below 1024 are reserved for system services. Mapping one to a container makes it look like such a service (and needs the engine\'s privileges to bind), which is rarely needed behind a proxy.',
    remediation: 'Publish on a port of 1024 or above (e.g. `8080:80`) unless the service must answer on the well-known port.',
    refs: { cis: ['5.8'] },
    examples: {
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    ports:\n      - "127.0.0.1:80:8080"\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    ports:\n      - "127.0.0.1:8080:8080"\n'],
      },
    },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      for (const p of portEntries(ctx, s)) {
        if (!isPrivilegedHostPort(p.hostPort)) continue;
        reports.push({ message: `${svc(s)} publishes on privileged host port ${p.hostPort}`, range: p.range, fixes: [] });
      }
    }
    return reports;
  },
  container(ctx) {
    return containerPorts(ctx.inspect)
      .filter((p) => isPrivilegedHostPort(p.hostPort))
      .map((p) => ({ message: `publishes on privileged host port ${p.hostPort}`, evidence: `HostConfig.PortBindings["${p.containerPort}/${p.protocol}"] HostPort=${JSON.stringify(p.hostPort)}` }));
  },
});
