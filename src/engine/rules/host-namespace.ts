import { defineRule, type Report } from '../rule';
import { fix, removeKeyEdits, svc } from '../compose/checks';
import { pairRange, scalarString } from '../compose/values';
import { NAMESPACE_CIS, sharesHostNamespace, type HostNamespace } from '../runtime/judge';
import type { ContainerInspect } from '../runtime/container';

const KINDS: { ns: HostNamespace; composeKey: string; inspectKey: keyof NonNullable<ContainerInspect['HostConfig']>; what: string; severity?: 'error' }[] = [
  { ns: 'pid', composeKey: 'pid', inspectKey: 'PidMode', what: "the host's process namespace: it sees and can signal every host process", severity: 'error' },
  { ns: 'ipc', composeKey: 'ipc', inspectKey: 'IpcMode', what: "the host's IPC namespace: shared memory of host processes is reachable" },
  { ns: 'uts', composeKey: 'uts', inspectKey: 'UTSMode', what: "the host's UTS namespace: it can change the host's hostname" },
  { ns: 'userns', composeKey: 'userns_mode', inspectKey: 'UsernsMode', what: "the host's user namespace: user namespace remapping is off for it" },
];

export default defineRule({
  meta: {
    id: 'host-namespace',
    title: "Host's PID, IPC, UTS or user namespace shared",
    severity: 'warning',
    severityWhen: { error: 'the host\'s PID namespace is shared' },
    targets: ['compose', 'container'],
    rationale:
      "Namespaces are what make a container a container. Sharing the host's PID namespace exposes every host process (and their environment and memory to ptrace); IPC exposes shared memory; UTS lets it rename the host; userns host turns off the daemon's user remapping.",
    remediation: 'Remove `pid: host`, `ipc: host`, `uts: host` and `userns_mode: host` (`--pid/--ipc/--uts/--userns host`).',
    refs: { cis: ['5.16', '5.17', '5.21', '5.31'] },
    examples: {
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    pid: host\n', 'services:\n  app:\n    image: example/app:1.0\n    ipc: host\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    pid: "service:sidecar"\n'],
      },
    },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      for (const kind of KINDS) {
        const field = s.get(kind.composeKey);
        if (!field || !sharesHostNamespace(scalarString(field.value))) continue;
        reports.push({
          message: `${svc(s)} shares ${kind.what} (CIS ${NAMESPACE_CIS[kind.ns]})`,
          range: pairRange(field.pair),
          severity: kind.severity,
          fixes: fix(`Remove ${kind.composeKey}: host`, false, removeKeyEdits(ctx, s, field)),
        });
      }
    }
    return reports;
  },
  container(ctx) {
    const reports: Report[] = [];
    for (const kind of KINDS) {
      const mode = ctx.inspect.HostConfig?.[kind.inspectKey];
      if (typeof mode === 'string' && sharesHostNamespace(mode)) {
        reports.push({ message: `shares ${kind.what} (CIS ${NAMESPACE_CIS[kind.ns]})`, evidence: `HostConfig.${String(kind.inspectKey)}=${JSON.stringify(mode)}`, severity: kind.severity });
      }
    }
    return reports;
  },
});
