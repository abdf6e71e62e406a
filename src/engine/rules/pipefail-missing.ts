import { defineRule, type Report } from '../rule';
import { eolOf } from '../text';
import type { DockerfileContext, Stage } from '../dockerfile/context';
import { commandsOfRun } from '../dockerfile/run';
import { stageChain } from '../dockerfile/stage';

/** A SHELL line enabling pipefail with a shell the family is known to have. */
function shellFor(stage: Stage): string | undefined {
  if (stage.family === 'debian' || stage.family === 'rhel') return 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]';
  // Busybox ash (alpine's and busybox's /bin/sh) supports pipefail.
  if (stage.family === 'alpine' || stage.family === 'busybox') return 'SHELL ["/bin/sh", "-o", "pipefail", "-c"]';
  return undefined;
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  const fixedStages = new Set<Stage>();
  for (const stage of ctx.stages) {
    if (stage.family === 'windows') continue;
    const shells = stageChain(stage).flatMap((s) => s.instructions.filter((i) => ctx.keywordOf(i) === 'SHELL'));
    for (const instruction of stage.instructions) {
      if (ctx.keywordOf(instruction) !== 'RUN') continue;
      const line = instruction.getRange().start.line;
      const shell = shells.filter((s) => s.getRange().start.line < line || !stage.instructions.includes(s)).pop();
      if (shell && /pipefail/.test(shell.getRawArgumentsContent() ?? '')) continue;
      // Another shell (pwsh, cmd) has its own error semantics.
      if (shell && !/\/(?:ba|a|da|z|k)?sh"/.test(shell.getRawArgumentsContent() ?? '')) continue;
      const cmds = commandsOfRun(ctx, instruction);
      const pipe = cmds.find((c) => c.command.pipedTo);
      if (!pipe) continue;
      if (cmds.some((c) => c.name === 'set' && c.args.some((w, k) => w.value === 'pipefail' && /^-[a-z]*o$/.test(c.args[k - 1]?.value ?? '')))) continue;
      const shellLine = shellFor(stage);
      // One SHELL covers every later RUN of the stage: offer it once so fix-all inserts it once.
      const fix = shellLine && !fixedStages.has(stage);
      if (fix) fixedStages.add(stage);
      const at = ctx.lines.lineStart(line);
      const eol = eolOf(ctx.text);
      const last = pipe.command.words[pipe.command.words.length - 1];
      reports.push({
        message: 'pipe without pipefail: the RUN succeeds when a command before the last | fails (a failed download piped into a shell still builds)',
        range: { start: pipe.nameWord.start, end: last.end },
        fixes: fix ? [{ title: `Insert ${shellLine}`, safe: false, preferred: true, edits: [{ start: at, end: at, newText: shellLine + eol }] }] : [],
      });
    }
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'pipefail-missing',
    title: 'Pipe without pipefail',
    severity: 'warning',
    targets: ['dockerfile'],
    rationale:
      'A RUN fails only when the last command of a pipeline fails. `curl … | tar x` or `wget -O- … | sh` builds "successfully" with a truncated or empty download, shipping a broken or half-installed image.',
    remediation: 'Set `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN (or start the RUN with `set -o pipefail &&` where the shell supports it).',
    refs: { hadolint: ['DL4006'] },
  },
  dockerfile: dockerfileCheck,
});
