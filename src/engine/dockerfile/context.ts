import { From, JSONInstruction, Onbuild, Run, type Dockerfile, type Heredoc, type Instruction } from 'dockerfile-ast';
import type { OffsetRange } from '../model';
import { LineIndex } from '../text';
import { tokenizeShell, type ShellCommand } from './shell';
import type { BuildContextAccess } from './build-context';
import type { BaseImageLookup } from '../images/facts';
import { parseDockerfile } from './parse';

/** A 0-based line/character position as dockerfile-ast reports it. */
interface Position {
  line: number;
  character: number;
}
interface PositionRange {
  start: Position;
  end: Position;
}

/** The base image family decides which user tooling a fix may use. */
export type ImageFamily = 'alpine' | 'busybox' | 'debian' | 'rhel' | 'windows' | 'scratch' | 'distroless' | 'unknown';

/** A FROM image with ARG defaults substituted. */
export interface ResolvedImage {
  /** The reference after substitution (what `docker build` would pull without --build-arg). */
  reference: string;
  /** False when a variable had no default: the reference is not known statically. */
  resolved: boolean;
  name: string;
  tag?: string;
  digest?: string;
  /** The earlier stage this FROM builds on (`FROM builder`). */
  stage?: Stage;
  scratch: boolean;
}

export interface Stage {
  index: number;
  from: From;
  /** The `AS name`, lower-cased as Docker compares it. */
  name?: string;
  /** Instructions after FROM up to the next FROM. */
  instructions: Instruction[];
  image: ResolvedImage;
  family: ImageFamily;
  isFinal: boolean;
}

/** Everything a Dockerfile rule may look at, parsed once per lint. */
export interface DockerfileContext {
  file?: string;
  text: string;
  lines: LineIndex;
  dockerfile: Dockerfile;
  /** The escape character (`\` or, by the `# escape=` directive, a backtick). */
  escape: string;
  stages: Stage[];
  /** Offset of a dockerfile-ast position. */
  offsetAt(position: Position): number;
  /** Offsets of a dockerfile-ast range. */
  rangeOf(range: PositionRange): OffsetRange;
  /** The shell commands of a RUN (shell form, heredoc script or exec form), tokenized once. */
  commandsOf(instruction: Instruction): ShellCommand[];
  /** The stage an instruction belongs to. */
  stageOf(instruction: Instruction): Stage | undefined;
  /** Upper-case keyword, computed once (getKeyword() allocates a new string per call). */
  keywordOf(instruction: Instruction): string;
  /** Every instruction with this keyword, in file order. */
  ofKeyword(keyword: string): readonly Instruction[];
  /** Facts about base images from the caller (the local engine), when it has them. */
  baseImages?: BaseImageLookup;
  /** The build context's files and readable contents, when the adapter gives them (build-context.ts). */
  buildContext?: BuildContextAccess;
}

export function createDockerfileContext(text: string, file?: string): DockerfileContext {
  const lines = new LineIndex(text);
  const dockerfile = parseDockerfile(text);
  const offsetAt = (p: Position) => lines.offset(p.line, p.character);
  const rangeOf = (r: PositionRange) => ({ start: offsetAt(r.start), end: offsetAt(r.end) });
  const escape = dockerfile.getEscapeCharacter();
  const stages = buildStages(dockerfile);
  const commandCache = new Map<Instruction, ShellCommand[]>();
  const keywords = new Map<Instruction, string>();
  const byKeyword = new Map<string, Instruction[]>();
  const stageByInstruction = new Map<Instruction, Stage>();
  for (const s of stages) {
    stageByInstruction.set(s.from, s);
    for (const i of s.instructions) stageByInstruction.set(i, s);
  }
  const add = (instruction: Instruction, keyword: string) => {
    keywords.set(instruction, keyword);
    const list = byKeyword.get(keyword);
    if (list) list.push(instruction);
    else byKeyword.set(keyword, [instruction]);
  };
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    add(instruction, keyword);
    // `ONBUILD RUN …` runs in every child build: its command is checked like a RUN (as hadolint does).
    if (keyword === 'ONBUILD' && instruction instanceof Onbuild && instruction.getTrigger() === 'RUN') {
      const trigger = instruction.getTriggerInstruction();
      if (trigger) {
        add(trigger, 'RUN');
        const stage = stageByInstruction.get(instruction);
        if (stage) stageByInstruction.set(trigger, stage);
      }
    }
  }
  const ctx: DockerfileContext = {
    file,
    text,
    lines,
    dockerfile,
    escape,
    stages,
    offsetAt,
    rangeOf,
    commandsOf(instruction) {
      let cached = commandCache.get(instruction);
      if (!cached) {
        cached = shellCommandsOf(ctx, instruction);
        commandCache.set(instruction, cached);
      }
      return cached;
    },
    stageOf: (instruction) => stageByInstruction.get(instruction),
    keywordOf: (instruction) => keywords.get(instruction) ?? instruction.getKeyword(),
    ofKeyword: (keyword) => byKeyword.get(keyword) ?? [],
  };
  return ctx;
}

/**
 * Whether an instruction opens a heredoc that never closes: it then runs to the end of the file,
 * and lines inserted after it would become part of the heredoc.
 */
export function heredocOpen(ctx: DockerfileContext, instruction: Instruction): boolean {
  const r = ctx.rangeOf(instruction.getRange());
  const body = ctx.text.slice(r.start, r.end);
  if (!body.includes('<<')) return false;
  // The parser's view decides where the instruction ends; ask it first (rare: only with `<<`).
  const parsed = (instruction as unknown as { getHeredocs?(): Heredoc[] }).getHeredocs?.() ?? [];
  if (parsed.some((h) => h.getDelimiterRange() === null)) return true;
  const lines = body.split(/\r?\n/);
  for (const m of lines[0].matchAll(new RegExp(HEREDOC.source, 'g'))) {
    const closes = lines.slice(1).some((l) => (m[1] ? l.replace(/^\t+/, '') : l) === m[3]);
    if (!closes) return true;
  }
  return false;
}

/** An edit removing an instruction's whole lines (with its line break), comments around it kept. */
export function removeInstructionEdit(ctx: DockerfileContext, instruction: Instruction): { start: number; end: number; newText: string } {
  const r = instruction.getRange();
  const start = ctx.lines.lineStart(r.start.line);
  const endLine = r.end.line;
  const end = endLine + 1 < ctx.lines.lineCount ? ctx.lines.lineStart(endLine + 1) : ctx.lines.lineEnd(endLine);
  return { start, end, newText: '' };
}

function buildStages(dockerfile: Dockerfile): Stage[] {
  const stages: Stage[] = [];
  let current: Stage | undefined;
  const globalArgs = new Map<string, string | undefined>();
  for (const a of dockerfile.getInitialARGs()) {
    const p = a.getProperty();
    // A default may use earlier ARGs (`ARG BASE_IMAGE=$REGISTRY/$OWNER/base`): expanded as the builder does.
    const raw = p?.getValue();
    const expanded = raw == null ? undefined : substituteArgs(raw, globalArgs);
    if (p) globalArgs.set(p.getName(), expanded?.resolved ? expanded.value : undefined);
  }
  const byName = new Map<string, Stage>();
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction instanceof From) {
      const name = instruction.getBuildStage()?.toLowerCase() ?? undefined;
      const image = resolveImage(instruction, globalArgs, byName);
      current = { index: stages.length, from: instruction, name, instructions: [], image, family: 'unknown', isFinal: false };
      stages.push(current);
      if (name !== undefined && !byName.has(name)) byName.set(name, current);
    } else if (current) {
      current.instructions.push(instruction);
    }
  }
  if (stages.length) stages[stages.length - 1].isFinal = true;
  for (const s of stages) s.family = familyOf(s);
  return stages;
}

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Substitutes ARG defaults into `raw`; `resolved` is false when a variable without a default was used. */
function substituteArgs(raw: string, args: Map<string, string | undefined>): { value: string; resolved: boolean } {
  let resolved = true;
  const value = raw.replace(VARIABLE, (_m, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = args.get(name);
    const isSet = value !== undefined && value !== '';
    if (op === '-') return isSet ? value : (word ?? '');
    if (op === '+') return isSet ? (word ?? '') : '';
    if (!isSet) resolved = false;
    return value ?? '';
  });
  return { value, resolved };
}

/** Substitutes global ARG defaults into the FROM reference, as the builder does. */
function resolveImage(from: From, globalArgs: Map<string, string | undefined>, earlier: Map<string, Stage>): ResolvedImage {
  const { value: reference, resolved } = substituteArgs(from.getImage() ?? '', globalArgs);
  const lower = reference.toLowerCase();
  const stage = earlier.get(lower);
  const { name, tag, digest } = splitReference(reference);
  return { reference, resolved, name, tag, digest, stage, scratch: lower === 'scratch' };
}

/** Splits `registry:port/path/name:tag@digest` (a colon after the last slash is the tag). */
export function splitReference(reference: string): { name: string; tag?: string; digest?: string } {
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, digest };
}

const DEBIAN_HINTS = /(?:^|[-_.])(?:debian|ubuntu|bookworm|bullseye|buster|trixie|jammy|focal|noble|slim)(?:$|[-_.\d])/;

/** Guesses the base image family from the reference, the stage it builds on, and the package tools it runs. */
function familyOf(stage: Stage): ImageFamily {
  const { image } = stage;
  if (image.stage) return image.stage.family;
  if (image.scratch) return 'scratch';
  const name = image.name.toLowerCase();
  const tag = (image.tag ?? '').toLowerCase();
  const last = name.split('/').pop() ?? '';
  if (/windows|nanoserver|servercore|mcr\.microsoft\.com\/(?:dotnet\/framework|powershell)/.test(name) || /nanoserver|servercore|windowsservercore|ltsc\d{4}/.test(tag)) return 'windows';
  if (/distroless|chainguard\/static/.test(name)) return 'distroless';
  if (last === 'alpine' || tag.includes('alpine')) return 'alpine';
  if (last === 'busybox') return 'busybox';
  if (last === 'debian' || last === 'ubuntu' || DEBIAN_HINTS.test(tag)) return 'debian';
  if (/^(?:fedora|centos|rockylinux|almalinux|ubi\d*|ubi\d+-minimal|amazonlinux|oraclelinux)$/.test(last)) return 'rhel';
  // Official language images default to Debian.
  if (/^(?:node|python|golang|ruby|php|openjdk|eclipse-temurin|rust|perl|maven|gradle|buildpack-deps|nginx|httpd|postgres|redis)$/.test(last)) return 'debian';
  // Fall back to the package manager the stage itself runs.
  for (const i of stage.instructions) {
    if (i.getKeyword() !== 'RUN') continue;
    const body = i.getTextContent();
    if (/\bapk\s+(?:add|update)\b/.test(body)) return 'alpine';
    if (/\bapt(?:-get)?\s+(?:install|update)\b/.test(body)) return 'debian';
    if (/\b(?:yum|dnf|microdnf)\s+install\b/.test(body)) return 'rhel';
  }
  return 'unknown';
}

/**
 * The commands a RUN executes, with offsets into the original text: the shell-form line (across
 * continuations and escape-directive characters), a heredoc script when the RUN line itself has
 * no command, or the exec-form array as a single command.
 */
/** `<<EOF`, `<<-EOF`, `<<"EOF"`: a heredoc marker (not `<<<`, a here-string). */
const HEREDOC = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/;

function shellCommandsOf(ctx: DockerfileContext, instruction: Instruction): ShellCommand[] {
  if (instruction instanceof JSONInstruction && instruction.getOpeningBracket()) {
    const words = instruction.getJSONStrings().map((s) => {
      const r = ctx.rangeOf(s.getRange());
      return { value: s.getJSONValue(), start: r.start, end: r.end, json: true };
    });
    return words.length ? [{ words, pipedFrom: false, pipedTo: false }] : [];
  }
  // Found in the text rather than with getArguments(), which re-tokenizes the whole instruction.
  const end = ctx.offsetAt(instruction.getRange().end);
  const start = skipFlags(ctx, ctx.offsetAt(instruction.getInstructionRange().end), end);
  if (start >= end) return [];
  const heredoc = instruction instanceof Run ? HEREDOC.exec(ctx.text.slice(start, end)) : null;
  if (heredoc) {
    // Found here rather than with getHeredocs(), which re-parses the instruction.
    const markerLine = ctx.lines.position(start + heredoc.index).line;
    const firstLineEnd = ctx.lines.lineEnd(markerLine);
    // The `<<EOF` markers are not words of the command.
    const head = tokenizeShell(ctx.text, start, firstLineEnd, ctx.escape, true)
      .map((c) => ({ ...c, words: c.words.filter((w) => !w.value.startsWith('<<')) }))
      .filter((c) => c.words.length);
    const runsScript = !head.length || (head.length === 1 && /^(?:\/bin\/|\/usr\/bin\/)?(?:sh|bash|ash|dash)$/.test(head[0].words[0].value));
    if (!runsScript) return head;
    const contentStart = ctx.lines.lineStart(markerLine + 1);
    let contentEnd = end;
    for (let line = markerLine + 1; line < ctx.lines.lineCount && ctx.lines.lineStart(line) < end; line++) {
      const text = ctx.lines.lineText(line);
      if ((heredoc[1] ? text.replace(/^\t+/, '') : text) === heredoc[3]) {
        contentEnd = ctx.lines.lineStart(line);
        break;
      }
    }
    return contentStart < contentEnd ? [...head, ...tokenizeShell(ctx.text, contentStart, contentEnd, ctx.escape, false)] : head;
  }
  return tokenizeShell(ctx.text, start, end, ctx.escape, true);
}

/** The offset after the blanks, line continuations and `--flag[=value]` words that start at `from`. */
function skipFlags(ctx: DockerfileContext, from: number, end: number): number {
  const { text, escape } = ctx;
  let i = from;
  for (;;) {
    while (i < end && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i++;
    if (text[i] === escape && /^[ \t]*\r?\n/.test(text.slice(i + 1, i + 64))) {
      i = text.indexOf('\n', i) + 1;
      continue;
    }
    // Comment lines inside a continuation are dropped by the builder.
    if (text[i] === '#' && i > from) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? end : nl + 1;
      continue;
    }
    if (text.startsWith('--', i)) {
      while (i < end && !/[ \t\r\n]/.test(text[i])) i++;
      continue;
    }
    return i;
  }
}
