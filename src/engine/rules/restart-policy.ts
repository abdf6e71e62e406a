import { defineRule, type Report } from '../rule';
import { fix, setScalarEdits, svc } from '../compose/checks';
import { isInterpolated, pairRange, scalarString } from '../compose/values';
import { restartPolicyProblem } from '../runtime/judge';

export default defineRule({
  meta: {
    id: 'restart-policy',
    title: 'Unbounded restart policy',
    severity: 'info',
    targets: ['compose', 'container'],
    rationale:
      'A container that restarts forever hides crashes and, when an attacker triggers them, turns a crash into a denial of service of the host; a bounded on-failure policy surfaces the problem after a few attempts.',
    remediation: 'Use `restart: "on-failure:5"` (`--restart on-failure:5`) instead of `always` or `unless-stopped`.',
    refs: { cis: ['5.15'] },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('restart');
      const value = scalarString(field?.value);
      if (!field || value === undefined || isInterpolated(value)) continue;
      const [name, max] = value.split(':');
      const problem = restartPolicyProblem(name, name.trim() === 'on-failure' ? Number(max ?? 0) : undefined);
      if (!problem) continue;
      reports.push({
        message: `${svc(s)}: ${problem}`,
        range: pairRange(field.pair),
        // The container no longer comes back after the daemon restarts or after a sixth crash.
        fixes: fix('Use restart: "on-failure:5"', false, setScalarEdits(ctx, s, 'restart', field, '"on-failure:5"')),
      });
    }
    return reports;
  },
  container(ctx) {
    const policy = ctx.inspect.HostConfig?.RestartPolicy;
    const problem = restartPolicyProblem(policy?.Name, policy?.MaximumRetryCount);
    return problem ? [{ message: problem, evidence: `HostConfig.RestartPolicy=${JSON.stringify(policy)}` }] : [];
  },
});
