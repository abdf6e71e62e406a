// The CIS Docker Benchmark v1.6.0 host audit over gathered evidence (pure: no I/O, never throws).
import { createAuditContext, type CheckDef } from './context';
import { SECTION_1, SECTION_3 } from './checks/host';
import { SECTION_2 } from './checks/daemon';
import { SECTION_4, SECTION_5, SECTION_6, SECTION_7, SECTION_8 } from './checks/workloads';
import { AUDIT_STATUSES, type AuditCheckResult, type AuditEvidence, type AuditReport, type AuditStatus } from './model';

export * from './model';
export { FIXED_HOST_PATHS } from './checks/host';

export const ALL_CHECKS: readonly CheckDef[] = [...SECTION_1, ...SECTION_2, ...SECTION_3, ...SECTION_4, ...SECTION_5, ...SECTION_6, ...SECTION_7, ...SECTION_8];

export const SECTION_TITLES: Record<string, string> = {
  '1': 'Host Configuration',
  '2': 'Docker daemon configuration',
  '3': 'Docker daemon configuration files',
  '4': 'Container Images and Build File',
  '5': 'Container Runtime',
  '6': 'Docker Security Operations',
  '7': 'Docker Swarm Configuration',
  BH: 'Bulkhead checks beyond CIS v1.6.0',
};

export interface AuditOptions {
  /** Check ids or prefixes ("2", "5.4", "1.1"): a prefix matches whole dotted components only. */
  only?: string[];
  exclude?: string[];
}

export function matchesId(id: string, pattern: string): boolean {
  const p = pattern.trim().replace(/\.$/, '');
  return id === p || id.startsWith(p + '.') || id.startsWith(p + '-');
}

/** Bulkhead's own checks ("BH-1") live outside CIS numbering (CIS v1.6.0 section 8 is UCP/DTR). */
export const isOwnCheck = (id: string) => id.startsWith('BH-');

/** The section a check id belongs to: "5" for 5.23, "BH" for BH-1. */
const sectionOf = (id: string) => (isOwnCheck(id) ? 'BH' : id.split('.')[0]);

/** Ids in --only/--exclude that match no check, for a clear usage error. */
export function unknownIds(patterns: readonly string[]): string[] {
  return patterns.filter((p) => !ALL_CHECKS.some((c) => matchesId(c.id, p)));
}

export function runAudit(ev: AuditEvidence, options: AuditOptions = {}): AuditReport {
  const ctx = createAuditContext(ev);
  const selected = ALL_CHECKS.filter((c) => (!options.only?.length || options.only.some((p) => matchesId(c.id, p))) && !options.exclude?.some((p) => matchesId(c.id, p)));
  const checks: AuditCheckResult[] = selected.map((def) => {
    let outcome;
    try {
      outcome = def.run(ctx);
    } catch (e) {
      // A check bug must not sink the audit; say what happened instead.
      outcome = { status: 'skip' as const, evidence: [`check failed: ${(e as Error).message}`] };
    }
    return {
      id: def.id,
      title: def.title,
      section: sectionOf(def.id),
      level: def.level,
      scored: def.scored,
      status: outcome.status,
      evidence: outcome.evidence,
      remediation: outcome.remediation ?? def.remediation,
      impact: def.impact,
      refs: isOwnCheck(def.id) ? [] : [`CIS Docker Benchmark v1.6.0 ${def.id}`],
      ...(outcome.containers?.length ? { containers: outcome.containers } : {}),
    };
  });
  const counts = Object.fromEntries(AUDIT_STATUSES.map((s) => [s, 0])) as Record<AuditStatus, number>;
  for (const c of checks) counts[c.status]++;
  const judged = checks.filter((c) => c.scored && (c.status === 'pass' || c.status === 'warn'));
  const score = judged.length ? Math.round((100 * judged.filter((c) => c.status === 'pass').length) / judged.length) : 0;
  const notes: string[] = [];
  if (!ev.engine.local) notes.push('remote engine: only checks based on the Engine API ran; host files, audit rules and daemon flags are not visible');
  else if (ev.host && !ev.host.isRoot) notes.push('not running as root: some host files and audit rules could not be read');
  if (ev.engine.flavor === 'podman') notes.push("Podman's Docker-compatible API: dockerd configuration checks do not apply");
  if (ev.engine.flavor === 'rootless-docker') notes.push('rootless Docker engine');
  notes.push(...ev.errors);
  return {
    checks,
    summary: { total: checks.length, counts, score, engine: ev.engine.host, flavor: ev.engine.flavor, local: ev.engine.local, notes, apiCalls: ev.apiCalls },
  };
}

export type { CheckDef } from './context';
