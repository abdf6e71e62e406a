import type { Instruction } from 'dockerfile-ast';
import type { DockerfileContext } from './context';
import { baseName, commandName, type ShellCommand, type ShellWord } from './shell';

/** One simple command of a RUN: the instruction, its tokens, the program name and its arguments. */
export interface RunCommand {
  instruction: Instruction;
  command: ShellCommand;
  /** Position of this command in the RUN's command list. */
  index: number;
  /** Program basename (`/usr/bin/apt-get` → `apt-get`); `sudo` stays `sudo`. */
  name: string;
  nameWord: ShellWord;
  args: ShellWord[];
}

const cache = new WeakMap<DockerfileContext, RunCommand[]>();

/** Every simple command of every RUN, in file order (computed once per lint). */
export function runCommands(ctx: DockerfileContext): RunCommand[] {
  let list = cache.get(ctx);
  if (list) return list;
  list = [];
  for (const instruction of ctx.ofKeyword('RUN')) {
    ctx.commandsOf(instruction).forEach((command, index) => {
      const found = commandName(command);
      if (!found) return;
      list.push({ instruction, command, index, name: baseName(found.word.value), nameWord: found.word, args: command.words.slice(found.index + 1) });
    });
  }
  cache.set(ctx, list);
  return list;
}

/** The command a `sudo …` prefix runs, so rules see `sudo apt-get install` as apt-get. */
export function unwrapSudo(cmd: RunCommand): RunCommand {
  if (cmd.name !== 'sudo') return cmd;
  let k = 0;
  while (k < cmd.args.length && cmd.args[k].value.startsWith('-')) k += /^-[ugCDhpRrTU]$/.test(cmd.args[k].value) ? 2 : 1;
  const word = cmd.args[k];
  if (!word) return cmd;
  return { ...cmd, name: baseName(word.value), nameWord: word, args: cmd.args.slice(k + 1) };
}

/** apt-get/apt options that take a separate value, so the subcommand is found after them. */
export const APT_VALUE_OPTIONS = new Set(['-o', '-t', '-c', '--option', '--target-release', '--config-file', '--default-release']);

/** The first non-option argument (the subcommand) of apt-get-like commands. */
export function subcommand(args: ShellWord[], valueOptions: Set<string> = APT_VALUE_OPTIONS): { word: ShellWord; index: number } | undefined {
  for (let k = 0; k < args.length; k++) {
    const v = args[k].value;
    if (v.startsWith('-')) {
      if (valueOptions.has(v)) k++;
      continue;
    }
    return { word: args[k], index: k };
  }
  return undefined;
}

/** Whether a short-option cluster or long option is among the words (`-y`, `-qy`, `--yes`). */
export function hasOption(args: ShellWord[], short: string | undefined, long: string[]): boolean {
  return args.some((w) => long.includes(w.value.split('=')[0]) || (short !== undefined && /^-[A-Za-z]+$/.test(w.value) && w.value.includes(short)));
}

const byInstruction = new WeakMap<DockerfileContext, Map<Instruction, RunCommand[]>>();

/** The commands of one RUN (indexed once per lint, so rules stay linear on huge files). */
export function commandsOfRun(ctx: DockerfileContext, instruction: Instruction): RunCommand[] {
  let index = byInstruction.get(ctx);
  if (!index) {
    index = new Map();
    for (const c of runCommands(ctx)) {
      const list = index.get(c.instruction);
      if (list) list.push(c);
      else index.set(c.instruction, [c]);
    }
    byInstruction.set(ctx, index);
  }
  return index.get(instruction) ?? [];
}

/** Whether every quote and substitution of the RUN closes, so text can be appended after it. */
export function closesCleanly(ctx: DockerfileContext, instruction: Instruction): boolean {
  return commandsOfRun(ctx, instruction).every((c) => c.command.words.every((w) => !w.unterminated));
}

/** All commands of the same RUN as `cmd`. */
export function sameRun(ctx: DockerfileContext, cmd: RunCommand): RunCommand[] {
  return commandsOfRun(ctx, cmd.instruction);
}

/** Whether the RUN is shell form written on the RUN line (not exec form, not a heredoc script). */
export function isShellForm(instruction: Instruction): boolean {
  const raw = instruction.getTextContent().replace(/^\s*\S+/, '');
  return !/^\s*(?:--\S+\s+)*\[/.test(raw) && !/<<-?\s*["']?[A-Za-z_]/.test(raw);
}

/** An apt-get or apt call in a RUN (through sudo), with the subcommand it runs, if any. */
export interface AptInvocation {
  /** The command as written (possibly `sudo apt-get …`). */
  raw: RunCommand;
  /** The apt-get/apt command itself. */
  cmd: RunCommand;
  sub?: { word: ShellWord; index: number };
}

/** Every apt-get and apt invocation of every RUN, in file order. */
export function aptInvocations(ctx: DockerfileContext): AptInvocation[] {
  const found: AptInvocation[] = [];
  for (const raw of runCommands(ctx)) {
    const cmd = unwrapSudo(raw);
    if (cmd.name === 'apt-get' || cmd.name === 'apt') found.push({ raw, cmd, sub: subcommand(cmd.args) });
  }
  return found;
}

/** Words that open or close a compound command: a command after them may not run at all. */
const COMPOUND_WORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'while', 'until', 'do', 'done', '{', '}', '!']);

/**
 * Whether a RUN is a plain list: simple commands (pipelines allowed) joined only by `&&`, `;` or
 * line breaks, with no `||`, background `&`, subshell or compound command. Then `… && X` appended
 * at its end runs X exactly when every command ran and succeeded.
 */
export function isPlainList(ctx: DockerfileContext, instruction: Instruction): boolean {
  const commands = ctx.commandsOf(instruction);
  for (let k = 0; k < commands.length; k++) {
    const words = commands[k].words;
    if (words.some((w) => COMPOUND_WORDS.has(w.value) && w.end - w.start === w.value.length)) return false;
    if (k === 0) continue;
    const previous = commands[k - 1].words;
    const between = ctx.text.slice(previous[previous.length - 1].end, words[0].start);
    // Continuations and the comment lines inside them are not separators.
    const separator = between.split(/\r?\n/).filter((line) => !/^\s*#/.test(line)).join(' ').replace(new RegExp(`\\${ctx.escape}\\s*$|\\${ctx.escape}\\s+`, 'g'), ' ').trim();
    if (!['&&', ';', '|', ''].includes(separator)) return false;
  }
  return true;
}
