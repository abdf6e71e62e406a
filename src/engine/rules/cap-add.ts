import { defineRule, type Report } from '../rule';
import { editListEdits, fix, listEntries, svc } from '../compose/checks';
import { rangeOf } from '../compose/values';
import { capabilitiesBeyondDefault, DANGEROUS_CAPABILITIES, normalizeCapability } from '../runtime/judge';
import { evidenceList } from '../runtime/container';
import { isVpnLike } from '../images/roles';

/** What a VPN or tunnel container needs to bring its interface up. */
const VPN_CAPABILITIES = ['NET_ADMIN', 'SYS_MODULE'];

export default defineRule({
  meta: {
    id: 'cap-add',
    title: 'Capabilities added beyond the default set',
    severity: 'warning',
    targets: ['compose', 'container'],
    rationale:
      'Docker already grants 14 capabilities by default. Each one added on top (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, ALL…) gives the container kernel powers that an attacker inside it inherits; several of them are enough to escape to the host.',
    remediation:
      'Remove the capability from `cap_add` (`--cap-add`), or if the service really needs it, keep only that one and drop the rest with `cap_drop: [ALL]`.',
    refs: { cis: ['5.4'] },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('cap_add');
      const entries = listEntries(ctx, field).filter((e) => e.text !== undefined && !e.interpolated);
      const beyond = entries.filter((e) => capabilitiesBeyondDefault([e.text!]).length > 0);
      if (!beyond.length) continue;
      // A VPN creates interfaces and routes: without NET_ADMIN (and SYS_MODULE for a kernel
      // WireGuard module) it cannot start, so those are never offered for removal there.
      const vpn = isVpnLike(ctx, s);
      const removable = beyond.filter((e) => !(vpn && VPN_CAPABILITIES.includes(normalizeCapability(e.text!))));
      // One fix removes every removable capability at once, so a list never ends up empty halfway.
      const edits = removable.length ? editListEdits(ctx, s, 'cap_add', field, removable, []) : [];
      const names = removable.map((b) => normalizeCapability(b.text!)).join(', ');
      for (const e of beyond) {
        const cap = normalizeCapability(e.text!);
        reports.push({
          message: `${svc(s)} adds capability ${cap} beyond Docker's default set`,
          range: rangeOf(e.node),
          severity: DANGEROUS_CAPABILITIES.includes(cap) ? 'error' : undefined,
          fixes: removable.includes(e) ? fix(`Remove ${names} from cap_add (whatever the service does with ${removable.length > 1 ? 'them' : 'it'} then fails with "operation not permitted")`, false, edits) : [],
        });
      }
    }
    return reports;
  },
  container(ctx) {
    const added = ctx.inspect.HostConfig?.CapAdd ?? [];
    const beyond = capabilitiesBeyondDefault(added);
    if (!beyond.length) return [];
    return [
      {
        message: `adds ${beyond.join(', ')} beyond Docker's default capability set`,
        evidence: `HostConfig.CapAdd=${evidenceList(added)}`,
        severity: beyond.some((c) => DANGEROUS_CAPABILITIES.includes(c)) ? 'error' : undefined,
      },
    ];
  },
});
