import { defineRule, type Report } from '../rule';
import type { ComposeService, Field } from '../compose/service';
import { fix, servicesText, setScalarEdits } from '../compose/checks';
import { isInterpolated, pairRange, rangeOf, scalarString } from '../compose/values';
import { restartPolicyProblem } from '../runtime/judge';

const FIXED_POLICY = '"on-failure:5"';

export default defineRule({
  meta: {
    id: 'restart-policy',
    title: 'Unbounded restart policy',
    severity: 'info',
    targets: ['compose', 'container'],
    rationale:
      'CIS Docker Benchmark 5.15 asks for `on-failure` with a small retry limit: a container that restarts forever hides crashes and, when an attacker can trigger them, turns each crash into another attempt and a denial of service of the host. `always` and `unless-stopped` are still the deliberate choice for long-running services that must come back after a daemon restart, so this is information, not a warning: keep them where that is the intent and monitor restarts.',
    remediation: 'Use `restart: "on-failure:5"` (`--restart on-failure:5`) where a service need not survive a daemon restart; otherwise keep `always`/`unless-stopped` and watch the restart count (`docker inspect -f {{.RestartCount}}`).',
    refs: { cis: ['5.15'] },
    examples: {
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    restart: always\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    restart: on-failure:5\n'],
      },
    },
  },
  compose(ctx) {
    // A policy set once in an anchor that many services merge is one decision: one finding at the anchor.
    const byPair = new Map<Field['pair'], { field: Field; problem: string; services: ComposeService[] }>();
    for (const s of ctx.services) {
      const field = s.get('restart');
      const value = scalarString(field?.value);
      if (!field || value === undefined || isInterpolated(value)) continue;
      const [name, max] = value.split(':');
      const problem = restartPolicyProblem(name, name.trim() === 'on-failure' ? Number(max ?? 0) : undefined);
      if (!problem) continue;
      const group = byPair.get(field.pair);
      if (group) group.services.push(s);
      else byPair.set(field.pair, { field, problem, services: [s] });
    }
    const reports: Report[] = [];
    for (const { field, problem, services } of byPair.values()) {
      const valueRange = rangeOf(field.value);
      // Every service that reads this pair is in the group (same pair, same value), so the one value is
      // where to change it; a scalar alias may be read outside services, so that case overrides per service.
      const edits = services.length > 1 && valueRange && !field.viaAlias ? [{ ...valueRange, newText: FIXED_POLICY }] : setScalarEdits(ctx, services[0], 'restart', field, FIXED_POLICY);
      reports.push({
        message: `${servicesText(services)}: ${problem}`,
        range: pairRange(field.pair),
        // The containers no longer come back after the daemon restarts or after a sixth crash.
        fixes: fix('Use restart: "on-failure:5" (containers no longer come back after a daemon restart)', false, edits),
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
