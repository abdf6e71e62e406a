import { mkdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { createClient, resolveDefaultEngine } from '../docker/connection';
import { observeContainer } from '../docker/profile';
import { capabilitiesDocument, profileFromStrace, serializeSeccompProfile, type ObservedProfile } from '../engine/profile';
import { composeWiringEdits, profiledRunCommand } from '../engine/profile/wire';
import { applyEdits } from '../engine/text';
import { dirname, relative as relativePath, resolve, sep } from 'node:path';
import { parseArgs, UsageError } from './args';
import type { Io } from './io';

export const PROFILE_USAGE =
  'usage: bulkhead profile <container> --seconds N --out FILE [--caps-out FILE] [--log-out FILE] [--compose FILE [--service NAME]]\n       bulkhead profile --from-strace LOG --out FILE [--caps-out FILE] [--compose FILE --service NAME]';

const MAX_LOG_BYTES = 256 * 1024 * 1024;

/**
 * `bulkhead profile`: a seccomp profile (Docker's JSON) and the capability set from what a
 * running container really does (strace from the host), or from a strace log.
 * Exit codes: 0 written, 1 nothing usable observed, 2 usage or environment problem.
 */
export async function runProfile(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['seconds', 'out', 'caps-out', 'from-strace', 'log-out', 'compose', 'service'], ['no-runtime', 'include-likely']);
  const out = args.options.get('out');
  if (typeof out !== 'string') throw new UsageError(`--out FILE is required\n${PROFILE_USAGE}`);
  // The capabilities go beside the profile unless told otherwise (the editor's code action reads them there).
  const capsOption = args.options.get('caps-out');
  const capsOut = typeof capsOption === 'string' ? capsOption : `${out.replace(/\.json$/, '')}.capabilities.json`;
  const fromStrace = args.options.get('from-strace');
  const options = { includeRuntime: !args.options.has('no-runtime'), includeLikelyCaps: args.options.has('include-likely') };

  let profile: ObservedProfile;
  let source: string;
  let image = 'IMAGE';
  let service = typeof args.options.get('service') === 'string' ? (args.options.get('service') as string) : undefined;
  const composeFile = args.options.get('compose');
  if (composeFile === true) throw new UsageError('--compose needs a file');
  if (typeof fromStrace === 'string') {
    if (args.positionals.length) throw new UsageError(`give either a container or --from-strace, not both\n${PROFILE_USAGE}`);
    let text: string;
    try {
      if (statSync(fromStrace).size > MAX_LOG_BYTES) {
        io.err(`bulkhead: ${fromStrace} is larger than ${MAX_LOG_BYTES / 1048576} MiB; trace a shorter window\n`);
        return 2;
      }
      text = readFileSync(fromStrace, 'utf8');
    } catch (e) {
      io.err(`bulkhead: cannot read ${fromStrace}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 2;
    }
    profile = profileFromStrace(text, options);
    if (profile.problem) {
      io.err(`bulkhead: ${fromStrace}: ${profile.problem}\n`);
      return 1;
    }
    source = fromStrace;
  } else {
    const [container, ...extra] = args.positionals;
    if (!container || extra.length) throw new UsageError(PROFILE_USAGE);
    const secondsText = args.options.get('seconds') ?? '30';
    const seconds = Number(secondsText);
    if (secondsText === true || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) throw new UsageError('--seconds must be a number of seconds between 1 and 3600');
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    let observed;
    try {
      io.err(`bulkhead: observing ${container} for ${seconds} s (Ctrl-C stops early and keeps what was seen)\n`);
      const logOut = args.options.get('log-out');
      observed = await observeContainer(createClient(resolveDefaultEngine()), container, {
        seconds,
        signal: controller.signal,
        logFile: typeof logOut === 'string' ? logOut : undefined,
        onProgress: (m) => io.err(`bulkhead: ${m}\n`),
      });
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
    if (observed.error || !observed.profile) {
      io.err(`bulkhead: cannot profile ${container}: ${observed.error ?? 'nothing observed'}\n`);
      return observed.error && /not installed|needs root|not running|no container|could not attach|another machine/.test(observed.error) ? 2 : 1;
    }
    profile = observed.profile;
    source = `${observed.name} (${observed.pids.length} processes/threads traced)`;
    image = observed.image || image;
    service ??= observed.inspect.Config?.Labels?.['com.docker.compose.service'];
  }
  if (typeof composeFile === 'string' && !service) throw new UsageError('--compose needs --service NAME (the container has no compose service label)');

  try {
    mkdirSync(dirname(resolve(out)), { recursive: true });
    mkdirSync(dirname(resolve(capsOut)), { recursive: true });
    writeFileSync(out, serializeSeccompProfile(profile.seccomp.profile));
    writeFileSync(capsOut, capabilitiesDocument(profile));
  } catch (e) {
    io.err(`bulkhead: cannot write: ${(e as Error).message}\n`);
    return 2;
  }
  const observedCount = profile.counts.size;
  const lines = [
    `profile of ${source}: ${observedCount} distinct system calls observed (${profile.log.calls.length} calls), ${profile.seccomp.runtimeOnly.length} added for the container runtime, ${profile.seccomp.allowed.length} allowed in total`,
    `wrote ${out} and ${capsOut}`,
    `capabilities: ${profile.capabilities.length ? profile.capabilities.map((c) => `${c.capability} (${c.confidence}: ${c.reason})`).join(', ') : 'none needed'}`,
    ...profile.log.warnings.map((w) => `warning: ${w}`),
    `run it: ${profiledRunCommand(image, [], { profilePath: out, capAdd: profile.capAdd })}`,
  ];
  if (typeof composeFile === 'string' && service) {
    const wired = wireCompose(composeFile, service, out, profile.capAdd);
    if (wired.error) {
      io.out(`${lines.join('\n')}\n`);
      io.err(`bulkhead: profile written, but not wired into ${composeFile}: ${wired.error}\n`);
      return 2;
    }
    lines.push(wired.changed ? `wired into ${composeFile}, service "${service}"` : `${composeFile}, service "${service}" already uses it`);
  }
  io.out(`${lines.join('\n')}\n`);
  return 0;
}

/** Points the compose service at the profile (path relative to the compose file, as compose v2 resolves it). */
function wireCompose(composeFile: string, service: string, profileFile: string, capAdd: string[]): { changed?: boolean; error?: string } {
  let text: string;
  try {
    text = readFileSync(composeFile, 'utf8');
  } catch (e) {
    return { error: `cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  const relative = relativePath(dirname(resolve(composeFile)), resolve(profileFile)).split(sep).join('/');
  const { edits, error } = composeWiringEdits(text, service, { profilePath: relative.startsWith('.') ? relative : `./${relative}`, capAdd });
  if (error) return { error };
  if (!edits.length) return { changed: false };
  try {
    writeFileSync(composeFile, applyEdits(text, edits).text);
  } catch (e) {
    return { error: `cannot write it: ${(e as Error).message}` };
  }
  return { changed: true };
}
