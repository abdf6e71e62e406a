import { defineRule, type Report } from '../rule';
import { fix, portEntries, removeKeyEdits, svc } from '../compose/checks';
import type { ComposeContext } from '../compose/context';
import type { ComposeService, Field } from '../compose/service';
import { insertServiceKeyEdit } from '../compose/edit';
import type { Fix } from '../model';
import { eolOf } from '../text';
import { pairRange, scalarString } from '../compose/values';
import { sharesHostNamespace } from '../runtime/judge';

/**
 * Removing host networking is only offered where the service's ports are known (its `ports:`,
 * which host networking ignores until then); otherwise a snippet asks for them, because a
 * service without published ports becomes unreachable from the host.
 */
function fixesFor(ctx: ComposeContext, s: ComposeService, field: Field): Fix[] {
  const ports = portEntries(ctx, s);
  const consequence = 'it then reaches the host and other hosts only through published ports, and host services only by address, not localhost';
  if (ports.length) {
    const list = ports.map((p) => `${p.hostPort ? `${p.hostPort}->` : ''}${p.containerPort}/${p.protocol}`).join(', ');
    return fix(`Remove network_mode: host and keep the published ports ${list} (${consequence})`, false, removeKeyEdits(ctx, s, field));
  }
  const at = insertServiceKeyEdit(ctx, s, 'x', { scalar: 'x' });
  const { keyColumn, step } = s.indentation();
  const eol = eolOf(ctx.text);
  const body = eol + [`ports:`, `${' '.repeat(step)}- "\${1:8080}:\${2:8080}"`].map((line) => ' '.repeat(keyColumn) + line).join(eol);
  return [{ title: `Publish the ports the service listens on (fill them in), then remove network_mode: host (${consequence})`, safe: false, edits: [], snippet: { at: at.start, body } }];
}

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
        fixes: fixesFor(ctx, s, field),
      });
    }
    return reports;
  },
  container(ctx) {
    const mode = ctx.inspect.HostConfig?.NetworkMode;
    return sharesHostNamespace(mode) ? [{ message: "shares the host's network namespace", evidence: `HostConfig.NetworkMode=${JSON.stringify(mode)}` }] : [];
  },
});
