import { connectEngine, normalizeHost, resolveDefaultEngine, type EngineTarget } from '../docker/connection';
import { gatherEvidence } from '../docker/host-probe';
import { runAudit, unknownIds, type AuditReport, type AuditStatus } from '../engine/audit';
import { formatReport, type AuditFormat } from '../engine/audit/format';
import { safeText } from '../engine/output/escape';
import { oneOf, parseArgs, UsageError } from './args';
import { VERSION, type Io } from './io';

export const AUDIT_HOST_USAGE =
  'usage: bulkhead audit host [--format text|json|sarif|html|markdown] [--only 2,5.4] [--exclude 1.1] [--fail-on warn|info|note|skip|never] [--host DOCKER_HOST]';

// A check at or above the --fail-on status makes the exit code 1 (docker-bench-security always exits 0).
const RANK: Record<AuditStatus, number> = { pass: 0, skip: 1, note: 2, info: 3, warn: 4 };

const idList = (v: string | true | undefined) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

/** `bulkhead audit host`: the CIS Docker Benchmark host audit. */
export async function runAuditHost(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['format', 'only', 'exclude', 'fail-on', 'host'], ['help']);
  if (args.options.has('help')) {
    io.out(
      `${AUDIT_HOST_USAGE}\n\nThe CIS Docker Benchmark v1.6.0 host audit of the engine the docker CLI would use (or --host).\nExit codes: 0 clean, 1 a scored check at or above --fail-on (default warn; manual checks count only\nwhen --fail-on is given), 2 usage error or engine unreachable.\n`,
    );
    return 0;
  }
  if (args.positionals.length) throw new UsageError(AUDIT_HOST_USAGE);
  const format = oneOf<AuditFormat>('format', args.options.get('format'), ['text', 'json', 'sarif', 'html', 'markdown'], 'text');
  const failOnGiven = typeof args.options.get('fail-on') === 'string';
  const failOn = oneOf('fail-on', args.options.get('fail-on'), ['warn', 'info', 'note', 'skip', 'never'] as const, 'warn');
  const only = idList(args.options.get('only'));
  const exclude = idList(args.options.get('exclude'));
  for (const [name, ids] of [['only', only], ['exclude', exclude]] as const) {
    const unknown = unknownIds(ids);
    if (unknown.length) throw new UsageError(`--${name}: no CIS check has the id ${unknown.join(', ')}\n${AUDIT_HOST_USAGE}`);
  }
  const hostOpt = args.options.get('host');
  const target: EngineTarget = typeof hostOpt === 'string' ? { host: normalizeHost(hostOpt), source: '--host' } : resolveDefaultEngine();

  // Connecting first turns an unreachable or wrong engine into a message naming the real cause.
  const connection = await connectEngine(target);
  if (!connection.ok) {
    io.err(`bulkhead: cannot audit the host: ${safeText(connection.problem.message)}\n${connection.problem.hint ? `  ${connection.problem.hint}\n` : ''}`);
    return 2;
  }
  const started = performance.now();
  const evidence = await gatherEvidence(connection.client, target);
  if (!evidence.info && !evidence.version) {
    io.err(`bulkhead: cannot audit the host: ${safeText(evidence.errors[0] ?? `no answer from ${target.host}`)}\n`);
    return 2;
  }
  const report = runAudit(evidence, { only, exclude });
  report.summary.durationMs = Math.round(performance.now() - started);
  io.out(formatReport(report, format, VERSION, { daemonConfigPath: evidence.host?.daemon?.configPath }));
  return auditExitCode(report, failOn, failOnGiven);
}

/** 1 when a check is at or above --fail-on. Manual checks are for review: only an explicit --fail-on counts them. */
export function auditExitCode(report: AuditReport, failOn: AuditStatus | 'never', failOnGiven: boolean): number {
  if (failOn === 'never') return 0;
  return report.checks.some((c) => RANK[c.status] >= RANK[failOn] && c.status !== 'pass' && (c.scored || failOnGiven)) ? 1 : 0;
}
