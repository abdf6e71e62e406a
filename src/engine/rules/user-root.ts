import type { Instruction } from 'dockerfile-ast';
import { eolOf } from '../text';
import { defineRule, type Report } from '../rule';
import type { ImageContext } from '../image/context';
import { lastStep } from '../image/history';
import type { ComposeContext } from '../compose/context';
import { fix, setScalarEdits, svc } from '../compose/checks';
import { insertServiceKeyEdit } from '../compose/edit';
import { isInterpolated, mapGet, pairRange, scalarString } from '../compose/values';
import type { ComposeService } from '../compose/service';
import { isMap } from 'yaml';
import type { ContainerContext } from '../runtime/container';
import { isRootUser } from '../runtime/judge';
import { createDockerfileContext, type DockerfileContext, type Stage } from '../dockerfile/context';
import { baseImageFacts, describeSource, knownComposeImageFacts, type BaseImageFacts } from '../images/facts';
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

/** The USER instructions of a stage chain in build order (the base stage's first). */
function usersInChain(ctx: DockerfileContext, stage: Stage): Instruction[] {
  return stageChain(stage).reverse().flatMap((s) => s.instructions.filter((i) => ctx.keywordOf(i) === 'USER'));
}

/** The image the chain finally builds on (not a stage of this file). */
function externalBase(stage: Stage) {
  return stageChain(stage).pop()!.image;
}

/** Facts about the external base, from the local engine or the table; none for scratch (always root, no shell). */
function baseFacts(ctx: DockerfileContext, stage: Stage): BaseImageFacts | undefined {
  const base = externalBase(stage);
  if (base.scratch) return { user: '', hasShell: false, source: 'known image' };
  return base.resolved && base.name ? baseImageFacts(base.reference, ctx.baseImages) : undefined;
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const stage = finalStage(ctx);
  if (!stage) return [];
  const windows = stage.family === 'windows';
  const users = usersInChain(ctx, stage);
  const user = users[users.length - 1];
  const fromRange = ctx.rangeOf(stage.from.getInstructionRange());
  if (user) {
    const name = userOf(ctx, user);
    if (name === undefined || !isRoot(name, windows)) return [];
    if (stage.instructions.includes(user)) {
      return [{ message: `the final stage switches to ${name} and never back: the container runs as root`, range: ctx.rangeOf(user.getRange()), fixes: [fixFor(ctx, stage, users, user)] }];
    }
    return [{ message: `the final stage inherits USER ${name} from stage "${stage.image.stage?.name}": the container runs as root`, range: fromRange, fixes: [fixFor(ctx, stage, users)] }];
  }
  // Nano Server's default user is already the unprivileged ContainerUser.
  if (windows && /nanoserver/i.test(stage.image.reference)) return [];
  const facts = baseFacts(ctx, stage);
  // The base image already runs as a non-root user (its config, or a well-known image): nothing to fix.
  if (facts?.user !== undefined && !isRootUser(facts.user)) return [];
  const known = facts?.user !== undefined ? ` (${describeSource(facts)}: the base runs as root)` : ' unless the base image sets a user';
  return [{ message: `no USER in the final stage: the container runs as root${known}`, range: fromRange, fixes: [fixFor(ctx, stage, users)] }];
}

/** What running as non-root changes, stated in every fix title. */
const CONSEQUENCE = 'writes to root-owned paths and binding ports below 1024 then fail';

/**
 * Switches to a non-root user before CMD/ENTRYPOINT, in this order of preference: a non-root
 * user the file already switched to earlier (no second account), the base image's own non-root
 * user, a numeric uid:gid when the base has no shell or its tooling is unknown (no passwd entry
 * needed), else a created `app` user. A trailing `USER root` (nothing after it needs root) is
 * replaced in place. A RUN is only inserted where root runs it (after USER root, or a root base).
 */
function fixFor(ctx: DockerfileContext, stage: Stage, users: Instruction[], rootUser?: Instruction) {
  const windows = stage.family === 'windows';
  const facts = windows ? undefined : baseFacts(ctx, stage);
  const earlier = rootUser ? users.slice(0, users.indexOf(rootUser)) : users;
  const reuse = [...earlier].reverse().find((u) => {
    const name = userOf(ctx, u);
    return name !== undefined && !isRoot(name, windows);
  });
  const lines: string[] = [];
  let title: string;
  if (windows) {
    lines.push('USER ContainerUser');
    title = 'Run as ContainerUser';
  } else if (reuse) {
    const spec = (reuse.getArgumentsContent() ?? '').trim();
    lines.push(`USER ${spec}`);
    title = `Switch back to USER ${spec}, which the file already uses (${CONSEQUENCE})`;
  } else if (facts?.user !== undefined && !isRootUser(facts.user)) {
    lines.push(`USER ${facts.user}`);
    title = `Switch back to the base image's user ${facts.user} (per ${describeSource(facts)}; ${CONSEQUENCE})`;
  } else {
    const noShell = facts?.hasShell === false || stage.family === 'scratch' || stage.family === 'distroless';
    // Where the family's user tooling is unknown a RUN might fail (no shell, no passwd write access).
    const create = noShell || stage.family === 'unknown' ? undefined : createUserCommand(stage.family);
    // The RUN must run as root: say so unless a USER root precedes it or the base is known to run as root.
    if (create && !rootUser && facts?.user === undefined) lines.push('USER root');
    if (create) lines.push(create);
    lines.push(`USER ${APP_UID}:${APP_UID}`);
    title = create
      ? `Create an unprivileged user and run as ${APP_UID}:${APP_UID} (${CONSEQUENCE})`
      : `Run as numeric ${APP_UID}:${APP_UID} without a passwd entry (${noShell ? 'the base has no shell' : 'unknown base tooling'}; no home directory; ${CONSEQUENCE})`;
  }
  const needsRootAfter = rootUser && stage.instructions.some((i) => i.getRange().start.line > rootUser.getRange().end.line && /^(?:RUN|COPY|ADD|WORKDIR)$/.test(ctx.keywordOf(i)));
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
    // A well-known image that already runs as non-root needs no user: key.
    const image = scalarString(s.get('image')?.value);
    const known = !field && image && !s.has('build') ? knownComposeImageFacts(image) : undefined;
    if (known?.user !== undefined && !isRootUser(known.user)) continue;
    // A built image runs as its Dockerfile's final USER: judged there, once.
    if (!field && builtImageRunsAsNonRoot(ctx, s)) continue;
    reports.push({
      message: field ? `${svc(s)} runs as root (user: ${user})` : `${svc(s)} sets no user: it runs as the image's user, root unless the image sets USER`,
      range: field ? pairRange(field.pair) : s.range,
      // Files owned by root in the image or volumes may become unreadable/unwritable.
      severity: field ? undefined : 'info',
      fixes: fix(`Run as ${NON_ROOT_USER.replace(/"/g, '')} (${CONSEQUENCE})`, false, field ? setScalarEdits(ctx, s, 'user', field, NON_ROOT_USER) : [insertServiceKeyEdit(ctx, s, 'user', { scalar: NON_ROOT_USER })]),
    });
  }
  return reports;
}

/**
 * Whether the service's `build:` Dockerfile, read through the project-file reader, runs as non-root by
 * the same judgement as a Dockerfile lint (its final USER, or a base image known to be non-root).
 * False when there is no build, no reader, or the file cannot be read.
 */
function builtImageRunsAsNonRoot(ctx: ComposeContext, s: ComposeService): boolean {
  const build = s.get('build');
  if (!build || !ctx.readProjectFile) return false;
  const value = ctx.resolve(build.value);
  const context = isMap(value) ? scalarString(mapGet(ctx, value, 'context')?.node) ?? '.' : scalarString(value);
  const dockerfile = isMap(value) ? scalarString(mapGet(ctx, value, 'dockerfile')?.node) ?? 'Dockerfile' : 'Dockerfile';
  // A remote context (git URL) or an interpolated path is not a file of the project.
  if (context === undefined || isInterpolated(context) || isInterpolated(dockerfile) || /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(context)) return false;
  const read = ctx.readProjectFile(ctx.file, dockerfile.startsWith('/') ? dockerfile : `${context.replace(/\/+$/, '')}/${dockerfile}`);
  return read.kind === 'text' && !dockerfileCheck(createDockerfileContext(read.text)).length;
}

function containerUserRoot(ctx: ContainerContext): Report[] {
  const user = ctx.inspect.Config?.User ?? '';
  return isRootUser(user) ? [{ message: user ? `runs as root (user ${user})` : 'runs as root (no user set in the container or its image)', evidence: `Config.User=${JSON.stringify(user)}` }] : [];
}

function imageUserRoot(ctx: ImageContext): Report[] {
  const user = ctx.config.User ?? '';
  if (!isRootUser(user)) return [];
  const step = lastStep(ctx, 'USER');
  return [{ message: user ? `the image runs as root (USER ${user})` : 'the image runs as root (no USER set)', evidence: `Config.User=${JSON.stringify(user)}`, step }];
}

export default defineRule({
  meta: {
    id: 'user-root',
    title: 'Container runs as root',
    severity: 'warning',
    severityWhen: { info: 'a compose service sets no user and its image is not known to run as non-root' },
    targets: ['dockerfile', 'compose', 'container', 'image'],
    rationale:
      'A process running as root inside the container is root on the host kernel: a container escape, a writable host mount or a missing capability drop turns an application bug into host compromise. Build stages may run as root; the image that ships should not.',
    remediation:
      'Create an unprivileged user in the final stage and switch to it with `USER uid:gid` before CMD/ENTRYPOINT (numeric ids work even without /etc/passwd and let Kubernetes verify runAsNonRoot). A base image that already runs as non-root (its local config, or Bulkhead\'s table of well-known images: jupyter, grafana, elastic, redpanda, pgadmin4, oracle/database…) needs nothing; a compose service with `build:` is judged by its Dockerfile\'s final USER.',
    refs: { cis: ['4.1'], hadolint: ['DL3002'], trivy: ['DS-0002'], checkov: ['CKV_DOCKER_3', 'CKV_DOCKER_8'] },
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nCOPY app /app\nCMD ["/app"]\n', 'FROM debian:12\nUSER root\nCMD ["/app"]\n'],
        good: ['FROM debian:12\nRUN useradd --uid 10001 app\nUSER 10001:10001\nCMD ["/app"]\n'],
      },
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    user: root\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    user: "10001:10001"\n', 'services:\n  search:\n    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
  compose: composeUserRoot,
  container: containerUserRoot,
  image: imageUserRoot,
});
