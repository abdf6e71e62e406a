import { setTimeout as delay } from 'node:timers/promises';
import type Docker from 'dockerode';
import { escapeControl, safeText, truncate } from '../engine/output/escape';
import { judgeProfileTrial, verdictText, type ProfileTrialOutcome, type ProfileVerdict } from '../engine/profile/verify';
import type { ContainerInspect } from '../engine/runtime/container';
import { withTimeout } from './connection';
import { engineApi } from './engine-api';
import { listeningPorts } from './harden/probe';

/**
 * Verifies a generated seccomp profile before it is written: the observed container's image and
 * process (entrypoint, arguments, env, user, working dir, as the engine ran them) is started twice
 * in throw-away containers, under the profile and under Docker's default profile, both with the
 * capabilities the profile's run command grants (`--cap-drop ALL --cap-add …`), and watched for a
 * few seconds. The trials get no network, no published ports, no volumes and no restart policy:
 * the user's image runs without touching anything of theirs. Everything created is removed, also
 * on errors and cancel.
 */

/** Label on every trial container, with the trial's id (leftovers can be found by it). */
export const PROFILE_VERIFY_LABEL = 'io.bulkhead.profile-verify';

/** How long both starts must behave alike. */
const WINDOW_MS = 3000;
/** After the window, how long one trial may take to catch up with the other (a slow start, a one-shot finishing later). */
const GRACE_MS = 6000;
const POLL_MS = 250;
/** Deadline of each create, start, kill and remove (dockerode's own calls). */
const CALL_DEADLINE_MS = 30000;
const INSPECT_DEADLINE_MS = 10000;
const LOG_LINES = 12;
const LOG_LINE_CHARS = 300;
/** A trial's log is the user's program's output: read at most this much, for at most this long. */
const LOG_READ_BYTES = 1024 * 1024;
const LOG_DEADLINE_MS = 10000;

/** The inspect fields a trial copies (beyond the typed ContainerInspect). */
export type VerifySource = ContainerInspect & {
  /** The image id the container runs (not the tag, which may point elsewhere by now). */
  Image?: string;
  /** What the engine executed: the entrypoint's (or command's) first word, and the rest. */
  Path?: string;
  Args?: string[] | null;
  Config?: { Tty?: boolean; OpenStdin?: boolean };
};

export interface VerifyOptions {
  /** The profile JSON exactly as it will be written. */
  profileText: string;
  /** Capabilities the profile's run command adds after `--cap-drop ALL`. */
  capAdd: readonly string[];
  signal?: AbortSignal;
  windowMs?: number;
  graceMs?: number;
  onProgress?(message: string): void;
  /** Called once both trial containers were started (their ids), e.g. to look at them meanwhile. */
  onStarted?(trial: { baseline: string; profiled: string }): void;
}

export interface ProfileVerification extends ProfileVerdict {
  trialId: string;
  windowSeconds: number;
  baseline?: ProfileTrialOutcome;
  profiled?: ProfileTrialOutcome;
  /** The last lines of the log under the profile (on failure): control characters escaped, bounded. */
  logTail?: string;
  /** The trial could not be run (the engine failed): nothing was judged. */
  error?: string;
  cancelled?: boolean;
  /** Ids of the trial containers created; all are removed when verifyProfile returns. */
  containers: string[];
  ms: number;
}

class Cancelled extends Error {}

/** The create body shared by both trials; an error when the container's process is unknown. */
export function trialConfig(source: VerifySource, capAdd: readonly string[], trialId: string): { config: Docker.ContainerCreateOptions } | { error: string } {
  const image = source.Image || source.Config?.Image;
  if (!image) return { error: 'the container\'s image is not known' };
  // Path and Args are what the engine executed (entrypoint and command already merged with the image's).
  if (!source.Path) return { error: 'the container\'s command is not known' };
  return {
    config: {
      Image: image,
      Entrypoint: [source.Path],
      Cmd: [...(source.Args ?? [])],
      Env: [...(source.Config?.Env ?? [])],
      User: source.Config?.User ?? '',
      WorkingDir: source.Config?.WorkingDir ?? '',
      Tty: source.Config?.Tty === true,
      // A shell kept alive by an open stdin (`docker run -dit IMAGE sh`) stays alive in the trial too.
      OpenStdin: source.Config?.OpenStdin === true,
      // The start-up is judged, not the health: no probes exec'd into the trial.
      Healthcheck: { Test: ['NONE'] },
      Labels: { [PROFILE_VERIFY_LABEL]: trialId },
      HostConfig: {
        NetworkMode: 'none',
        CapDrop: ['ALL'],
        CapAdd: [...capAdd],
        Init: source.HostConfig?.Init === true,
        RestartPolicy: { Name: 'no' },
      },
    },
  };
}

/** An error the engine answered with (its message), or a rethrow of one that says the engine is not there. */
function engineRefusal(e: unknown): string {
  if (typeof (e as { statusCode?: unknown }).statusCode !== 'number') throw e;
  return `the engine refused to start it: ${safeText((e as Error).message.split('\n')[0].trim(), 500)}`;
}

interface Trial {
  role: 'baseline' | 'profiled';
  id?: string;
  outcome: ProfileTrialOutcome;
  ports: Set<number>;
}

/** Creates and starts one trial; a refusal by the engine is the trial's outcome, not a throw. */
async function startTrial(docker: Docker, trial: Trial, config: Docker.ContainerCreateOptions, created: string[]): Promise<void> {
  try {
    const container = await withTimeout(docker.createContainer(config), CALL_DEADLINE_MS, `create ${config.name}`);
    trial.id = container.id;
    created.push(container.id);
    await withTimeout(container.start(), CALL_DEADLINE_MS, `start ${config.name}`);
  } catch (e) {
    trial.outcome = { ...trial.outcome, error: engineRefusal(e) };
  }
}

/** One look at a trial: state, exit code, and the ports it listens on (union over the looks). */
async function sample(docker: Docker, trial: Trial, signal?: AbortSignal): Promise<void> {
  if (!trial.id || trial.outcome.error) return;
  const inspect = (await engineApi.inspectContainer(docker, trial.id, { deadlineMs: INSPECT_DEADLINE_MS, signal })) as { State?: { Running?: boolean; ExitCode?: number; Pid?: number } };
  const running = inspect.State?.Running === true;
  if (running && inspect.State?.Pid) listeningPorts(inspect.State.Pid).forEach((p) => trial.ports.add(p));
  trial.outcome = { running, exitCode: running ? null : (inspect.State?.ExitCode ?? null), listening: [...trial.ports].sort((a, b) => a - b) };
}

/**
 * Watches both trials until both stopped, or the window passed with the profiled one doing what
 * the baseline does, or the grace after the window ran out.
 */
async function watch(docker: Docker, trials: [Trial, Trial], windowMs: number, graceMs: number, signal?: AbortSignal): Promise<void> {
  const [baseline, profiled] = trials;
  const windowEnd = Date.now() + windowMs;
  const graceEnd = windowEnd + graceMs;
  for (;;) {
    await Promise.all(trials.map((t) => sample(docker, t, signal)));
    if (signal?.aborted) throw new Cancelled();
    if (trials.every((t) => !t.outcome.running)) return;
    const now = Date.now();
    if (now >= windowEnd && (judgeProfileTrial(baseline.outcome, profiled.outcome).verified || now >= graceEnd)) return;
    // An abort ends the wait early; the next look sees it.
    await delay(POLL_MS, undefined, { signal }).catch(() => undefined);
  }
}

/** The last lines a (stopped) trial wrote: bounded in bytes and time, control characters escaped. */
async function logTail(docker: Docker, id: string, tty: boolean): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), LOG_DEADLINE_MS);
  try {
    const stream = await withTimeout(docker.getContainer(id).logs({ stdout: true, stderr: true, follow: true, tail: LOG_LINES, abortSignal: controller.signal }), LOG_DEADLINE_MS, 'logs');
    const raw = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      const done = () => resolve(Buffer.concat(chunks));
      stream.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        bytes += chunk.length;
        if (bytes >= LOG_READ_BYTES) {
          (stream as unknown as { destroy(): void }).destroy();
          done();
        }
      });
      stream.on('end', done);
      stream.on('error', done);
      stream.on('close', done);
    });
    const text = (tty ? raw : demultiplex(raw)).toString('utf8');
    const lines = text.split('\n').filter((l, i, all) => l || i < all.length - 1).slice(-LOG_LINES);
    return truncate(escapeControl(lines.map((l) => truncate(l, LOG_LINE_CHARS)).join('\n')));
  } catch {
    // No log is no evidence either way.
    return '';
  } finally {
    clearTimeout(timer);
  }
}

/** The payloads of Docker's multiplexed log stream (8-byte frame headers: stream, 0, 0, 0, size). */
function demultiplex(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, Math.min(raw.length, at + 8 + size)));
    at += 8 + size;
  }
  return Buffer.concat(parts);
}

/** Removes the trial's containers (with their anonymous volumes), and anything else carrying its label. */
async function removeTrial(docker: Docker, trialId: string, created: readonly string[]): Promise<void> {
  const remove = (id: string) => withTimeout(docker.getContainer(id).remove({ force: true, v: true }), CALL_DEADLINE_MS, 'remove trial container').catch(() => undefined);
  for (const id of created) await remove(id);
  try {
    const left = await withTimeout(docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${PROFILE_VERIFY_LABEL}=${trialId}`] }) }), CALL_DEADLINE_MS, 'list trial containers');
    for (const c of left) await remove(c.Id);
  } catch {
    // The engine went away: nothing more can be removed from here.
  }
}

/**
 * Starts the observed container's image under the profile and without it, and judges the
 * profile. Never throws: engine failures come back in `error`, a cancel in `cancelled`.
 */
export async function verifyProfile(docker: Docker, source: VerifySource, options: VerifyOptions): Promise<ProfileVerification> {
  const began = Date.now();
  const trialId = `${began.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const windowMs = options.windowMs ?? WINDOW_MS;
  const created: string[] = [];
  const report = (rest: Partial<ProfileVerification>): ProfileVerification => ({ verified: false, problems: [], trialId, windowSeconds: windowMs / 1000, containers: created, ms: Date.now() - began, ...rest });
  const spec = trialConfig(source, options.capAdd, trialId);
  if ('error' in spec) return report({ error: `cannot verify: ${spec.error}` });
  const trials: [Trial, Trial] = [
    { role: 'baseline', outcome: { running: false, exitCode: null, listening: [] }, ports: new Set() },
    { role: 'profiled', outcome: { running: false, exitCode: null, listening: [] }, ports: new Set() },
  ];
  const [baseline, profiled] = trials;
  try {
    options.onProgress?.(`starting the image under the profile, and without it to compare, for ${windowMs / 1000} s`);
    for (const trial of trials) {
      if (options.signal?.aborted) throw new Cancelled();
      const securityOpt = trial.role === 'profiled' ? [`seccomp=${options.profileText}`] : [];
      await startTrial(docker, trial, { ...spec.config, name: `bulkhead-profile-verify-${trialId}-${trial.role}`, HostConfig: { ...spec.config.HostConfig, SecurityOpt: securityOpt } }, created);
    }
    if (options.signal?.aborted) throw new Cancelled();
    if (baseline.id && profiled.id) options.onStarted?.({ baseline: baseline.id, profiled: profiled.id });
    await watch(docker, trials, windowMs, options.graceMs ?? GRACE_MS, options.signal);
    let verdict = judgeProfileTrial(baseline.outcome, profiled.outcome);
    let tail: string | undefined;
    if (!verdict.verified && profiled.id) {
      await withTimeout(docker.getContainer(profiled.id).kill(), CALL_DEADLINE_MS, 'stop trial').catch(() => undefined);
      tail = await logTail(docker, profiled.id, spec.config.Tty === true);
      verdict = judgeProfileTrial(baseline.outcome, profiled.outcome, tail);
    }
    return report({ ...verdict, baseline: baseline.outcome, profiled: profiled.outcome, logTail: tail || undefined });
  } catch (e) {
    if (options.signal?.aborted || e instanceof Cancelled) return report({ cancelled: true, error: 'verification cancelled' });
    return report({ error: `the verification could not run: ${safeText((e as Error).message.split('\n')[0], 500)}` });
  } finally {
    await removeTrial(docker, trialId, created);
  }
}

/** The verification's outcome for a terminal or the editor's log: verdict, then the trial's log. */
export function verificationText(v: ProfileVerification): string {
  if (v.cancelled) return 'verification cancelled';
  if (v.error) return v.error;
  const lines = [verdictText(v, v.profiled, v.windowSeconds)];
  if (v.logTail) lines.push('last lines of its log under the profile:', ...v.logTail.split('\n').map((l) => `  ${l}`));
  return lines.join('\n');
}
