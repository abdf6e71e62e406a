import { defineRule, type Report } from '../rule';
import { eolOf } from '../text';
import type { DockerfileContext, Stage } from '../dockerfile/context';
import { commandsOfRun, runCommands, type RunCommand } from '../dockerfile/run';
import { stageChain } from '../dockerfile/stage';

/** A SHELL line enabling pipefail with a shell the family is known to have. */
function shellFor(stage: Stage): string | undefined {
  // Debian's /bin/sh is dash (no pipefail); every Debian, Ubuntu and RHEL base image ships bash.
  if (stage.family === 'debian' || stage.family === 'rhel') return 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]';
  // Alpine and busybox have no bash; their /bin/sh (busybox ash) supports pipefail.
  if (stage.family === 'alpine' || stage.family === 'busybox') return 'SHELL ["/bin/sh", "-o", "pipefail", "-c"]';
  return undefined;
}

/** The pipelines of a RUN: runs of commands joined by `|`. */
function pipelines(commands: RunCommand[]): RunCommand[][] {
  const out: RunCommand[][] = [];
  for (const c of commands) {
    if (c.command.pipedFrom && out.length) out[out.length - 1].push(c);
    else out.push([c]);
  }
  return out.filter((p) => p.length > 1);
}

const ENDLESS_DEVICE = /^<?\/dev\/(?:u?random|zero)$/;

/**
 * Whether a pipeline is expected to end with a producer killed by SIGPIPE: an endless producer
 * (`yes`, `/dev/urandom`) or a consumer that stops reading early (`head`, `grep -q`). Under
 * pipefail the RUN would then fail with 141 where it builds today.
 */
function expectsSigpipe(pipeline: RunCommand[]): boolean {
  const producers = pipeline.slice(0, -1);
  if (producers.some((c) => c.name === 'yes' || c.command.words.some((w) => ENDLESS_DEVICE.test(w.value)))) return true;
  return pipeline.slice(1).some((c) => {
    if (c.name === 'head') return true;
    const args = c.args.map((w) => w.value);
    if (c.name === 'grep' || c.name === 'egrep' || c.name === 'fgrep') return args.some((a) => /^-[A-Za-z]*[qlm]/.test(a) || /^--(?:quiet|silent|max-count|files-with-matches)\b/.test(a));
    if (c.name === 'awk' || c.name === 'sed') return args.some((a) => /\bexit\b|(?:^|[;{}\s])q\b/.test(a));
    return false;
  });
}

/** Stages where pipefail would break a pipeline that builds today (their own RUNs, ONBUILD triggers, or a stage built on them). */
function stagesExpectingSigpipe(ctx: DockerfileContext): Set<Stage> {
  const runs = new Map<unknown, RunCommand[]>();
  for (const c of runCommands(ctx)) {
    const list = runs.get(c.instruction);
    if (list) list.push(c);
    else runs.set(c.instruction, [c]);
  }
  const found = new Set<Stage>();
  for (const commands of runs.values()) {
    const stage = ctx.stageOf(commands[0].instruction);
    if (stage && pipelines(commands).some(expectsSigpipe)) for (const s of stageChain(stage)) found.add(s);
  }
  return found;
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  const fixedStages = new Set<Stage>();
  let sigpipeStages: Set<Stage> | undefined;
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
      if (!cmds.some((c) => c.command.pipedTo)) continue;
      if (cmds.some((c) => c.name === 'set' && c.args.some((w, k) => w.value === 'pipefail' && /^-[a-z]*o$/.test(c.args[k - 1]?.value ?? '')))) continue;
      // `yes | pecl install …` is meant to end by SIGPIPE: pipefail is not what it lacks.
      const pipe = pipelines(cmds).find((p) => !expectsSigpipe(p));
      if (!pipe) continue;
      sigpipeStages ??= stagesExpectingSigpipe(ctx);
      const shellLine = sigpipeStages.has(stage) ? undefined : shellFor(stage);
      // One SHELL covers every later RUN of the stage: offer it once so fix-all inserts it once.
      const fix = shellLine && !fixedStages.has(stage);
      if (fix) fixedStages.add(stage);
      const at = ctx.lines.lineStart(line);
      const eol = eolOf(ctx.text);
      const producer = pipe[0];
      const last = producer.command.words[producer.command.words.length - 1];
      reports.push({
        message: 'pipe without pipefail: the RUN succeeds when a command before the last | fails (a failed download piped into a shell still builds)',
        range: { start: producer.nameWord.start, end: last.end },
        fixes: fix
          ? [{ title: `Insert ${shellLine} (every later RUN of the stage, and stages built on it, fails when any command of a pipeline fails)`, safe: false, preferred: true, edits: [{ start: at, end: at, newText: shellLine + eol }] }]
          : [],
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
    remediation:
      'Set `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN (`/bin/sh` on Alpine and busybox, whose ash supports pipefail and which have no bash), or start the RUN with `set -o pipefail &&` where the shell supports it. Pipelines meant to end by SIGPIPE (`yes | …`, `… | head`) are not reported, and no SHELL is offered for a stage that has one: pipefail would fail them with 141.',
    refs: { hadolint: ['DL4006'] },
  },
  dockerfile: dockerfileCheck,
});
