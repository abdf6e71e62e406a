import { parseStraceLog } from '../profile/strace';
import { CONTROL_ORDER, type Control, type HardenChange } from './derive';

/** How one run ended, as the JSON report shows it. */
export interface RunOutcome {
  exitCode: number | null;
  running: boolean;
  healthy: boolean | null;
  restarts: number;
  /** Exit code of the exercise command; null when there was none. */
  exerciseExitCode: number | null;
  listening: number[];
  /** `name ERRNO` of calls denied with EPERM or EACCES. */
  denied: string[];
  /** Set when the run could not start or be observed. */
  error?: string;
}

/**
 * epoll_ctl answers EPERM for a file that cannot be polled (runc's Go init does this on every
 * `docker exec`, a healthcheck's too): the kernel's answer about the file, not a denial.
 */
const NOT_A_DENIAL = new Set(['epoll_ctl EPERM']);

/** Distinct `syscall ERRNO` pairs of denied calls in a strace log. */
export function deniedCalls(trace: string): string[] {
  const out = new Set<string>();
  for (const c of parseStraceLog(trace).calls) if ((c.errno === 'EPERM' || c.errno === 'EACCES') && !NOT_A_DENIAL.has(`${c.name} ${c.errno}`)) out.add(`${c.name} ${c.errno}`);
  return [...out].sort();
}

/** What got worse from the baseline to the hardened run; empty when it behaves the same. */
export function regressions(baseline: RunOutcome, hardened: RunOutcome): string[] {
  const out: string[] = [];
  if (hardened.error) return [hardened.error];
  if (baseline.running && !hardened.running) out.push(`stopped (exit code ${hardened.exitCode ?? '?'}) where the original kept running`);
  if (!baseline.running && !hardened.running && baseline.exitCode !== hardened.exitCode) out.push(`exit code ${hardened.exitCode} instead of ${baseline.exitCode}`);
  if (hardened.restarts > baseline.restarts) out.push(`restarted ${hardened.restarts} time(s), the original ${baseline.restarts}`);
  if (hardened.healthy === false) out.push('unhealthy');
  if (baseline.exerciseExitCode !== hardened.exerciseExitCode) out.push(`the exercise exited with ${hardened.exerciseExitCode} instead of ${baseline.exerciseExitCode}`);
  const lost = baseline.listening.filter((p) => !hardened.listening.includes(p));
  if (lost.length) out.push(`no longer listens on ${lost.join(', ')}`);
  const fresh = hardened.denied.filter((d) => !baseline.denied.includes(d));
  if (fresh.length) out.push(`new denied calls: ${fresh.slice(0, 8).join(', ')}`);
  return out;
}

/** The controls present in a change list, in bisection order. */
export function controlsOf(changes: readonly HardenChange[]): Control[] {
  return CONTROL_ORDER.filter((c) => changes.some((x) => x.control === c));
}

/**
 * Finds the control that makes a trial fail: the shortest prefix (in CONTROL_ORDER) of the
 * controls that fails ends with it, found by binary search (log2(n) trials). `fails(prefix)` runs
 * the service with those controls. Undefined when even all of them pass.
 */
export async function bisectCulprit(controls: readonly Control[], fails: (subset: Control[]) => Promise<boolean>): Promise<Control | undefined> {
  let lo = 0;
  let hi = controls.length;
  // Invariant: the prefix of length hi fails (the caller saw all of them fail), that of length lo passes.
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (await fails(controls.slice(0, mid))) hi = mid;
    else lo = mid;
  }
  return controls[hi - 1];
}
