import type { Severity } from '../engine/model';
import { allRules } from '../engine/registry';
import { fullRefs, SEVERITY_RANK, type FileFinding } from '../engine/output/report';
import { toSarif } from '../engine/output/sarif';
import { ruleMeta } from '../engine/registry';
import { connectEngine, normalizeHost, resolveDefaultEngine, classifyEngineError, type EngineProblem, type EngineTarget } from '../docker/connection';
import { analyseEngine, type ContainerAnalysis } from '../docker/containers';
import { severitySummary } from '../engine/output/container-report';
import { FALLBACK_LOCATION } from '../engine/audit/format';
import { safeText } from '../engine/output/escape';
import { oneOf, parseArgs, UsageError } from './args';
import { VERSION, docsUrl, type Io } from './io';

export const AUDIT_CONTAINERS_USAGE = 'usage: bulkhead audit containers [--format text|json|sarif] [--fail-on error|warning|info] [--engine ADDRESS]';

/** The JSON shape of one container in `--format json`. */
export interface ContainerJson {
  id: string;
  name: string;
  image: string;
  state: string;
  engine: string;
  findings: { ruleId: string; severity: Severity; message: string; evidence?: string; refs: ReturnType<typeof fullRefs> }[];
  /** Why the container could not be judged (e.g. its inspect failed); absent when it was. */
  errors?: string[];
}

export function containerJson(a: ContainerAnalysis): ContainerJson {
  return {
    id: a.id,
    name: a.name,
    image: a.image,
    state: a.state,
    engine: a.engine,
    findings: a.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, ...(f.evidence ? { evidence: f.evidence } : {}), refs: fullRefs(ruleMeta(f.ruleId)?.refs) })),
    ...(a.errors.length ? { errors: a.errors.map((e) => e.message) } : {}),
  };
}

function problemText(problem: EngineProblem): string {
  return `bulkhead: cannot audit containers: ${safeText(problem.message)}\n${problem.hint ? `  ${problem.hint}\n` : ''}`;
}

/** `bulkhead audit containers`: findings for every container of the engine, running or not. */
export async function runAuditContainers(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['format', 'fail-on', 'engine'], ['help']);
  if (args.options.has('help')) {
    io.out(`${AUDIT_CONTAINERS_USAGE}\n\nAudits every container (running, paused, exited, created) of the engine the docker CLI would use\n(DOCKER_HOST, DOCKER_CONTEXT, currentContext), or of --engine unix://…|tcp://…|ssh://…|npipe://….\nExit codes: 0 clean, 1 findings at or above --fail-on (default warning), 2 usage error or engine unreachable.\n`);
    return 0;
  }
  if (args.positionals.length) throw new UsageError(AUDIT_CONTAINERS_USAGE);
  const format = oneOf('format', args.options.get('format'), ['text', 'json', 'sarif'] as const, 'text');
  const failOn = oneOf<Severity>('fail-on', args.options.get('fail-on'), ['error', 'warning', 'info'], 'warning');
  const engineArg = args.options.get('engine');
  const target: EngineTarget = typeof engineArg === 'string' ? { host: normalizeHost(engineArg), source: '--engine' } : resolveDefaultEngine();

  const connection = await connectEngine(target);
  if (!connection.ok) {
    io.err(problemText(connection.problem));
    return 2;
  }
  let containers: ContainerAnalysis[];
  try {
    containers = await analyseEngine(connection.client, target, { engineKind: connection.engineKind });
  } catch (e) {
    io.err(problemText(classifyEngineError(e, target)));
    return 2;
  }

  if (format === 'json') {
    io.out(JSON.stringify({ containers: containers.map(containerJson) }, null, 2) + '\n');
  } else if (format === 'sarif') {
    // GitHub code scanning needs a physical location: the compose file that created the container,
    // else the same documented fallback as the host audit (the engine's daemon.json).
    const findings: FileFinding[] = containers.flatMap((c) =>
      c.findings.map((f) => ({
        ruleId: f.ruleId,
        severity: f.severity,
        file: c.compose?.configFiles?.[0] ?? FALLBACK_LOCATION,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        message: `${c.name}: ${f.message}${f.evidence ? ` (${f.evidence})` : ''}`,
        fixable: false,
        refs: fullRefs(ruleMeta(f.ruleId)?.refs),
      })),
    );
    io.out(JSON.stringify(toSarif(findings, [], allRules().map((r) => r.meta), { toolVersion: VERSION, docsUri: docsUrl }), null, 2) + '\n');
  } else {
    // Names, images, messages and evidence come from the engine: control characters made visible,
    // long values cut, so no container can rewrite the terminal or forge a line.
    const out: string[] = [];
    for (const c of containers) {
      out.push(`${safeText(c.name)} (${safeText(c.image)}, ${safeText(c.state)}): ${c.findings.length ? severitySummary(c.findings) : c.errors.length ? 'not judged' : 'no findings'}`);
      for (const f of c.findings) out.push(`  ${f.severity} ${safeText(f.message)}${f.evidence ? ` [${safeText(f.evidence)}]` : ''} [${f.ruleId}]`);
      for (const e of c.errors) out.push(`  error ${safeText(e.message)}`);
    }
    const all = containers.flatMap((c) => c.findings);
    const failed = containers.filter((c) => c.errors.length).length;
    out.push(`${containers.length} container(s) on ${safeText(target.host)}, ${all.length} problem(s)${all.length ? `: ${severitySummary(all)}` : ''}${failed ? `, ${failed} container(s) could not be inspected` : ''}`);
    io.out(out.join('\n') + '\n');
  }
  return containers.some((c) => c.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn])) ? 1 : 0;
}
