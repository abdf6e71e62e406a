import { defineRule, type Report } from '../rule';
import { eolOf } from '../text';
import type { DockerfileContext, Stage } from '../dockerfile/context';
import { commandsOfRun, runCommands, type RunCommand } from '../dockerfile/run';
import { stageChain } from '../dockerfile/stage';
import { baseName, commandName, type ShellCommand } from '../dockerfile/shell';
import type { Instruction } from 'dockerfile-ast';

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

/*
 * Pipelines where pipefail changes nothing (not reported). Pipefail only matters when a command
 * before the last `|` fails while the last one succeeds:
 * - Producers that cannot fail in a way that matters: `echo`, `printf`, `true`, `:`, and `{ … }` or
 *   `( … )` groups of only those. Their status never reflects a failed substitution in their
 *   arguments (`echo "$(curl …)"` exits 0 under pipefail too); their only failure is a write to a
 *   consumer that stopped reading, which is the consumer's status to report.
 * - Producers that only read local state (`cat`, `grep`, `locale`, `ls`, `sort`, `cut`, `tr`) into a
 *   consumer that checks their whole output and fails on empty input: `sha256sum -c` (and the other
 *   `*sum -c`), or a presence check `grep PATTERN` whose output only goes to the build log. Such a
 *   producer fails before printing (a missing file, a bad option), so the check fails too; when it
 *   printed what was checked for, the check holds.
 * Everything else is reported: downloads (`curl … | sh`, `wget -O- … | tar x`) fail half-way and
 * leave a consumer that succeeds on partial input, and `cat file | sh` runs an empty script.
 */
const CANNOT_FAIL = new Set(['echo', 'printf', 'true', ':']);
const READS_LOCAL_STATE = new Set(['cat', 'grep', 'egrep', 'fgrep', 'locale', 'ls', 'sort', 'cut', 'tr']);
const CHECKSUM_TOOL = /^(?:md5|sha1|sha224|sha256|sha384|sha512|b2|sh)a?sum$/;

const nameOf = (cmd: ShellCommand): string | undefined => {
  const found = commandName(cmd);
  return found && baseName(found.word.value);
};

/** The text between two offsets with shell comments removed (the gaps between words hold only operators, blanks and comments). */
const gapText = (text: string, from: number, to: number) => text.slice(from, to).replace(/#[^\n]*/g, '');

/**
 * The simple commands the pipeline element ending with `cmd` runs: itself, or every command of the
 * `{ … }` or `( … )` group it closes; undefined when the group cannot be delimited.
 */
function producerCommands(ctx: DockerfileContext, instruction: Instruction, cmd: RunCommand): ShellCommand[] | undefined {
  const all = ctx.commandsOf(instruction);
  const lastWord = cmd.command.words[cmd.command.words.length - 1];
  const next = all[cmd.index + 1];
  const after = gapText(ctx.text, lastWord.end, next ? next.words[0].start : lastWord.end);
  const closesSubshell = after.slice(0, after.indexOf('|') + 1 || undefined).includes(')');
  if (cmd.name === '}' && cmd.command.words.length === 1) {
    // `{ a; b; }`: back to the command starting with the matching `{`.
    let depth = 1;
    for (let j = cmd.index - 1; j >= 0; j--) {
      const words = all[j].words;
      if (words.length === 1 && words[0].value === '}') depth++;
      for (let k = 0; k < words.length && words[k].value === '{'; k++) depth--;
      if (depth <= 0) return depth === 0 ? all.slice(j, cmd.index).filter((c) => !(c.words.length === 1 && c.words[0].value === '}')) : undefined;
    }
    return undefined;
  }
  if (!closesSubshell) return [cmd.command];
  // `( a; b ) |`: the parentheses sit in the gaps between commands; walk back to the matching `(`.
  let depth = 0;
  for (const c of after.slice(0, after.indexOf('|') + 1 || undefined)) if (c === ')') depth++;
  const start = ctx.rangeOf(instruction.getInstructionRange()).end;
  for (let j = cmd.index; j >= 0; j--) {
    const before = gapText(ctx.text, j ? all[j - 1].words[all[j - 1].words.length - 1].end : start, all[j].words[0].start);
    for (let k = before.length - 1; k >= 0; k--) {
      if (before[k] === ')') depth++;
      else if (before[k] === '(' && --depth === 0) return all.slice(j, cmd.index + 1);
    }
  }
  return undefined;
}

/** A consumer whose success needs the producer's whole output: `sha256sum -c`, or `grep PATTERN` whose output only reaches the log. */
function checksWholeOutput(cmd: RunCommand): boolean {
  const args = cmd.args.map((w) => w.value);
  if (CHECKSUM_TOOL.test(cmd.name)) return args.some((a) => a === '--check' || /^-[A-Za-z]*c/.test(a));
  if (cmd.name !== 'grep' && cmd.name !== 'egrep' && cmd.name !== 'fgrep') return false;
  const inverts = args.some((a) => /^-[A-Za-z]*[vcL]/.test(a) || /^--(?:invert-match|count|files-without-match)\b/.test(a));
  const redirected = args.some((a) => /^(?:\d*>|&>)/.test(a));
  return !inverts && !redirected;
}

/** Whether pipefail would change the outcome of this pipeline (see the comment on CANNOT_FAIL). */
function pipefailMatters(ctx: DockerfileContext, instruction: Instruction, pipe: RunCommand[]): boolean {
  const producers: ShellCommand[] = [];
  for (const c of pipe.slice(0, -1)) {
    const group = producerCommands(ctx, instruction, c);
    if (!group) return true;
    producers.push(...group);
  }
  const names = producers.map(nameOf);
  if (names.every((n) => n !== undefined && CANNOT_FAIL.has(n))) return false;
  return !(checksWholeOutput(pipe[pipe.length - 1]) && names.every((n) => n !== undefined && (CANNOT_FAIL.has(n) || READS_LOCAL_STATE.has(n))));
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
      if (!cmds.some((c) => c.command.pipedFrom)) continue;
      if (cmds.some((c) => c.name === 'set' && c.args.some((w, k) => w.value === 'pipefail' && /^-[a-z]*o$/.test(c.args[k - 1]?.value ?? '')))) continue;
      // `yes | pecl install …` is meant to end by SIGPIPE: pipefail is not what it lacks.
      const pipe = pipelines(cmds).find((p) => !expectsSigpipe(p) && pipefailMatters(ctx, instruction, p));
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
      'Set `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN (`/bin/sh` on Alpine and busybox, whose ash supports pipefail and which have no bash), or start the RUN with `set -o pipefail &&` where the shell supports it. Pipelines meant to end by SIGPIPE (`yes | …`, `… | head`) are not reported, and no SHELL is offered for a stage that has one: pipefail would fail them with 141. Nor are pipelines where pipefail changes nothing: `echo`/`printf` (or a `{ … }`/`( … )` group of only those) before the pipe, or a local query (`cat`, `grep`, `locale`…) into a check of its whole output (`sha256sum -c`, a `grep PATTERN` whose output only reaches the log).',
    refs: { hadolint: ['DL4006'] },
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nRUN curl -fsSL https://example.com/data.json | jq .version > /version\n'],
        good: [
          'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -fsSL https://example.com/data.json | jq .version > /version\n',
          'FROM debian:12\nRUN curl -fsSLo app.tar.gz https://example.com/app.tar.gz \\\n && echo "$APP_SHA256 *app.tar.gz" | sha256sum -c - \\\n && { echo \'[app]\'; echo \'port = 8080\'; } | tee /etc/app.conf\n',
        ],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
