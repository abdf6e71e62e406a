import { mkdirSync } from 'node:fs';
import { readTextFile } from '../workspace/readText';
import { writeFileAtomic } from '../workspace/atomicWrite';
import { safeText } from '../engine/output/escape';
import { createClient, resolveDefaultEngine } from '../docker/connection';
import { observeContainer } from '../docker/profile';
import { verificationText, verifyProfile, type ProfileVerification } from '../docker/profile-verify';
import { capabilitiesDocument, profileFromStrace, serializeSeccompProfile, type ObservedProfile } from '../engine/profile';
import { composeWiringEdits, profiledRunCommand } from '../engine/profile/wire';
import { applyEdits } from '../engine/text';
import { dirname, relative as relativePath, resolve, sep } from 'node:path';
import { oneOf, parseArgs, UsageError } from './args';
import type { Io } from './io';

export const PROFILE_USAGE =
  'usage: bulkhead profile <container> --seconds N --out FILE [--caps-out FILE] [--log-out FILE] [--compose FILE [--service NAME]] [--no-verify] [--format text|json]\n       bulkhead profile --from-strace LOG --out FILE [--caps-out FILE] [--compose FILE --service NAME] [--format text|json]';

const MAX_LOG_BYTES = 256 * 1024 * 1024;

/**
 * `bulkhead profile`: a seccomp profile (Docker's JSON) and the capability set from what a
 * running container really does (strace from the host), or from a strace log. A profile from a
 * container is verified before it is written: its image is started under the profile (and without
 * it, to compare); one that breaks the start is not written.
 * Exit codes: 0 written, 1 nothing usable observed or the profile failed verification (nothing
 * written), 2 usage or environment problem.
 */
export async function runProfile(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['seconds', 'out', 'caps-out', 'from-strace', 'log-out', 'compose', 'service', 'format'], ['no-runtime', 'include-likely', 'no-verify']);
  const out = args.options.get('out');
  if (typeof out !== 'string') throw new UsageError(`--out FILE is required\n${PROFILE_USAGE}`);
  const format = oneOf('format', args.options.get('format'), ['text', 'json'] as const, 'text');
  // The capabilities go beside the profile unless told otherwise (the editor's code action reads them there).
  const capsOption = args.options.get('caps-out');
  const capsOut = typeof capsOption === 'string' ? capsOption : `${out.replace(/\.json$/, '')}.capabilities.json`;
  const fromStrace = args.options.get('from-strace');
  const options = { includeRuntime: !args.options.has('no-runtime'), includeLikelyCaps: args.options.has('include-likely') };

  let profile: ObservedProfile;
  let source: string;
  let image = 'IMAGE';
  let verification: ProfileVerification | undefined;
  let verificationSkipped: string | undefined;
  let service = typeof args.options.get('service') === 'string' ? (args.options.get('service') as string) : undefined;
  const composeFile = args.options.get('compose');
  if (composeFile === true) throw new UsageError('--compose needs a file');
  if (typeof fromStrace === 'string') {
    if (args.positionals.length) throw new UsageError(`give either a container or --from-strace, not both\n${PROFILE_USAGE}`);
    // Bounded, regular files only (a FIFO or /dev/zero is refused, not read).
    const read = readTextFile(fromStrace, MAX_LOG_BYTES);
    if (!read.file) {
      io.err(`bulkhead: cannot read ${safeText(fromStrace)}: ${read.error}${/too large/.test(read.error) ? '; trace a shorter window' : ''}\n`);
      return 2;
    }
    const { text } = read.file;
    profile = profileFromStrace(text, options);
    if (profile.problem) {
      io.err(`bulkhead: ${fromStrace}: ${profile.problem}\n`);
      return 1;
    }
    source = fromStrace;
    verificationSkipped = 'from a strace log: there is no image to start';
  } else {
    const [container, ...extra] = args.positionals;
    if (!container || extra.length) throw new UsageError(PROFILE_USAGE);
    const secondsText = args.options.get('seconds') ?? '30';
    const seconds = Number(secondsText);
    if (secondsText === true || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) throw new UsageError('--seconds must be a number of seconds between 1 and 3600');
    const docker = createClient(resolveDefaultEngine());
    const logOut = args.options.get('log-out');
    io.err(`bulkhead: observing ${container} for ${seconds} s (Ctrl-C stops early and keeps what was seen)\n`);
    const observed = await untilSigint((signal) =>
      observeContainer(docker, container, {
        seconds,
        signal,
        logFile: typeof logOut === 'string' ? logOut : undefined,
        onProgress: (m) => io.err(`bulkhead: ${m}\n`),
      }),
    );
    if (observed.error || !observed.profile) {
      io.err(`bulkhead: cannot profile ${container}: ${observed.error ?? 'nothing observed'}\n`);
      return observed.error && /not installed|needs root|not running|no container|could not attach|another machine/.test(observed.error) ? 2 : 1;
    }
    // The same log, derived with this command's options (--no-runtime, --include-likely); the observation's own warnings stay.
    profile = { ...profileFromStrace(observed.log ?? '', options), log: observed.profile.log };
    source = `${observed.name} (${observed.pids.length} processes/threads traced)`;
    image = observed.image || image;
    service ??= observed.inspect.Config?.Labels?.['com.docker.compose.service'];
    if (args.options.has('no-verify')) verificationSkipped = '--no-verify';
    else {
      verification = await untilSigint((signal) =>
        verifyProfile(docker, observed.inspect, { profileText: serializeSeccompProfile(profile.seccomp.profile), capAdd: profile.capAdd, signal, onProgress: (m) => io.err(`bulkhead: verifying: ${m}\n`) }),
      );
      if (!verification.verified) {
        if (format === 'json') io.out(`${JSON.stringify({ source, written: false, verification: verificationJson(verification) }, null, 2)}\n`);
        io.err(`bulkhead: ${out} not written: ${verificationText(verification)}\n`);
        if (!verification.cancelled) io.err('bulkhead: --no-verify writes the profile without this check\n');
        return verification.error && !verification.cancelled ? 2 : 1;
      }
    }
  }
  if (typeof composeFile === 'string' && !service) throw new UsageError('--compose needs --service NAME (the container has no compose service label)');

  const profileText = serializeSeccompProfile(profile.seccomp.profile);
  try {
    mkdirSync(dirname(resolve(out)), { recursive: true });
    mkdirSync(dirname(resolve(capsOut)), { recursive: true });
    writeFileAtomic(out, profileText);
    writeFileAtomic(capsOut, capabilitiesDocument(profile));
  } catch (e) {
    io.err(`bulkhead: cannot write: ${(e as Error).message}\n`);
    return 2;
  }
  const observedCount = profile.counts.size;
  const runCommand = profiledRunCommand(image, [], { profilePath: out, capAdd: profile.capAdd });
  const lines = [
    `profile of ${source}: ${observedCount} distinct system calls observed (${profile.log.calls.length} calls), ${profile.seccomp.runtimeOnly.length} added for the container runtime, ${profile.seccomp.allowed.length} allowed in total`,
    verification ? verificationText(verification) : `not verified (${verificationSkipped})`,
    `wrote ${out} and ${capsOut}`,
    `capabilities: ${profile.capabilities.length ? profile.capabilities.map((c) => `${c.capability} (${c.confidence}: ${c.reason})`).join(', ') : 'none needed'}`,
    ...profile.log.warnings.map((w) => `warning: ${w}`),
    `run it: ${runCommand}`,
  ];
  const json: Record<string, unknown> = {
    source,
    written: true,
    profile: out,
    capabilities: capsOut,
    observed: observedCount,
    allowed: profile.seccomp.allowed,
    capAdd: profile.capAdd,
    warnings: profile.log.warnings,
    runCommand,
    verification: verification ? verificationJson(verification) : { skipped: verificationSkipped },
  };
  const print = () => io.out(format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : `${lines.join('\n')}\n`);
  if (typeof composeFile === 'string' && service) {
    const wired = wireCompose(composeFile, service, out, profile.capAdd);
    json.compose = { file: composeFile, service, changed: wired.changed === true, error: wired.error };
    if (wired.error) {
      print();
      io.err(`bulkhead: profile written, but not wired into ${composeFile}: ${wired.error}\n`);
      return 2;
    }
    lines.push(wired.changed ? `wired into ${composeFile}, service "${service}"` : `${composeFile}, service "${service}" already uses it`);
  }
  print();
  return 0;
}

/** Runs `work` with a signal that Ctrl-C aborts (observation keeps what it saw; verification cleans up). */
async function untilSigint<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** The verification as the JSON output shows it (the trial's log already escaped and bounded). */
function verificationJson(v: ProfileVerification): Record<string, unknown> {
  return {
    verified: v.verified,
    trialId: v.trialId,
    how: v.how,
    problems: v.problems,
    hint: v.hint,
    windowSeconds: v.windowSeconds,
    profiled: v.profiled,
    withoutProfile: v.baseline,
    logTail: v.logTail,
    error: v.error,
    cancelled: v.cancelled,
    ms: v.ms,
  };
}

/** Points the compose service at the profile (path relative to the compose file, as compose v2 resolves it). */
function wireCompose(composeFile: string, service: string, profileFile: string, capAdd: string[]): { changed?: boolean; error?: string } {
  const read = readTextFile(composeFile);
  if (!read.file) return { error: `cannot read it: ${read.error}` };
  if (!read.file.validUtf8) return { error: 'not valid UTF-8: not rewritten' };
  const { text } = read.file;
  const relative = relativePath(dirname(resolve(composeFile)), resolve(profileFile)).split(sep).join('/');
  const { edits, error } = composeWiringEdits(text, service, { profilePath: relative.startsWith('.') ? relative : `./${relative}`, capAdd });
  if (error) return { error };
  if (!edits.length) return { changed: false };
  try {
    // Only if the file is still what was read: an edit made meanwhile is never overwritten.
    writeFileAtomic(composeFile, applyEdits(text, edits).text, read.file.snapshot);
  } catch (e) {
    return { error: `cannot write it: ${(e as Error).message}` };
  }
  return { changed: true };
}
