import type { Instruction } from 'dockerfile-ast';
import { defineRule, type Report } from '../rule';
import type { DockerfileContext, Stage } from '../dockerfile/context';
import { aptInvocations, closesCleanly, commandsOfRun, isShellForm, sameRun, subcommand, unwrapSudo, type RunCommand } from '../dockerfile/run';

/** apt subcommands that read the package lists (without them: "Unable to locate package" or nothing to upgrade). */
const READS_LISTS = /^(?:install|reinstall|upgrade|dist-upgrade|full-upgrade|build-dep|source|download|satisfy|policy|show|showpkg|search|madison|depends|rdepends|list)$/;

/** What a command does to /var/lib/apt/lists. */
function listUse(raw: RunCommand): 'refresh' | 'read' | 'clean' | undefined {
  const cmd = unwrapSudo(raw);
  if (cmd.name === 'rm' && cmd.args.some((w) => w.value.startsWith('/var/lib/apt/lists'))) return 'clean';
  if (cmd.name === 'apt-cache' || cmd.name === 'aptitude') return 'read';
  if (cmd.name !== 'apt-get' && cmd.name !== 'apt') return undefined;
  const sub = subcommand(cmd.args)?.word.value ?? '';
  if (sub === 'update') return 'refresh';
  // apt 2.7+: `apt-get dist-clean` removes the lists as well as the archives.
  if (sub === 'dist-clean') return 'clean';
  return READS_LISTS.test(sub) ? 'read' : undefined;
}

/** Whether a RUN reads the lists before refreshing them itself (it relies on a previous RUN's lists), or refreshes them. */
function runUse(ctx: DockerfileContext, instruction: Instruction): 'relies' | 'refreshes' | undefined {
  for (const c of commandsOfRun(ctx, instruction)) {
    const use = listUse(c);
    if (use === 'read') return 'relies';
    if (use === 'refresh') return 'refreshes';
  }
  return undefined;
}

/**
 * For every RUN, whether a later build step (the rest of its stage, stages built FROM it, ONBUILD
 * triggers, an apt call in CMD/ENTRYPOINT) reads the package lists before refreshing them: deleting
 * the lists at the end of that RUN would then break it. One backward pass per stage, so linear.
 */
function listsNeededAfter(ctx: DockerfileContext): Map<Instruction, boolean> {
  const neededAfter = new Map<Instruction, boolean>();
  // Whether a stage built on this one reads the lists it inherits.
  const childNeeds = new Set<Stage>();
  // A stage can only build on earlier ones: children are done before their parent.
  for (const stage of [...ctx.stages].reverse()) {
    let needed = childNeeds.has(stage);
    for (let k = stage.instructions.length - 1; k >= 0; k--) {
      const instruction = stage.instructions[k];
      const keyword = ctx.keywordOf(instruction);
      if (keyword === 'ONBUILD' || keyword === 'CMD' || keyword === 'ENTRYPOINT') {
        // They run after every RUN of the stage, in a child build or the container.
        if (/\bapt(?:-get|-cache|itude)?\b/.test(instruction.getTextContent())) needed = true;
        continue;
      }
      if (keyword !== 'RUN') continue;
      neededAfter.set(instruction, needed);
      const use = runUse(ctx, instruction);
      if (use) needed = use === 'relies';
    }
    if (needed && stage.image.stage) childNeeds.add(stage.image.stage);
  }
  return neededAfter;
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  const seen = new Set<unknown>();
  let neededAfter: Map<Instruction, boolean> | undefined;
  for (const { raw, cmd, sub } of aptInvocations(ctx)) {
    if (sub?.word.value !== 'install' || seen.has(raw.instruction)) continue;
    seen.add(raw.instruction);
    // A cache mount keeps the lists out of the layer already.
    const runRange = ctx.rangeOf(raw.instruction.getRange());
    if (/--mount=\S*type=cache\S*\/var\/lib\/apt/.test(ctx.text.slice(runRange.start, runRange.end))) continue;
    const run = sameRun(ctx, raw);
    if (run.some((c) => listUse(c) === 'clean')) continue;
    neededAfter ??= listsNeededAfter(ctx);
    // An ONBUILD trigger is not in the stage's list: what runs after it in a child build is unknown.
    const laterUse = neededAfter.get(raw.instruction) ?? true;
    const last = run[run.length - 1].command;
    const lastWord = last.words[last.words.length - 1];
    const fixable = !laterUse && isShellForm(raw.instruction) && !last.pipedTo && closesCleanly(ctx, raw.instruction);
    reports.push({
      message: laterUse
        ? 'apt-get install without removing /var/lib/apt/lists in the same RUN: the package index stays in the layer (a later step installs from these lists without apt-get update, so they cannot be removed here: run apt-get update in that step and clean up there)'
        : 'apt-get install without removing /var/lib/apt/lists in the same RUN: the package index stays in the layer',
      range: { start: cmd.nameWord.start, end: sub.word.end },
      fixes: fixable ? [{ title: 'Append && rm -rf /var/lib/apt/lists/*', safe: true, preferred: true, edits: [{ start: lastWord.end, end: lastWord.end, newText: ' && rm -rf /var/lib/apt/lists/*' }] }] : [],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'apt-lists-not-cleaned',
    title: 'apt lists left in the image',
    severity: 'info',
    targets: ['dockerfile'],
    rationale: 'The package index (tens of MB) is only needed while installing. Left in the layer it bloats every pull and dates the image; deleting it in a later RUN does not shrink the earlier layer.',
    remediation:
      'End the same RUN with `&& rm -rf /var/lib/apt/lists/*` or `apt-get dist-clean` (or use a BuildKit cache mount for /var/lib/apt). The fix is offered only where no later step (RUN of the stage or of a stage built on it, ONBUILD, CMD/ENTRYPOINT) installs from the lists without its own `apt-get update`: deleting them would make that step fail.',
    refs: { hadolint: ['DL3009'] },
  },
  dockerfile: dockerfileCheck,
});
