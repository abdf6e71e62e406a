import { defineRule, type Report } from '../rule';
import { editListEdits, fix, listEntries, svc } from '../compose/checks';
import { isInterpolated, pairRange, rangeOf, scalarString } from '../compose/values';
import type { ComposeService } from '../compose/service';
import { knownImageFacts } from '../images/facts';
import { noNewPrivilegesOption } from '../runtime/judge';
import { evidenceList } from '../runtime/container';

const OPTION = '"no-new-privileges:true"';

/**
 * Safe only with evidence that nothing in the image can gain privileges by exec: its setuid/setgid
 * files were listed and there are none, and the user the service runs as is known. Otherwise the
 * fix may break a service that runs as non-root and calls a setuid-root helper.
 */
function fixTitle(s: ComposeService): [string, boolean] {
  const image = scalarString(s.get('image')?.value);
  const facts = image && !isInterpolated(image) && !s.has('build') ? knownImageFacts(image) : undefined;
  const userKnown = s.get('user') !== undefined || facts?.user !== undefined;
  if (facts?.setuidFiles?.length === 0 && userKnown) return ['Add security_opt no-new-privileges:true (the image has no setuid/setgid files)', true];
  return ['Add security_opt no-new-privileges:true (setuid helpers such as sudo, su, ping, crontab then stop gaining privileges: a non-root service that calls one fails)', false];
}

export default defineRule({
  meta: {
    id: 'no-new-privileges',
    title: 'Privilege escalation not blocked',
    severity: 'warning',
    targets: ['compose', 'container'],
    rationale:
      'Without no-new-privileges, a setuid or setcap binary in the image (su, ping, a planted one) can raise the process above the privileges it started with. The flag makes the kernel refuse those gains for every process in the container.',
    remediation: 'Add `security_opt: ["no-new-privileges:true"]` (`--security-opt no-new-privileges`).',
    refs: { cis: ['5.26'] },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('security_opt');
      const entries = listEntries(ctx, field);
      if (entries.some((e) => e.interpolated)) continue;
      const states = entries.map((e) => ({ e, on: e.text === undefined ? undefined : noNewPrivilegesOption(e.text) }));
      if (states.some((x) => x.on === true)) continue;
      const disabled = states.filter((x) => x.on === false);
      // A base service's (or, for a fragment, the base file's) list is appended to this one.
      if (!disabled.length && (s.partial || s.baseListTexts('security_opt').some((o) => noNewPrivilegesOption(o) === true))) continue;
      reports.push({
        message: disabled.length ? `${svc(s)} disables no-new-privileges: setuid binaries can raise privileges` : `${svc(s)} does not set no-new-privileges: setuid binaries can raise privileges`,
        range: disabled.length ? rangeOf(disabled[0].e.node) : field ? pairRange(field.pair) : s.range,
        fixes: fix(...fixTitle(s), editListEdits(ctx, s, 'security_opt', field, disabled.map((x) => x.e), [OPTION])),
      });
    }
    return reports;
  },
  container(ctx) {
    const opts = ctx.inspect.HostConfig?.SecurityOpt ?? [];
    if (opts.some((o) => noNewPrivilegesOption(o) === true)) return [];
    return [{ message: 'does not set no-new-privileges: setuid binaries can raise privileges', evidence: `HostConfig.SecurityOpt=${evidenceList(opts)}` }];
  },
});
