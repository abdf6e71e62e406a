import { defineRule, type Report } from '../rule';
import { editListEdits, fix, listEntries, svc } from '../compose/checks';
import { rangeOf } from '../compose/values';
import { CONFINEMENT_CIS, unconfinedBy, type Confinement } from '../runtime/judge';

const WHAT: Record<Confinement, string> = {
  seccomp: 'seccomp (every system call allowed)',
  apparmor: 'AppArmor',
  selinux: 'SELinux labelling',
};

export default defineRule({
  meta: {
    id: 'security-unconfined',
    title: 'Seccomp, AppArmor or SELinux switched off',
    severity: 'error',
    targets: ['compose', 'container'],
    rationale:
      "Docker's default seccomp profile blocks about 44 dangerous system calls (keyctl, mount, unshare, kernel module loading…), and its AppArmor/SELinux profiles confine file and mount access. `unconfined` (or `label:disable`) removes that layer; kernel exploits and escapes become much easier.",
    remediation:
      'Remove `seccomp:unconfined`, `apparmor:unconfined` and `label:disable` from `security_opt`. If one system call is missing, start from the default seccomp profile and allow only it (`seccomp:./profile.json`).',
    refs: { cis: ['5.2', '5.3', '5.22'] },
    examples: {
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    security_opt:\n      - seccomp:unconfined\n', 'services:\n  app:\n    image: example/app:1.0\n    security_opt:\n      - apparmor:unconfined\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    security_opt:\n      - no-new-privileges:true\n'],
      },
    },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('security_opt');
      const entries = listEntries(ctx, field);
      const off = entries.filter((e) => e.text !== undefined && !e.interpolated && unconfinedBy(e.text));
      if (!off.length) continue;
      const edits = editListEdits(ctx, s, 'security_opt', field, off, []);
      for (const e of off) {
        const kind = unconfinedBy(e.text!)!;
        reports.push({
          message: `${svc(s)} switches off ${WHAT[kind]} (CIS ${CONFINEMENT_CIS[kind]})`,
          range: rangeOf(e.node),
          fixes: fix(`Remove ${e.text} (back to the default profile)`, false, edits),
        });
      }
    }
    return reports;
  },
  container(ctx) {
    const reports: Report[] = [];
    // Privileged containers are unconfined anyway; `privileged` reports that.
    if (ctx.inspect.HostConfig?.Privileged) return reports;
    const seen = new Set<Confinement>();
    // The engine itself adds label=disable for --pid host / --ipc host; host-namespace reports those.
    const hc = ctx.inspect.HostConfig;
    const engineDisabledLabels = hc?.PidMode === 'host' || hc?.IpcMode === 'host';
    for (const opt of hc?.SecurityOpt ?? []) {
      const kind = unconfinedBy(opt);
      if (!kind || seen.has(kind) || (kind === 'selinux' && engineDisabledLabels)) continue;
      seen.add(kind);
      reports.push({ message: `runs without ${WHAT[kind]} (CIS ${CONFINEMENT_CIS[kind]})`, evidence: `HostConfig.SecurityOpt contains ${JSON.stringify(opt)}` });
    }
    if (!seen.has('apparmor') && ctx.inspect.AppArmorProfile === 'unconfined') {
      reports.push({ message: `runs without ${WHAT.apparmor} (CIS 5.2)`, evidence: 'AppArmorProfile="unconfined"' });
    }
    return reports;
  },
});
