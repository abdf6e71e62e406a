import { escapeControlOneLine } from '../../engine/output/escape';
import type { HardenReport } from './trial';

/** The human report of a harden run: each control with its evidence, what was relaxed, and both runs (CLI output, editor log). */
export function hardenText(report: HardenReport, file: string, wrote: boolean, container = false): string {
  const lines: string[] = [];
  const d = report.derivation;
  lines.push(`service ${report.service}: ${report.verified ? 'hardened and verified' : 'not verified'} (${report.trials} trial run(s))`);
  for (const c of d?.changes ?? []) lines.push(`  ${c.key}: ${JSON.stringify(c.value)}\n      because ${escapeControlOneLine(c.evidence)}`);
  for (const n of d?.notes ?? []) lines.push(`  (${n.control}) ${escapeControlOneLine(n.why)}`);
  for (const r of report.relaxed) lines.push(`  relaxed ${r.key}: the hardened service ${escapeControlOneLine(r.why)}`);
  const b = report.verification.baseline;
  const h = report.verification.hardened;
  const show = (o: typeof b) => (o ? `${o.running ? 'running' : `exited ${o.exitCode}`}, healthy ${o.healthy ?? 'n/a'}, restarts ${o.restarts}, exercise ${o.exerciseExitCode ?? 'none'}, listening ${o.listening.join(',') || 'nothing'}` : 'not run');
  lines.push(`  baseline: ${show(b)}`, `  hardened: ${show(h)}`);
  if (container && report.verified && report.seccompText) lines.push(wrote ? `wrote ${report.seccompFile}` : `run with --write to save the seccomp profile as ${report.seccompFile}`);
  else if (report.verified && !container) lines.push(wrote ? `wrote ${file}${report.seccompText ? ` and ${report.seccompFile}` : ''}` : 'run with --write to apply it');
  return `${lines.join('\n')}\n`;
}
