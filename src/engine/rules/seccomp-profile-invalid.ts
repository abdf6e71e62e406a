import { defineRule, type Report } from '../rule';
import { listEntries, svc } from '../compose/checks';
import { rangeOf } from '../compose/values';
import { validateSeccompProfile } from '../profile/seccomp';
import { safeText } from '../output/escape';

const SECCOMP_FILE = /^seccomp[=:](.+)$/;
const BUILT_IN = new Set(['unconfined', 'builtin', 'default', 'runtime/default', 'docker/default']);

// A path or problem is shown at most this long.
const MAX_PROBLEM_CHARS = 120;

export default defineRule({
  meta: {
    id: 'seccomp-profile-invalid',
    title: 'Seccomp profile file missing or malformed',
    severity: 'error',
    targets: ['compose'],
    rationale:
      'A service that names its own seccomp profile (`security_opt: [seccomp=./profile.json]`) does not start when the file is missing or is not a valid profile, and a profile with a typo in an action or a name does not confine what its author meant.',
    remediation:
      'Point `seccomp=` at an existing JSON profile in Docker\'s format (`defaultAction`, `syscalls[].names`/`action`), relative to the compose file and inside its folder. `Bulkhead: Profile Container…` or `bulkhead profile` generate one from what the container really does.',
    refs: {},
    links: ['https://docs.docker.com/engine/security/seccomp/'],
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      for (const entry of listEntries(ctx, s.get('security_opt'))) {
        if (entry.text === undefined || entry.interpolated) continue;
        const m = SECCOMP_FILE.exec(entry.text.trim());
        if (!m || BUILT_IN.has(m[1].trim())) continue;
        const written = m[1].trim();
        const shown = safeText(written, MAX_PROBLEM_CHARS);
        let message: string | undefined;
        // An inline JSON profile (what `docker inspect` shows) is checked as written.
        if (written.startsWith('{')) {
          const problems = validateSeccompProfile(written).problems;
          if (problems.length) message = `${svc(s)}: inline seccomp profile is malformed: ${describe(problems)}`;
        } else if (ctx.readProjectFile) {
          // Compose v2 resolves relative paths against the project directory, the compose file's
          // (docker/compose#8669); the reader does so, and reads nothing outside that folder.
          const read = ctx.readProjectFile(ctx.file, written);
          if (read.kind === 'missing') message = `${svc(s)}: seccomp profile ${shown} does not exist; the service will not start`;
          else if (read.kind === 'outside') message = `${svc(s)}: seccomp profile ${shown} is outside the project, not read; keep profiles next to the compose file`;
          else if (read.kind === 'unreadable') message = `${svc(s)}: seccomp profile ${shown} cannot be read: ${read.why}`;
          else {
            const problems = validateSeccompProfile(read.text).problems;
            if (problems.length) message = `${svc(s)}: seccomp profile ${shown} is malformed: ${describe(problems)}`;
          }
        }
        if (message) reports.push({ message, range: rangeOf(entry.node) });
      }
    }
    return reports;
  },
});

/** The validator's problems without the values it quotes: a message never carries file content. */
function withoutContent(problem: string): string {
  if (problem.startsWith('not valid JSON')) return 'not valid JSON';
  return problem.replace(/^("defaultAction"|syscalls\[\d+\]\.action) .* is not a seccomp action$/, '$1 is not a seccomp action');
}

function describe(problems: string[]): string {
  return problems.slice(0, 3).map((p) => safeText(withoutContent(p), MAX_PROBLEM_CHARS)).join('; ') + (problems.length > 3 ? ` (+${problems.length - 3} more)` : '');
}
