import { LINT_TIME_BUDGET_MS } from '../engine/files';

/**
 * A file's lint budget in CPU time of this process, not wall time: a busy machine (CI, a laptop
 * compiling) must not turn the same file into a "too slow" error. Linting is single-threaded.
 */
export function lintBudget(budgetMs = LINT_TIME_BUDGET_MS): () => boolean {
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const end = cpuMs() + budgetMs;
  return () => cpuMs() > end;
}
