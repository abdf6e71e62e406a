import { defineRule, type Report } from '../rule';
import { svc } from '../compose/checks';
import { mapEntries, mapGet, pairRange, scalarString } from '../compose/values';
import { hostConfigOf } from '../runtime/container';
import { DEFAULT_ULIMITS, ulimitName } from '../runtime/engine-defaults';

/** -1 (or "unlimited") removes the limit altogether. */
const unlimited = (value: string | number | undefined) => value !== undefined && /^(?:-1|unlimited)$/i.test(String(value).trim());

export default defineRule({
  meta: {
    id: 'ulimits',
    title: 'Default ulimits overridden',
    severity: 'info',
    severityWhen: { warning: 'a limit is set to unlimited' },
    targets: ['compose', 'container'],
    rationale:
      "The daemon's default ulimits (open files, processes, core size…) apply to every container. Overriding them per container should be a reviewed exception; raising one to unlimited removes a guard against fork bombs and descriptor exhaustion.",
    remediation: 'Keep the daemon defaults (`--default-ulimit` / daemon.json `default-ulimits`); override only the limit the service needs, never to unlimited (-1).',
    refs: { cis: ['5.19'] },
    examples: {
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    ulimits:\n      nofile: 65535\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    read_only: true\n'],
      },
    },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const field = s.get('ulimits');
      const entries = mapEntries(ctx, field?.value);
      if (!field || !entries.length) continue;
      const open = entries.filter((e) => {
        const values = [scalarString(e.node), scalarString(mapGet(ctx, e.node, 'soft')?.node), scalarString(mapGet(ctx, e.node, 'hard')?.node)];
        return values.some(unlimited);
      });
      reports.push({
        message: open.length
          ? `${svc(s)} sets ulimit ${open.map((e) => e.key).join(', ')} to unlimited`
          : `${svc(s)} overrides the default ulimits (${entries.map((e) => e.key).join(', ')})`,
        range: open.length ? pairRange(open[0].pair) : pairRange(field.pair),
        severity: open.length ? 'warning' : undefined,
        fixes: [],
      });
    }
    return reports;
  },
  container(ctx) {
    // The engine's own per-container ulimits (Podman lists nofile and nproc) are not overrides.
    const own = DEFAULT_ULIMITS[ctx.engineKind ?? 'docker'];
    const isEngineDefault = (l: { Name: string; Soft: number; Hard: number }) => {
      const d = own[ulimitName(l.Name)];
      return d !== undefined && d.soft === l.Soft && d.hard === l.Hard;
    };
    const limits = (hostConfigOf(ctx.inspect).Ulimits ?? []).filter((l) => !isEngineDefault(l));
    if (!limits.length) return [];
    const open = limits.filter((l) => unlimited(l.Soft) || unlimited(l.Hard));
    const evidence = `HostConfig.Ulimits=${limits.map((l) => `${l.Name}=${l.Soft}:${l.Hard}`).join(' ')}`;
    return [
      open.length
        ? { message: `sets ulimit ${open.map((l) => l.Name).join(', ')} to unlimited`, evidence, severity: 'warning' }
        : { message: `overrides the default ulimits (${limits.map((l) => l.Name).join(', ')})`, evidence },
    ];
  },
});
