import { SEVERITIES, type Finding, type LintError, type Severity } from '../model';
import { ruleMeta } from '../registry';
import type { ContainerInspect } from '../runtime/container';
import type { EngineKind } from '../runtime/engine-defaults';
import { hardenedComposeService, hardenedRunCommand } from '../runtime/hardened';
import { effectiveCapabilities, normalizeCapability, seccompState } from '../runtime/judge';
import { escapeMarkdown, truncate } from './escape';

/** What the report shows of one analysed container (src/docker's ContainerAnalysis has it all). */
export interface ContainerReportInput {
  id: string;
  name: string;
  image: string;
  state: string;
  engine: string;
  engineKind?: EngineKind;
  compose?: { project: string; service?: string };
  inspect: ContainerInspect;
  findings: readonly Finding[];
  errors: readonly LintError[];
  /** The main process's capability sets as the kernel applies them, when visible. */
  live?: { effective: readonly string[]; bounding: readonly string[] };
}

/** A fenced code block whose fence is longer than any backtick run inside; long text is cut with a marker. */
export function codeBlock(code: string, language = ''): string {
  const text = truncate(code, 20_000);
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}`;
}

function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function worstSeverity(findings: readonly Finding[]): Severity | undefined {
  return SEVERITIES.find((s) => findings.some((f) => f.severity === s));
}

/** "2 errors, 1 warning" (empty when clean). */
export function severitySummary(findings: readonly Finding[]): string {
  const counts = countBySeverity(findings);
  return SEVERITIES.filter((s) => counts[s])
    .map((s) => `${counts[s]} ${s}${counts[s] === 1 ? '' : s === 'info' ? '' : 's'}`)
    .join(', ');
}

/** The security-relevant facts of a container, each a short plain-text value. */
export function securitySummary(a: Pick<ContainerReportInput, 'inspect' | 'live' | 'engineKind'>): [string, string][] {
  const inspect = a.inspect;
  const host = inspect.HostConfig ?? {};
  const opts = host.SecurityOpt ?? [];
  const opt = (key: string) => opts.map((o) => o.split(/[=:](.*)/s)).find(([k]) => k === key)?.[1];
  const seccomp = { default: 'default profile', custom: 'custom profile', unconfined: 'unconfined' }[seccompState(opts)];
  const apparmor = host.Privileged ? 'unconfined (privileged)' : opt('apparmor') ?? (inspect.AppArmorProfile || 'none reported');
  const capabilities = effectiveCapabilities(!!host.Privileged, host.CapAdd ?? [], host.CapDrop ?? [], a.engineKind);
  const configured = host.Privileged ? 'all (privileged)' : capabilities === 'ALL' ? 'all' : capabilities.map(normalizeCapability).join(', ') || 'none';
  const mounts = (inspect.Mounts ?? []).map((m) => `${m.Source ?? ''}:${m.Destination ?? ''}${m.RW === false ? ' (ro)' : ' (rw)'}`).join('; ');
  const ports = Object.entries(host.PortBindings ?? {})
    .flatMap(([p, bs]) => (bs ?? []).map((b) => `${b.HostIp || '0.0.0.0'}:${b.HostPort ?? ''}->${p}`))
    .join(', ');
  const limits = [
    host.Memory ? `memory ${host.Memory} B` : 'memory unlimited',
    host.NanoCpus ? `cpus ${host.NanoCpus / 1e9}` : host.CpuQuota ? `cpu quota ${host.CpuQuota}` : 'cpus unlimited',
    host.PidsLimit && host.PidsLimit > 0 ? `pids ${host.PidsLimit}` : 'pids unlimited',
  ].join(', ');
  const namespaces = (['NetworkMode', 'PidMode', 'IpcMode', 'UTSMode', 'UsernsMode'] as const)
    .filter((k) => host[k] === 'host')
    .map((k) => k.replace(/Mode$/, '').toLowerCase())
    .join(', ');
  const rows: [string, string][] = [
    ['User', inspect.Config?.User || 'root (image default)'],
    ['Capabilities (configured)', configured],
  ];
  if (a.live) {
    rows.push(['Capabilities (live, effective)', a.live.effective.join(', ') || 'none']);
    rows.push(['Capabilities (live, bounding)', a.live.bounding.join(', ') || 'none']);
  }
  rows.push(
    ['Seccomp', host.Privileged ? 'disabled (privileged)' : seccomp],
    ['AppArmor', apparmor],
    ['No new privileges', opts.some((o) => /^no-new-privileges(?:[:=]true)?$/.test(o)) ? 'yes' : 'no'],
    ['Read-only root filesystem', host.ReadonlyRootfs ? 'yes' : 'no'],
    ['Host namespaces', namespaces || 'none'],
    ['Mounts', mounts || 'none'],
    ['Ports', ports || 'none'],
    ['Limits', limits],
  );
  return rows;
}

/** A readable markdown report for one container: facts, findings with remediation, hardened config. */
export function containerReportMarkdown(a: ContainerReportInput): string {
  const out: string[] = [];
  out.push(`# Hardening report: ${escapeMarkdown(a.name)}`, '');
  out.push(`Image **${escapeMarkdown(a.image)}**, state **${escapeMarkdown(a.state)}**, engine ${escapeMarkdown(a.engine)}, id \`${a.id.slice(0, 12).replace(/[^0-9a-f]/g, '')}\``, '');
  if (a.compose) out.push(`Compose project **${escapeMarkdown(a.compose.project)}**${a.compose.service ? `, service **${escapeMarkdown(a.compose.service)}**` : ''}`, '');
  out.push('| Setting | Value |', '|---|---|');
  for (const [k, v] of securitySummary(a)) out.push(`| ${k} | ${escapeMarkdown(v)} |`);
  out.push('');
  out.push(`## Findings (${a.findings.length ? severitySummary(a.findings) : 'none'})`, '');
  if (!a.findings.length) out.push('Bulkhead found nothing to harden in this container.', '');
  for (const f of a.findings) {
    const meta = ruleMeta(f.ruleId);
    const cis = meta?.refs.cis?.length ? ` (CIS ${meta.refs.cis.join(', ')})` : '';
    out.push(`### ${f.severity.toUpperCase()}: ${escapeMarkdown(meta?.title ?? f.ruleId)} \`${f.ruleId}\`${cis}`, '');
    out.push(escapeMarkdown(f.message), '');
    if (f.evidence) out.push(`Evidence: ${escapeMarkdown(f.evidence)}`, '');
    if (meta?.rationale) out.push(meta.rationale, '');
    if (meta?.remediation) out.push(`**Fix:** ${meta.remediation}`, '');
  }
  for (const e of a.errors) out.push(`> ${escapeMarkdown(e.message)}`, '');
  out.push('## Hardened `docker run`', '', codeBlock(hardenedRunCommand(a.inspect), 'sh'), '');
  out.push('## Hardened compose service', '', codeBlock(hardenedComposeService(a.inspect, a.compose?.service), 'yaml'), '');
  return out.join('\n');
}
