import { defineRule, type Report } from '../rule';
import { editListEdits, fix, listEntries, svc } from '../compose/checks';
import { pairRange } from '../compose/values';
import { dropsAllCapabilities, effectiveCapabilities } from '../runtime/judge';
import { evidenceList } from '../runtime/container';

export default defineRule({
  meta: {
    id: 'cap-drop-all',
    title: 'Capabilities not dropped',
    severity: 'warning',
    targets: ['compose', 'container'],
    rationale:
      'Most services need none of the 14 capabilities Docker grants by default (NET_RAW allows packet spoofing, DAC_OVERRIDE bypasses file permissions, SETUID/SETGID allow identity changes). Dropping them all and adding back the few needed shrinks what a compromised process can do.',
    remediation: 'Add `cap_drop: [ALL]` (`--cap-drop ALL`) and list in `cap_add` only what the service needs (often nothing, sometimes NET_BIND_SERVICE).',
    refs: { cis: ['5.4'] },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('cap_drop');
      const entries = listEntries(ctx, field);
      if (entries.some((e) => e.interpolated) || dropsAllCapabilities([...entries.map((e) => e.text ?? ''), ...s.baseListTexts('cap_drop')])) continue;
      // An override fragment's list is appended to the base file's, which may drop them.
      if (s.partial) continue;
      reports.push({
        message: `${svc(s)} keeps Docker's default capabilities: add cap_drop: [ALL]`,
        range: field ? pairRange(field.pair) : s.range,
        // The process may need a default capability (chown at start, binding port 80…).
        fixes: fix('Drop all capabilities (cap_drop: [ALL])', false, editListEdits(ctx, s, 'cap_drop', field, [], ['ALL'])),
      });
    }
    return reports;
  },
  container(ctx) {
    const dropped = ctx.inspect.HostConfig?.CapDrop ?? [];
    // Judged against the defaults of the engine that runs it: Podman grants fewer and lists the
    // ones it leaves out of Docker's set as dropped; a full drop may be spelled cap by cap.
    const kept = effectiveCapabilities(false, [], dropped, ctx.engineKind);
    if (dropsAllCapabilities(dropped) || (kept !== 'ALL' && !kept.length)) return [];
    const engine = ctx.engineKind === 'podman' ? 'Podman' : 'Docker';
    return [{ message: `keeps ${engine}'s default capabilities ${kept === 'ALL' ? 'ALL' : kept.join(', ')} (no --cap-drop ALL)`, evidence: `HostConfig.CapDrop=${evidenceList(dropped)}` }];
  },
});
