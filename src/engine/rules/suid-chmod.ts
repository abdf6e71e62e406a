import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { runCommands, unwrapSudo } from '../dockerfile/run';

/** Octal modes with the 4000 (setuid) or 2000 (setgid) bit, or symbolic `u+s`/`g+s`/`+s`. */
function setsSpecialBits(mode: string): boolean {
  if (/^[0-7]{4,5}$/.test(mode)) return (parseInt(mode, 8) & 0o6000) !== 0;
  return mode.split(',').some((clause) => /^[ugoa]*[+=][rwxXst]*s/.test(clause) && !/^o+[+=]/.test(clause));
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const raw of runCommands(ctx)) {
    const cmd = unwrapSudo(raw);
    if (cmd.name !== 'chmod') continue;
    const mode = cmd.args.find((w) => !w.value.startsWith('-'));
    if (!mode || !setsSpecialBits(mode.value)) continue;
    reports.push({
      message: `chmod ${mode.value} sets the setuid/setgid bit: any user in the container can run that file with its owner's (usually root's) privileges`,
      range: { start: cmd.nameWord.start, end: mode.end },
      fixes: [],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'suid-chmod',
    title: 'chmod sets setuid/setgid',
    severity: 'warning',
    targets: ['dockerfile'],
    rationale:
      'Setuid and setgid binaries are the classic way from an unprivileged foothold back to root. A hardened image has none beyond what it cannot do without, and containers run with no-new-privileges to neutralise them.',
    remediation: 'Do not add setuid/setgid bits; give the program the one capability it needs (`setcap`), or run it in a separate privileged helper. Run containers with `--security-opt no-new-privileges`.',
    refs: {},
    examples: {
      dockerfile: {
        bad: ['FROM alpine:3.20\nRUN chmod u+s /usr/local/bin/tool\n', 'FROM alpine:3.20\nRUN chmod 4755 /usr/local/bin/tool\n'],
        good: ['FROM alpine:3.20\nRUN chmod 0755 /usr/local/bin/tool\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
