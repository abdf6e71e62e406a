import { createClient, resolveDefaultEngine, type EngineTarget } from '../docker/connection';
import { gatherEvidence } from '../docker/host-probe';
import { runAudit, unknownIds, type AuditStatus } from '../engine/audit';
import { formatReport, type AuditFormat } from '../engine/audit/format';
import { oneOf, parseArgs, UsageError } from './args';
import { VERSION, type Io } from './io';

export const AUDIT_HOST_USAGE =
  'usage: bulkhead audit host [--format text|json|sarif|html|markdown] [--only 2,5.4] [--exclude 1.1] [--fail-on warn|info|note|skip|never] [--host DOCKER_HOST]';

// A check at or above the --fail-on status makes the exit code 1 (docker-bench-security always exits 0).
const RANK: Record<AuditStatus, number> = { pass: 0, skip: 1, note: 2, info: 3, warn: 4 };

const idList = (v: string | true | undefined) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

/** `bulkhead audit host`: the CIS Docker Benchmark host audit. */
export async function runAuditHost(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['format', 'only', 'exclude', 'fail-on', 'host'], []);
  if (args.positionals.length) throw new UsageError(AUDIT_HOST_USAGE);
  const format = oneOf<AuditFormat>('format', args.options.get('format'), ['text', 'json', 'sarif', 'html', 'markdown'], 'text');
  const failOn = oneOf('fail-on', args.options.get('fail-on'), ['warn', 'info', 'note', 'skip', 'never'] as const, 'warn');
  const only = idList(args.options.get('only'));
  const exclude = idList(args.options.get('exclude'));
  for (const [name, ids] of [['only', only], ['exclude', exclude]] as const) {
    const unknown = unknownIds(ids);
    if (unknown.length) throw new UsageError(`--${name}: no CIS check has the id ${unknown.join(', ')}\n${AUDIT_HOST_USAGE}`);
  }
  const hostOpt = args.options.get('host');
  const target: EngineTarget = typeof hostOpt === 'string' ? { host: hostOpt, source: '--host' } : resolveDefaultEngine();

  let client;
  try {
    client = createClient(target);
  } catch (e) {
    io.err(`bulkhead: ${(e as Error).message}\n`);
    return 2;
  }
  const started = performance.now();
  const evidence = await gatherEvidence(client, target);
  if (!evidence.info && !evidence.version) {
    io.err(`bulkhead: cannot reach the Docker engine at ${target.host} (${target.source}): ${evidence.errors[0] ?? 'no answer'}\n`);
    return 2;
  }
  const report = runAudit(evidence, { only, exclude });
  report.summary.durationMs = Math.round(performance.now() - started);
  io.out(formatReport(report, format, VERSION));
  if (failOn === 'never') return 0;
  return report.checks.some((c) => RANK[c.status] >= RANK[failOn] && c.status !== 'pass') ? 1 : 0;
}
