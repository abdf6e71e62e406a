import type { Instruction } from 'dockerfile-ast';
import { heredocOpen, type DockerfileContext, type ImageFamily, type Stage } from './context';
import { eolOf } from '../text';

/** The uid/gid Bulkhead's fixes create: high enough to clash with no distribution's system users. */
export const APP_UID = 10001;

/** The stage a finding about "the image" concerns: the last one (what `docker build` tags). */
export function finalStage(ctx: DockerfileContext): Stage | undefined {
  return ctx.stages[ctx.stages.length - 1];
}

/** The stages whose layers the built image carries: the last stage and the stages it builds FROM. */
export function finalImageStages(ctx: DockerfileContext): Set<Stage> {
  const final = finalStage(ctx);
  return new Set(final ? stageChain(final) : []);
}

/** The stages `stage` builds on, nearest first (FROM an earlier stage), itself included. */
export function stageChain(stage: Stage): Stage[] {
  const chain: Stage[] = [];
  for (let s: Stage | undefined = stage; s && !chain.includes(s); s = s.image.stage) chain.push(s);
  return chain;
}

/** The last instruction with this keyword in the stage or, when absent, the stages it builds on. */
export function lastInChain(stage: Stage, keyword: string): Instruction | undefined {
  for (const s of stageChain(stage)) {
    for (let k = s.instructions.length - 1; k >= 0; k--) if (s.instructions[k].getKeyword() === keyword) return s.instructions[k];
  }
  return undefined;
}

/**
 * Where to insert lines that configure the running image: before the stage's first CMD,
 * ENTRYPOINT or HEALTHCHECK after `after` (if given), else at the end of the stage.
 * Returns the offset of a line start, and whether a line break must be prepended.
 */
export function runtimeInsertionPoint(ctx: DockerfileContext, stage: Stage, after?: Instruction): { at: number; newlineBefore: boolean } | undefined {
  const afterLine = after ? after.getRange().end.line : -1;
  const target = stage.instructions.find((i) => i.getRange().start.line > afterLine && /^(?:CMD|ENTRYPOINT|HEALTHCHECK)$/.test(i.getKeyword()));
  if (target) return { at: ctx.lines.lineStart(target.getRange().start.line), newlineBefore: false };
  const last = stage.instructions[stage.instructions.length - 1] ?? stage.from;
  // Lines after an unclosed heredoc would be part of it.
  if (heredocOpen(ctx, last)) return undefined;
  const endLine = last.getRange().end.line;
  if (endLine + 1 < ctx.lines.lineCount) {
    const at = ctx.lines.lineStart(endLine + 1);
    return { at, newlineBefore: false };
  }
  return { at: ctx.text.length, newlineBefore: !ctx.text.endsWith('\n') };
}

/** Joins lines with the file's own line ending, ready to insert at a line start. */
export function linesToInsert(ctx: DockerfileContext, lines: string[], newlineBefore: boolean): string {
  const eol = eolOf(ctx.text);
  return (newlineBefore ? eol : '') + lines.map((l) => l + eol).join('');
}

/**
 * The RUN line creating an unprivileged user with the tools the base image family has, or
 * undefined when the image has no shell (scratch, distroless) and a numeric USER is all there is.
 */
export function createUserCommand(family: ImageFamily): string | undefined {
  const uid = APP_UID;
  switch (family) {
    case 'alpine':
      return `RUN addgroup -S -g ${uid} app && adduser -S -D -H -u ${uid} -G app app`;
    case 'debian':
    case 'rhel':
      return `RUN groupadd --system --gid ${uid} app && useradd --system --uid ${uid} --gid app --no-create-home --shell /usr/sbin/nologin app`;
    case 'scratch':
    case 'distroless':
    case 'windows':
      return undefined;
    case 'busybox':
    default:
      // Busybox builds differ in which applets they carry (adduser is often left out), and an
      // unknown base may have no user tooling at all: appending the entries needs only a shell.
      return `RUN echo 'app:x:${uid}:${uid}:app:/nonexistent:/sbin/nologin' >> /etc/passwd && echo 'app:x:${uid}:' >> /etc/group`;
  }
}
