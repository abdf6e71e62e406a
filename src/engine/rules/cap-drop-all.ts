import { defineRule, type Report } from '../rule';
import { editListEdits, fix, listEntries, svc } from '../compose/checks';
import { pairRange } from '../compose/values';
import { dropsAllCapabilities, effectiveCapabilities } from '../runtime/judge';
import { DEFAULT_CAPABILITIES } from '../runtime/engine-defaults';
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
    if (dropsAllCapabilities(dropped)) return [];
    const kept = effectiveCapabilities(false, [], dropped, ctx.engineKind);
    if (kept === 'ALL') return [];
    if (ctx.engineKind === 'podman') {
      // Podman lists every capability it leaves out as dropped (`--cap-drop ALL --cap-add CHOWN`
      // shows as CapDrop of all but CHOWN): only a container that keeps its whole default set offends.
      if (kept.length < DEFAULT_CAPABILITIES.podman.length) return [];
      return [{ message: `keeps Podman's default capabilities (${kept.join(', ')}): no --cap-drop ALL`, evidence: `HostConfig.CapDrop=${evidenceList(dropped)}` }];
    }
    return [{ message: "keeps Docker's default capabilities (no --cap-drop ALL)", evidence: `HostConfig.CapDrop=${evidenceList(dropped)}` }];
  },
});
