import { defineRule, type Report } from '../rule';
import { fix, listEditableInPlace, portEntries, svc, type PortEntry } from '../compose/checks';
import type { ComposeContext } from '../compose/context';
import type { ComposeService } from '../compose/service';
import { prefixScalarEdits, replaceNodeEdit, replacePairValueEdit, scalarLike } from '../compose/edit';
import type { TextEdit } from '../model';
import { bindsAllInterfaces } from '../runtime/judge';
import { containerPorts } from '../runtime/container';
import type { Scalar, YAMLMap } from 'yaml';
import { isVpnLike } from '../images/roles';

/** `127.0.0.1:` in front of the short syntax (`127.0.0.1::80` for a container-only port), `host_ip` in the long one. */
function loopbackEdits(ctx: ComposeContext, s: ComposeService, p: PortEntry): TextEdit[] | undefined {
  if (!listEditableInPlace(s.get('ports'), p.entry)) return undefined;
  if (p.long) {
    const map = p.entry.node as YAMLMap;
    const hostIp = map.items.find((i) => (i.key as Scalar).value === 'host_ip');
    if (hostIp) return [replacePairValueEdit(ctx, hostIp, '127.0.0.1')];
    // docker-compose 1.x rejects `host_ip` in the long syntax; the equivalent short entry works
    // in every version, so a plain target/published/protocol mapping is rewritten to it.
    const keys = map.items.map((i) => String((i.key as Scalar).value));
    if (!p.containerPort || keys.some((k) => !['target', 'published', 'protocol'].includes(k))) return undefined;
    const short = `127.0.0.1:${p.hostPort ?? ''}:${p.containerPort}${p.protocol !== 'tcp' ? `/${p.protocol}` : ''}`;
    const r = map.range!;
    let end = r[1];
    while (end > r[0] && /\s/.test(ctx.text[end - 1])) end--;
    return [{ start: r[0], end, newText: JSON.stringify(short) }];
  }
  const node = p.entry.node as Scalar;
  const text = String(node.value);
  if (p.hostIp !== undefined) {
    // `0.0.0.0:8080:80` / `[::]:8080:80`: replace the address.
    return [replaceNodeEdit(node, scalarLike(node, `127.0.0.1${text.slice(text.indexOf(':', p.hostIp.startsWith(':') ? 3 : 0))}`))];
  }
  return prefixScalarEdits(ctx, node, p.hostPort === undefined ? '127.0.0.1::' : '127.0.0.1:');
}

export default defineRule({
  meta: {
    id: 'port-all-interfaces',
    title: 'Port published on all interfaces',
    severity: 'warning',
    targets: ['compose', 'container'],
    rationale:
      'A port published without a host address listens on every interface of the host, public ones included, and Docker\'s iptables rules bypass host firewalls such as ufw. Services meant for the host or a reverse proxy become reachable from the network.',
    remediation: 'Bind the port to a specific address: `127.0.0.1:8080:80` (or `host_ip: 127.0.0.1`), or to the one interface that should serve it.',
    refs: { cis: ['5.14'] },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      for (const p of portEntries(ctx, s)) {
        if (!bindsAllInterfaces(p.hostIp)) continue;
        reports.push({
          message: `${svc(s)} publishes port ${p.hostPort ? `${p.hostPort}->` : ''}${p.containerPort} on all host interfaces`,
          range: p.range,
          // UDP services (VPN, DNS, game and media servers) exist to be reached from other hosts:
          // binding them to loopback breaks them, so no fix is offered there.
          fixes: p.protocol === 'udp' || isVpnLike(ctx, s) ? [] : fix('Bind to 127.0.0.1 only (other hosts can no longer connect: only the host itself and a local reverse proxy)', false, loopbackEdits(ctx, s, p)),
        });
      }
    }
    return reports;
  },
  container(ctx) {
    return containerPorts(ctx.inspect)
      .filter((p) => bindsAllInterfaces(p.hostIp))
      .map((p) => ({ message: `publishes ${p.containerPort}/${p.protocol} on all host interfaces (host port ${p.hostPort || 'random'})`, evidence: `HostConfig.PortBindings["${p.containerPort}/${p.protocol}"] HostIp=${JSON.stringify(p.hostIp)}` }));
  },
});
