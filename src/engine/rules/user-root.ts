import type { Instruction } from 'dockerfile-ast';
import { eolOf } from '../text';
import { defineRule, type Report } from '../rule';
import type { ComposeContext } from '../compose/context';
import { fix, setScalarEdits, svc } from '../compose/checks';
import { insertServiceKeyEdit } from '../compose/edit';
import { isInterpolated, pairRange, scalarString } from '../compose/values';
import type { ContainerContext } from '../runtime/container';
import { isRootUser } from '../runtime/judge';
import type { DockerfileContext, Stage } from '../dockerfile/context';
import { APP_UID, createUserCommand, finalStage, linesToInsert, runtimeInsertionPoint, stageChain } from '../dockerfile/stage';

/** The user part of `USER user[:group]`, variables resolved where the Dockerfile defines them. */
function userOf(ctx: DockerfileContext, instruction: Instruction): string | undefined {
  const raw = (instruction.getArgumentsContent() ?? '').trim().split(/\s+/)[0] ?? '';
  const user = raw.split(':')[0];
  const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(user);
  if (!variable) return user;
  const value = ctx.dockerfile.resolveVariable(variable[1], instruction.getRange().start.line);
  return value ? value.split(':')[0] : undefined;
}

function isRoot(user: string, windows: boolean): boolean {
  return user === 'root' || user === '0' || (windows && user.toLowerCase() === 'containeradministrator');
}

/** The last USER of a stage, following FROM <earlier stage> chains. */
function lastUser(ctx: DockerfileContext, stage: Stage): Instruction | undefined {
  for (const s of stageChain(stage)) {
    const users = s.instructions.filter((i) => ctx.keywordOf(i) === 'USER');
    if (users.length) return users[users.length - 1];
  }
  return undefined;
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const stage = finalStage(ctx);
  if (!stage) return [];
  const windows = stage.family === 'windows';
  const user = lastUser(ctx, stage);
  const fromRange = ctx.rangeOf(stage.from.getInstructionRange());
  if (user) {
    const name = userOf(ctx, user);
    if (name === undefined || !isRoot(name, windows)) return [];
    if (stage.instructions.includes(user)) {
      return [{ message: `the final stage switches to ${name} and never back: the container runs as root`, range: ctx.rangeOf(user.getRange()), fixes: [fixFor(ctx, stage, user)] }];
    }
    return [{ message: `the final stage inherits USER ${name} from stage "${stage.image.stage?.name}": the container runs as root`, range: fromRange, fixes: [fixFor(ctx, stage)] }];
  }
  // Nano Server's default user is already the unprivileged ContainerUser.
  if (windows && /nanoserver/i.test(stage.image.reference)) return [];
  if (stage.family === 'distroless' && /nonroot/.test(stage.image.tag ?? '')) return [];
  return [{ message: 'no USER in the final stage: the container runs as root unless the base image sets a user', range: fromRange, fixes: [fixFor(ctx, stage)] }];
}

/**
 * Creates the user where the family allows and switches to it before CMD/ENTRYPOINT. A trailing
 * `USER root` (nothing after it needs root) is replaced in place.
 */
function fixFor(ctx: DockerfileContext, stage: Stage, rootUser?: Instruction) {
  const windows = stage.family === 'windows';
  const lines: string[] = [];
  const create = windows ? undefined : createUserCommand(stage.family);
  if (create) lines.push(create);
  lines.push(windows ? 'USER ContainerUser' : `USER ${APP_UID}:${APP_UID}`);
  const needsRootAfter = rootUser && stage.instructions.some((i) => i.getRange().start.line > rootUser.getRange().end.line && /^(?:RUN|COPY|ADD|WORKDIR)$/.test(ctx.keywordOf(i)));
  const title = windows ? 'Run as ContainerUser' : `Create an unprivileged user and run as ${APP_UID}:${APP_UID}`;
  if (rootUser && !needsRootAfter) {
    const r = ctx.rangeOf(rootUser.getRange());
    const eol = eolOf(ctx.text);
    return { title, safe: false, preferred: true, edits: [{ start: r.start, end: r.end, newText: lines.join(eol) }] };
  }
  const point = runtimeInsertionPoint(ctx, stage, rootUser);
  return { title, safe: false, preferred: true, edits: point ? [{ start: point.at, end: point.at, newText: linesToInsert(ctx, lines, point.newlineBefore) }] : [] };
}

/** The uid:gid the fixes switch to (the Dockerfile fixes create the same one). */
const NON_ROOT_USER = '"10001:10001"';

function composeUserRoot(ctx: ComposeContext): Report[] {
  const reports: Report[] = [];
  for (const s of ctx.services) {
    const field = s.get('user');
    const user = field ? scalarString(field.value) : undefined;
    if (field && (user === undefined || isInterpolated(user) || !isRootUser(user))) continue;
    if (!field && s.partial) continue;
    reports.push({
      message: field ? `${svc(s)} runs as root (user: ${user})` : `${svc(s)} sets no user: it runs as the image's user, root unless the image sets USER`,
      range: field ? pairRange(field.pair) : s.range,
      // Files owned by root in the image or volumes may become unreadable/unwritable.
      severity: field ? undefined : 'info',
      fixes: fix(`Run as ${NON_ROOT_USER.replace(/"/g, '')}`, false, field ? setScalarEdits(ctx, s, 'user', field, NON_ROOT_USER) : [insertServiceKeyEdit(ctx, s, 'user', { scalar: NON_ROOT_USER })]),
    });
  }
  return reports;
}

function containerUserRoot(ctx: ContainerContext): Report[] {
  const user = ctx.inspect.Config?.User ?? '';
  return isRootUser(user) ? [{ message: user ? `runs as root (user ${user})` : 'runs as root (no user set in the container or its image)', evidence: `Config.User=${JSON.stringify(user)}` }] : [];
}

export default defineRule({
  meta: {
    id: 'user-root',
    title: 'Container runs as root',
    severity: 'warning',
    targets: ['dockerfile', 'compose', 'container'],
    rationale:
      'A process running as root inside the container is root on the host kernel: a container escape, a writable host mount or a missing capability drop turns an application bug into host compromise. Build stages may run as root; the image that ships should not.',
    remediation:
      'Create an unprivileged user in the final stage and switch to it with `USER uid:gid` before CMD/ENTRYPOINT (numeric ids work even without /etc/passwd and let Kubernetes verify runAsNonRoot).',
    refs: { cis: ['4.1'], hadolint: ['DL3002'], trivy: ['DS-0002'], checkov: ['CKV_DOCKER_3', 'CKV_DOCKER_8'] },
  },
  dockerfile: dockerfileCheck,
  compose: composeUserRoot,
  container: containerUserRoot,
});
