import { defineRule, type Report } from '../rule';
import { fix, setScalarEdits, svc } from '../compose/checks';
import { insertServiceKeyEdit } from '../compose/edit';
import { composeBool, pairRange } from '../compose/values';
import { isVpnLike } from '../images/roles';

export default defineRule({
  meta: {
    id: 'read-only-rootfs',
    title: 'Writable root filesystem',
    severity: 'warning',
    targets: ['compose', 'container'],
    rationale:
      'With a writable root filesystem an intruder can drop tools, replace binaries and persist inside the container. A read-only root with explicit writable volumes or tmpfs for the few paths that need it makes the container immutable.',
    remediation: 'Add `read_only: true` (`--read-only`) and mount a `tmpfs` (e.g. /tmp) or a volume where the service writes.',
    refs: { cis: ['5.13'] },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('read_only');
      const value = field ? composeBool(field.value) : undefined;
      if (value === true || (field && value === undefined)) continue;
      if (!field && s.partial) continue;
      // A service that writes outside its volumes fails at run time: not safe. A VPN writes its
      // generated keys and configuration at start: not offered there.
      reports.push({
        message: field ? `${svc(s)} sets read_only: false: its root filesystem is writable` : `${svc(s)} has a writable root filesystem (no read_only: true)`,
        range: field ? pairRange(field.pair) : s.range,
        fixes: isVpnLike(ctx, s) ? [] : fix('Make the root filesystem read-only (read_only: true; writes outside volumes and tmpfs mounts, e.g. to /tmp or /run, then fail)', false, field ? setScalarEdits(ctx, s, 'read_only', field, 'true') : [insertServiceKeyEdit(ctx, s, 'read_only', { scalar: 'true' })]),
      });
    }
    return reports;
  },
  container(ctx) {
    return ctx.inspect.HostConfig?.ReadonlyRootfs ? [] : [{ message: 'root filesystem is writable (no --read-only)', evidence: 'HostConfig.ReadonlyRootfs=false' }];
  },
});
