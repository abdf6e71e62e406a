import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import type { CommittedFileCheck } from '../engine/lint';

/** Every git call is bounded: a slow or huge repository makes the answer "unknown", never a hang. */
const GIT_TIMEOUT_MS = 5000;

/**
 * The `isCommitted` check the adapters give the engine: `git ls-files --error-unmatch` in the
 * compose file's folder, one call per path, answers remembered for `maxAgeMs` (the CLI lints once;
 * the editor re-asks after a while so a `git rm --cached` is seen). Exit 0 is tracked, 1 is not;
 * anything else (not a repository, a path outside it, no git) is unknown. Arguments only, no
 * shell; `core.fsmonitor` off, so a hostile repository's config cannot make git run a command.
 */
export function committedFileCheck(git = 'git', maxAgeMs = Number.POSITIVE_INFINITY): CommittedFileCheck {
  const answers = new Map<string, { tracked: boolean | undefined; at: number }>();
  return (composeFile, written) => {
    if (!composeFile) return undefined;
    const folder = dirname(resolve(composeFile));
    const key = `${folder}\0${written}`;
    const known = answers.get(key);
    if (known && Date.now() - known.at <= maxAgeMs) return known.tracked;
    const tracked = isTracked(git, folder, written);
    answers.set(key, { tracked, at: Date.now() });
    return tracked;
  };
}

/** The CLI's check: one process, one lint, so answers are kept for its lifetime. */
export const isCommitted = committedFileCheck();

function isTracked(git: string, folder: string, written: string): boolean | undefined {
  try {
    execFileSync(git, ['-c', 'core.fsmonitor=false', '--literal-pathspecs', 'ls-files', '--error-unmatch', '--', written], { cwd: folder, stdio: 'ignore', timeout: GIT_TIMEOUT_MS, windowsHide: true });
    return true;
  } catch (e) {
    return (e as { status?: number | null }).status === 1 ? false : undefined;
  }
}
