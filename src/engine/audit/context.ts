import { checkContainer } from '../lint';
import { allRules } from '../registry';
import type { Finding } from '../model';
import { effectiveDaemonConfig, type EffectiveDaemonConfig, type Setting } from './daemon-config';
import type { AuditContainerRef, AuditEvidence, AuditStatus, HostEvidence } from './model';
import type { EngineKind } from '../runtime/engine-defaults';

export type AuditContainer = AuditEvidence['containers'][number];

/** What every check reads: the evidence plus views computed once. */
export interface AuditContext {
  ev: AuditEvidence;
  host?: HostEvidence;
  /** The daemon's flags + daemon.json; known only for a local engine whose process we could read. */
  daemon?: EffectiveDaemonConfig;
  securityOptions: string[];
  /** Engine container-rule findings per container Id (the same rules the Containers view shows). */
  containerFindings: Map<string, Finding[]>;
  /** CIS id -> ids of container rules that declare it in meta.refs.cis. */
  rulesByCis: Map<string, string[]>;
}

export interface Outcome {
  status: AuditStatus;
  evidence: string[];
  /** The remediation with this host's resolved paths, replacing the generic one. */
  remediation?: string;
  containers?: AuditContainerRef[];
}

export interface CheckDef {
  id: string;
  title: string;
  level: 1 | 2;
  scored: boolean;
  remediation: string;
  impact: string;
  run(ctx: AuditContext): Outcome;
}

export function createAuditContext(ev: AuditEvidence): AuditContext {
  const host = ev.engine.local ? ev.host : undefined;
  const daemon = host?.daemon?.cmdline ? effectiveDaemonConfig(host.daemon.cmdline, host.daemon.configText) : undefined;
  if (daemon && host?.daemon?.configError) daemon.problems.push(`${host.daemon.configPath}: ${host.daemon.configError}`);
  const rulesByCis = new Map<string, string[]>();
  for (const rule of allRules()) {
    const cis = rule.meta.refs.cis ?? [];
    // A rule covering several CIS items (resource-limits: 5.11, 5.12, 5.29) cannot say which one a
    // finding is about, so those items keep the audit's own, narrower judgement.
    if (!rule.container || cis.length !== 1) continue;
    rulesByCis.set(cis[0], [...(rulesByCis.get(cis[0]) ?? []), rule.meta.id]);
  }
  const containerFindings = new Map<string, Finding[]>();
  // Rules judge defaults (capabilities, ulimits) against the engine that runs the container.
  const engineKind: EngineKind = ev.engine.flavor === 'podman' ? 'podman' : 'docker';
  for (const c of ev.containers) {
    const context = { inspect: c, engineKind };
    containerFindings.set(c.Id, checkContainer(context).findings);
  }
  return { ev, host, daemon, securityOptions: ev.info?.SecurityOptions ?? [], containerFindings, rulesByCis };
}

export const skip = (why: string, ...evidence: string[]): Outcome => ({ status: 'skip', evidence: [why, ...evidence] });
export const REMOTE_HOST = 'remote engine: host files not visible';
const REMOTE_DAEMON = 'remote engine: daemon configuration not visible';

/** The daemon setting, or an Outcome saying why it cannot be known. */
export function daemonSetting(ctx: AuditContext, key: string): { setting?: Setting } | { outcome: Outcome } {
  if (ctx.ev.engine.flavor === 'podman') return { outcome: skip('Podman has no dockerd configuration (see containers.conf)') };
  if (!ctx.host) return { outcome: skip(REMOTE_DAEMON) };
  if (!ctx.daemon) {
    const why = ctx.host.daemon?.error ?? 'dockerd process not found';
    return { outcome: skip(/EACCES|EPERM|permission/i.test(why) ? `needs root: ${why}` : why) };
  }
  return { setting: ctx.daemon.settings.get(key) };
}

export const containerName = (c: AuditContainer): string => c.Name.replace(/^\//, '') || c.Id.slice(0, 12);
/** What a report says about a container it names: enough to link to it and its compose file. */
function containerRef(c: AuditContainer): AuditContainerRef {
  const labels = c.Config?.Labels ?? undefined;
  const file = labels?.['com.docker.compose.project.config_files']?.split(',')[0];
  const service = labels?.['com.docker.compose.service'];
  return { id: c.Id, name: containerName(c), ...(labels && Object.keys(labels).length ? { labels } : {}), ...(file && service ? { compose: { file, service } } : {}) };
}

const containerState = (c: AuditContainer): string => c.State?.Status ?? (c.State?.Running ? 'running' : 'unknown');

/**
 * Who decides a 5.x-style check per container: the engine container rules that declare the CIS
 * id (so the audit and the Containers view agree), or, where no rule covers it, the audit's own
 * callback. Exactly one of the two: giving both is a type error.
 */
export type ContainerJudge = { byRules: true; offends?: never } | { offends: (c: AuditContainer) => string | undefined; byRules?: never };

/** A 5.x-style check over every container, running or not (docker-bench-security only looks at running ones). */
export function perContainer(ctx: AuditContext, cisId: string, judge: ContainerJudge): Outcome {
  const containers = ctx.ev.containers;
  if (!containers.length) return { status: 'pass', evidence: ['no containers to check (running, stopped or created)'] };
  const ruleIds = judge.byRules ? ctx.rulesByCis.get(cisId) ?? [] : undefined;
  const offenders: AuditContainerRef[] = [];
  const evidence: string[] = [];
  for (const c of containers) {
    let reason: string | undefined;
    if (ruleIds) {
      const hits = (ctx.containerFindings.get(c.Id) ?? []).filter((f) => ruleIds.includes(f.ruleId));
      if (hits.length) reason = hits.map((f) => `${f.message} [${f.ruleId}]`).join('; ');
    } else {
      reason = judge.offends!(c);
    }
    if (reason) {
      offenders.push(containerRef(c));
      evidence.push(`${containerName(c)} (${containerState(c)}): ${reason}`);
    }
  }
  const running = containers.filter((c) => c.State?.Running).length;
  const scope = `${containers.length} container(s) checked: ${running} running, ${containers.length - running} stopped or created${ruleIds?.length ? ` (rules: ${ruleIds.join(', ')})` : ''}`;
  return offenders.length ? { status: 'warn', evidence: [...evidence, scope], containers: offenders } : { status: 'pass', evidence: [scope] };
}
