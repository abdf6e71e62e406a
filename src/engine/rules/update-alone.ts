import { defineRule, type Report } from '../rule';
import { eolOf } from '../text';
import type { DockerfileContext } from '../dockerfile/context';
import type { Fix } from '../model';
import { baseName } from '../dockerfile/shell';
import { closesCleanly, commandsOfRun, isShellForm, runCommands, sameRun, subcommand, unwrapSudo, type RunCommand } from '../dockerfile/run';

/** Index refresh commands and the installs that must share their RUN. */
function refreshOf(cmd: RunCommand): 'apt' | 'apk' | undefined {
  const sub = subcommand(cmd.args)?.word.value;
  if ((cmd.name === 'apt-get' || cmd.name === 'apt') && sub === 'update') return 'apt';
  if (cmd.name === 'apk' && sub === 'update') return 'apk';
  return undefined;
}

/** xargs options that take a separate value (`-n 1`, `-I {}`). */
const XARGS_VALUE_OPTIONS = new Set(['-a', '-d', '-E', '-e', '-I', '-i', '-L', '-l', '-n', '-P', '-s', '--arg-file', '--delimiter', '--eof', '--max-lines', '--max-args', '--max-procs', '--max-chars', '--replace']);

/** The command `xargs [options] CMD …` runs (`… | xargs -r apt-get install -y` installs), else the command itself. */
function unwrapXargs(cmd: RunCommand): RunCommand {
  if (cmd.name !== 'xargs') return cmd;
  let k = 0;
  while (k < cmd.args.length && cmd.args[k].value.startsWith('-')) k += XARGS_VALUE_OPTIONS.has(cmd.args[k].value) ? 2 : 1;
  const word = cmd.args[k];
  return word ? { ...cmd, name: baseName(word.value), nameWord: word, args: cmd.args.slice(k + 1) } : cmd;
}

function installs(cmd: RunCommand, family: 'apt' | 'apk'): boolean {
  const sub = subcommand(cmd.args)?.word.value;
  if (family === 'apt') return (cmd.name === 'apt-get' || cmd.name === 'apt' || cmd.name === 'aptitude') && /^(?:install|upgrade|dist-upgrade|full-upgrade|build-dep|source)$/.test(sub ?? '');
  return cmd.name === 'apk' && /^(?:add|upgrade|fix)$/.test(sub ?? '');
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const raw of runCommands(ctx)) {
    const cmd = unwrapSudo(raw);
    const family = refreshOf(cmd);
    if (!family) continue;
    if (sameRun(ctx, raw).some((c) => installs(unwrapSudo(unwrapXargs(unwrapSudo(c))), family))) continue;
    reports.push({
      message: `${cmd.name} update without an install in the same RUN: the cached layer keeps a stale package index, so later installs get outdated packages`,
      range: { start: cmd.nameWord.start, end: subcommand(cmd.args)!.word.end },
      fixes: mergeFix(ctx, raw, family),
    });
  }
  return reports;
}

/**
 * When the next instruction is a plain shell-form RUN that starts by installing with the same tool,
 * joins the two RUNs with `&&`: the same commands, now cached together.
 */
function mergeFix(ctx: DockerfileContext, update: RunCommand, family: 'apt' | 'apk'): Fix[] {
  const stage = ctx.stageOf(update.instruction);
  if (!stage || !isShellForm(update.instruction) || !closesCleanly(ctx, update.instruction)) return [];
  const next = stage.instructions[stage.instructions.indexOf(update.instruction) + 1];
  if (!next || ctx.keywordOf(next) !== 'RUN' || !isShellForm(next)) return [];
  const nextCommands = commandsOfRun(ctx, next);
  if (!nextCommands.length || nextCommands[0].index !== 0 || !installs(unwrapSudo(nextCommands[0]), family)) return [];
  const own = sameRun(ctx, update);
  const last = own[own.length - 1].command.words;
  const from = last[last.length - 1].end;
  const firstWord = ctx.commandsOf(next)[0].words[0];
  // Flags (--mount, --network) on the next RUN would then apply to the update too: leave those alone.
  if (/^\s*--/.test(ctx.text.slice(ctx.offsetAt(next.getInstructionRange().end), firstWord.start))) return [];
  // Comments between the two would be swallowed by the join.
  if (ctx.text.slice(from, firstWord.start).includes('#')) return [];
  const eol = eolOf(ctx.text);
  return [{ title: 'Merge with the next RUN (update && install)', safe: true, preferred: true, edits: [{ start: from, end: firstWord.start, newText: ` && ${ctx.escape}${eol}    ` }] }];
}

export default defineRule({
  meta: {
    id: 'update-alone',
    title: 'Package index update alone',
    severity: 'warning',
    targets: ['dockerfile'],
    rationale:
      'The build cache reuses a layer whose instruction text did not change. An `apt-get update` in its own RUN is cached once and never re-run, so installs in later RUNs use an old index and miss security updates (or fail when the mirror drops old versions).',
    remediation: 'Update and install in one RUN: `RUN apt-get update && apt-get install -y --no-install-recommends pkg && rm -rf /var/lib/apt/lists/*`.',
    refs: { cis: ['4.7'], trivy: ['DS-0017'], checkov: ['CKV_DOCKER_5'] },
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n'],
        good: ['FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n', 'FROM debian:12\nRUN apt-get update && grep -v "^#" /tmp/packages.txt | xargs -r apt-get install -y --no-install-recommends\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
