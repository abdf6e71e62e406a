import { defineRule, type Report } from '../rule';
import { editListEdits, fix, listEntries, svc } from '../compose/checks';
import { rangeOf } from '../compose/values';

export default defineRule({
  meta: {
    id: 'host-devices',
    title: 'Host device exposed',
    severity: 'warning',
    targets: ['compose', 'container'],
    rationale:
      'A host device node in the container (a disk, /dev/mem, /dev/kmsg, a GPU) gives direct access to hardware or kernel interfaces that bypass the container boundary; a raw disk device means the whole host filesystem.',
    remediation: 'Remove `devices` entries the service does not strictly need; when one is needed, restrict it with permissions (`/dev/x:/dev/x:r`).',
    refs: { cis: ['5.18'] },
    examples: {
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    devices:\n      - /dev/mem:/dev/mem\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    read_only: true\n'],
      },
    },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('devices');
      for (const e of listEntries(ctx, field)) {
        if (e.interpolated) continue;
        const text = e.text ?? '(long syntax)';
        reports.push({
          message: `${svc(s)} gets host device ${text.split(':')[0]}`,
          range: rangeOf(e.node),
          // The service may need the hardware.
          fixes: fix(`Remove device ${text.split(':')[0]}`, false, editListEdits(ctx, s, 'devices', field, [e], [])),
        });
      }
    }
    return reports;
  },
  container(ctx) {
    return (ctx.inspect.HostConfig?.Devices ?? []).map((d) => ({
      message: `gets host device ${d.PathOnHost}`,
      evidence: `HostConfig.Devices: ${d.PathOnHost} -> ${d.PathInContainer} (${d.CgroupPermissions})`,
    }));
  },
});
