import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';

/** Text the shell would interpret: converting it to exec form would change what runs. */
const SHELL_SYNTAX = /[$`|&;<>(){}*?~\\"'#!\[\]]|^\s*[A-Za-z_][A-Za-z0-9_]*=/;

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const stage of ctx.stages) {
    for (const instruction of stage.instructions) {
      const keyword = ctx.keywordOf(instruction);
      if (keyword !== 'CMD' && keyword !== 'ENTRYPOINT') continue;
      const raw = instruction.getRawArgumentsContent();
      if (raw === null || raw.trimStart().startsWith('[')) continue;
      const args = instruction.getArguments();
      if (!args.length) continue;
      const start = ctx.offsetAt(args[0].getRange().start);
      const end = ctx.offsetAt(args[args.length - 1].getRange().end);
      const body = ctx.text.slice(start, end);
      // `CMD exec app …`: the shell replaces itself with the program, which is PID 1 and gets SIGTERM.
      if (keyword === 'CMD' && /^exec\s/.test(body)) continue;
      const convertible = stage.family !== 'windows' && !body.includes('\n') && !SHELL_SYNTAX.test(body);
      const words = body.split(/[ \t]+/);
      reports.push({
        message: keyword === 'ENTRYPOINT'
          ? 'shell-form ENTRYPOINT: /bin/sh is PID 1, so the application never receives SIGTERM and CMD/run arguments are ignored'
          : 'shell-form CMD: /bin/sh is PID 1, so the application does not receive SIGTERM and is killed after the stop timeout',
        range: { start, end },
        fixes: convertible
          ? [{
              title: `Use exec form: ${keyword} ${JSON.stringify(words).replace(/","/g, '", "')}`,
              // The program becomes PID 1 (signals, exit codes) and no shell is needed in the image.
              safe: false,
              preferred: true,
              edits: [{ start, end, newText: JSON.stringify(words).replace(/","/g, '", "') }],
            }]
          : [],
      });
    }
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'shell-form-command',
    title: 'Shell-form CMD or ENTRYPOINT',
    severity: 'warning',
    targets: ['dockerfile'],
    rationale:
      'In shell form the command runs as `/bin/sh -c "…"`: the shell is PID 1 and does not forward SIGTERM, so `docker stop` waits and then kills the application without a graceful shutdown. It also requires a shell in the image.',
    remediation: 'Use exec form: `CMD ["node", "server.js"]`. If you need shell features, exec the program at the end (`sh -c "… && exec node server.js"`). A shell-form CMD that starts with `exec` is not reported: the shell replaces itself with the program.',
    refs: { hadolint: ['DL3025'] },
    examples: {
      dockerfile: {
        bad: ['FROM node:20-alpine\nCMD node server.js\n'],
        good: ['FROM node:20-alpine\nCMD ["node", "server.js"]\n', 'FROM oraclelinux:8\nENV RUN_FILE=runOracle.sh\nCMD exec /opt/oracle/$RUN_FILE\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
