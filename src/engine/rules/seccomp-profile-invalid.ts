import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { defineRule, type Report } from '../rule';
import { listEntries, svc } from '../compose/checks';
import { rangeOf } from '../compose/values';
import { validateSeccompProfile } from '../profile/seccomp';

/** Profiles larger than this are not read (Docker's default profile is about 20 KiB). */
const MAX_PROFILE_BYTES = 4 * 1024 * 1024;
const SECCOMP_FILE = /^seccomp[=:](.+)$/;
const BUILT_IN = new Set(['unconfined', 'builtin', 'default', 'runtime/default', 'docker/default']);

// Linting runs on every keystroke: a profile is parsed again only when its file changed.
const cache = new Map<string, { stamp: string; problems: string[] }>();

type ProfileState = { kind: 'missing' } | { kind: 'unreadable'; why: string } | { kind: 'problems'; problems: string[] };

function profileState(path: string): ProfileState {
  let stamp: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) return { kind: 'unreadable', why: 'it is not a file' };
    if (st.size > MAX_PROFILE_BYTES) return { kind: 'unreadable', why: `it is larger than ${MAX_PROFILE_BYTES / 1048576} MiB` };
    stamp = `${st.size}:${st.mtimeMs}`;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR'
      ? { kind: 'missing' }
      : { kind: 'unreadable', why: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
  const known = cache.get(path);
  if (known?.stamp === stamp) return { kind: 'problems', problems: known.problems };
  let problems: string[];
  try {
    problems = validateSeccompProfile(readFileSync(path, 'utf8')).problems;
  } catch (e) {
    return { kind: 'unreadable', why: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
  if (cache.size > 256) cache.clear();
  cache.set(path, { stamp, problems });
  return { kind: 'problems', problems };
}

export default defineRule({
  meta: {
    id: 'seccomp-profile-invalid',
    title: 'Seccomp profile file missing or malformed',
    severity: 'error',
    targets: ['compose'],
    rationale:
      'A service that names its own seccomp profile (`security_opt: [seccomp=./profile.json]`) does not start when the file is missing or is not a valid profile, and a profile with a typo in an action or a name does not confine what its author meant.',
    remediation:
      'Point `seccomp=` at an existing JSON profile in Docker\'s format (`defaultAction`, `syscalls[].names`/`action`), relative to the compose file. `Bulkhead: Profile Container…` or `bulkhead profile` generate one from what the container really does.',
    refs: {},
    links: ['https://docs.docker.com/engine/security/seccomp/'],
  },
  compose(ctx) {
    const reports: Report[] = [];
    const baseDir = ctx.file && isAbsolute(ctx.file) ? dirname(ctx.file) : undefined;
    for (const s of ctx.services) {
      for (const entry of listEntries(ctx, s.get('security_opt'))) {
        if (entry.text === undefined || entry.interpolated) continue;
        const m = SECCOMP_FILE.exec(entry.text.trim());
        if (!m || BUILT_IN.has(m[1].trim())) continue;
        const written = m[1].trim();
        // An inline JSON profile (what `docker inspect` shows) is checked as written.
        if (written.startsWith('{')) {
          const problems = validateSeccompProfile(written).problems;
          if (problems.length) reports.push({ message: `${svc(s)}: inline seccomp profile is malformed: ${problems.slice(0, 3).join('; ')}`, range: rangeOf(entry.node) });
          continue;
        }
        // Compose v2 resolves relative paths against the project directory, the compose file's
        // (docker/compose#8669); docker-compose v1 used its working directory (#8470).
        if (!isAbsolute(written) && !baseDir) continue;
        const path = isAbsolute(written) ? written : resolve(baseDir!, written);
        const state = profileState(path);
        let message: string | undefined;
        if (state.kind === 'missing') message = `${svc(s)}: seccomp profile ${written} does not exist (looked for ${path}); the service will not start`;
        else if (state.kind === 'unreadable') message = `${svc(s)}: seccomp profile ${written} cannot be read: ${state.why}`;
        else if (state.problems.length) message = `${svc(s)}: seccomp profile ${written} is malformed: ${state.problems.slice(0, 3).join('; ')}${state.problems.length > 3 ? ` (+${state.problems.length - 3} more)` : ''}`;
        if (message) reports.push({ message, range: rangeOf(entry.node) });
      }
    }
    return reports;
  },
});
