import { regressions, type RunOutcome } from '../harden/verify';

/**
 * The verdict on a generated seccomp profile from two short starts of the observed container's
 * image: one under the profile, one under Docker's default profile, both with the capabilities
 * the profile's run command grants. Only what the profile changes is judged: a service that exits
 * on its own (a one-shot job, one that needs its network) exits the same way in both.
 */

/** How one trial start went, as far as a few seconds show. */
export interface ProfileTrialOutcome {
  /** Still running at the end of the window. */
  running: boolean;
  /** Exit code once it stopped; null while running or when it never started. */
  exitCode: number | null;
  /** TCP ports it listened on at any sample. */
  listening: number[];
  /** The engine refused to create or start it (one line, control characters escaped by the caller). */
  error?: string;
}

export interface ProfileVerdict {
  verified: boolean;
  /** 'running': it kept running under the profile; 'same-exit': it exited as it does without the profile. */
  how?: 'running' | 'same-exit';
  /** What went wrong under the profile (or without it: then the capabilities are too few). */
  problems: string[];
  /** What the failure usually means, when it has a known signature. */
  hint?: string;
}

/** The harden trial's comparison, with the fields a start-up trial cannot know left neutral. */
function asRunOutcome(trial: ProfileTrialOutcome): RunOutcome {
  return { exitCode: trial.exitCode, running: trial.running, healthy: null, restarts: 0, exerciseExitCode: null, listening: trial.listening, denied: [], error: trial.error };
}

/** Known ways a process fails to start under a profile that lacks a start-up call. */
function startFailureHint(profiled: ProfileTrialOutcome, logTail: string): string | undefined {
  const text = `${profiled.error ?? ''}\n${logTail}`;
  if (/cannot set %fs base/i.test(text)) return 'arch_prctl is not allowed: the program cannot set up thread-local storage';
  if (/operation not permitted/i.test(text)) return 'a call the runtime or the program makes while starting (execve, or one before it) is not allowed';
  if (profiled.error) return 'the runtime could not start the process under the profile: a call it makes while starting a container is not allowed (a profile built with --no-runtime lacks them)';
  if (profiled.exitCode === 127) return 'exit 127: the program could not be loaded under the profile';
  return undefined;
}

/** Compares the start under the profile with the start without it. */
export function judgeProfileTrial(baseline: ProfileTrialOutcome, profiled: ProfileTrialOutcome, profiledLogTail = ''): ProfileVerdict {
  if (baseline.error) {
    return { verified: false, problems: [`it does not start without the profile either, with the same capabilities: ${baseline.error}`], hint: 'the capability set is too small for its start-up (try --include-likely), or the image cannot start here' };
  }
  const problems = regressions(asRunOutcome(baseline), asRunOutcome(profiled));
  if (problems.length) return { verified: false, problems, hint: startFailureHint(profiled, profiledLogTail) };
  return { verified: true, how: profiled.running ? 'running' : 'same-exit', problems: [] };
}

/** One paragraph for a terminal or a notification: what was compared and what happened. */
export function verdictText(verdict: ProfileVerdict, profiled: ProfileTrialOutcome | undefined, windowSeconds: number): string {
  if (verdict.verified) {
    return verdict.how === 'running'
      ? `verified: the image starts under the profile and was still running after ${windowSeconds} s`
      : `verified: under the profile the container exits with code ${profiled?.exitCode ?? '?'} within ${windowSeconds} s, as it does without the profile (only its start-up was compared)`;
  }
  const code = profiled && !profiled.running && profiled.exitCode !== null ? ` (exit code ${profiled.exitCode})` : '';
  return [
    `the profile did not pass verification${code}: ${verdict.problems.join('; ')}`,
    '("the original" is the same image, command and capabilities under Docker\'s default profile)',
    ...(verdict.hint ? [`likely cause: ${verdict.hint}`] : []),
  ].join('\n');
}
