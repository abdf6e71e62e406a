import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { runCommands, unwrapSudo } from '../dockerfile/run';

const DOWNLOADERS = new Set(['curl', 'wget']);
const INTERPRETERS = /^(?:sh|bash|ash|dash|zsh|ksh|python[\d.]*|perl|ruby|node|php)$/;

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  const commands = runCommands(ctx);
  for (let k = 0; k + 1 < commands.length; k++) {
    const download = unwrapSudo(commands[k]);
    const next = commands[k + 1];
    if (!DOWNLOADERS.has(download.name) || !download.command.pipedTo || next.instruction !== download.instruction || !next.command.pipedFrom) continue;
    const runner = unwrapSudo(next);
    if (!INTERPRETERS.test(runner.name)) continue;
    reports.push({
      message: `${download.name} piped into ${runner.name}: the script is executed unverified, and a truncated download runs half a script`,
      range: { start: commands[k].nameWord.start, end: runner.nameWord.end },
      fixes: [],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'curl-pipe-shell',
    title: 'Download piped into a shell',
    severity: 'warning',
    targets: ['dockerfile'],
    rationale:
      'Piping a download straight into an interpreter runs whatever the server (or anyone in the path) returns, with no checksum or signature, and a connection dropped mid-transfer executes a partial script.',
    remediation: 'Download to a file, verify its checksum or signature (`sha256sum -c`), then run it; better, install a pinned package or copy the tool from a trusted image stage.',
    refs: {},
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nRUN curl -fsSL https://get.example.com/install.sh | sh\n'],
        good: ['FROM debian:12\nRUN curl -fsSL -o /tmp/install.sh https://get.example.com/install.sh\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
