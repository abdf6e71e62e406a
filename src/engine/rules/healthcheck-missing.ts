import { defineRule, type Report } from '../rule';
import { isSeq } from 'yaml';
import type { ComposeContext } from '../compose/context';
import { svc } from '../compose/checks';
import { insertServiceKeyEdit } from '../compose/edit';
import { composeBool, mapGet, pairRange, scalarString } from '../compose/values';
import type { ContainerContext } from '../runtime/container';
import { eolOf } from '../text';
import type { DockerfileContext, Stage } from '../dockerfile/context';
import { finalStage, lastInChain, linesToInsert, runtimeInsertionPoint, stageChain } from '../dockerfile/stage';

/** The first port the image EXPOSEs (its own stage chain), which a health probe can ask. */
function exposedPort(stage: Stage): string | undefined {
  for (const s of stageChain(stage)) {
    for (const i of s.instructions) {
      if (i.getKeyword() !== 'EXPOSE') continue;
      const m = /^(\d+)(?:\/tcp)?$/.exec(i.getArguments()[0]?.getValue() ?? '');
      if (m) return m[1];
    }
  }
  return undefined;
}

/** The HTTP client the final image is known to have: busybox's wget, or one the stage installs. */
function httpClient(stage: Stage): 'wget' | 'curl' | undefined {
  if (stage.family === 'alpine' || stage.family === 'busybox') return 'wget';
  const installs = stageChain(stage)
    .flatMap((s) => s.instructions)
    .filter((i) => i.getKeyword() === 'RUN')
    .map((i) => i.getTextContent())
    .join('\n');
  if (/\b(?:apt-get|apt|yum|dnf|microdnf|apk)\b[^\n]*\b(?:install|add)\b[^&|;]*\bcurl\b/.test(installs)) return 'curl';
  if (/\b(?:apt-get|apt|yum|dnf|microdnf|apk)\b[^\n]*\b(?:install|add)\b[^&|;]*\bwget\b/.test(installs)) return 'wget';
  // Full (non-slim) official language images build on buildpack-deps, which ships curl.
  const base = stageChain(stage).pop()!.image;
  const last = base.name.split('/').pop() ?? '';
  if (/^(?:node|python|golang|ruby|php|openjdk|buildpack-deps|perl|rust)$/.test(last) && !/slim|alpine|windows/.test(base.tag ?? '')) return 'curl';
  return undefined;
}

/** A concrete probe when the image exposes a port and has a client to ask it; otherwise only a template. */
function probeFor(stage: Stage): string | undefined {
  const port = exposedPort(stage);
  const client = port ? httpClient(stage) : undefined;
  if (client === 'wget') return `CMD wget -q --spider http://127.0.0.1:${port}/ || exit 1`;
  if (client === 'curl') return `CMD curl -fsS http://127.0.0.1:${port}/ || exit 1`;
  return undefined;
}

const OPTIONS = '--interval=30s --timeout=5s --start-period=15s --retries=3';

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const stage = finalStage(ctx);
  if (!stage || stage.image.scratch && !stage.instructions.length) return [];
  // HEALTHCHECK NONE is a deliberate opt-out, and an inherited check still applies.
  if (lastInChain(stage, 'HEALTHCHECK')) return [];
  const point = runtimeInsertionPoint(ctx, stage);
  const probe = probeFor(stage);
  const snippetProbe = stage.family === 'windows'
    ? 'CMD ${1:powershell -Command "try { Invoke-WebRequest -UseBasicParsing http://localhost:${2:8080}/ } catch { exit 1 }"}'
    : 'CMD ${1:wget -q --spider http://127.0.0.1:${2:8080}/${3:health}} || exit 1';
  if (!point) return [{ message: 'no HEALTHCHECK: Docker cannot tell a hung container from a healthy one', range: ctx.rangeOf(stage.from.getInstructionRange()), fixes: [] }];
  const snippet = linesToInsert(ctx, [`HEALTHCHECK ${OPTIONS} \\`, `  ${snippetProbe}`], point.newlineBefore);
  const edits = probe ? [{ start: point.at, end: point.at, newText: linesToInsert(ctx, [`HEALTHCHECK ${OPTIONS} \\`, `  ${probe}`], point.newlineBefore) }] : [];
  return [
    {
      message: 'no HEALTHCHECK: Docker cannot tell a hung container from a healthy one',
      range: ctx.rangeOf(stage.from.getInstructionRange()),
      fixes: [
        {
          title: probe ? `Add a HEALTHCHECK probing port ${exposedPort(stage)}` : 'Add a HEALTHCHECK template',
          // A failing probe marks the container unhealthy (and orchestrators restart it).
          safe: false,
          preferred: true,
          edits,
          snippet: { at: point.at, body: snippet },
        },
      ],
    },
  ];
}

const HEALTHCHECK_SNIPPET = 'healthcheck:\n  test: ["CMD-SHELL", "${1:wget -q --spider http://127.0.0.1:${2:8080}/ || exit 1}"]\n  interval: 30s\n  timeout: 5s\n  retries: 3';

function composeHealthcheck(ctx: ComposeContext): Report[] {
  const reports: Report[] = [];
  for (const s of ctx.services) {
    const field = s.get('healthcheck');
    if (field) {
      const disable = mapGet(ctx, field.value, 'disable');
      const test = mapGet(ctx, field.value, 'test');
      const testNode = test?.node;
      const first = isSeq(testNode) ? scalarString(ctx.resolve(testNode.items[0])) : scalarString(testNode);
      if (composeBool(disable?.node) === true || first?.trim().toUpperCase() === 'NONE') {
        reports.push({ message: `${svc(s)} disables its health check`, range: pairRange(disable?.pair ?? test?.pair ?? field.pair), severity: 'warning', fixes: [] });
      }
      continue;
    }
    if (s.partial) continue;
    const at = insertServiceKeyEdit(ctx, s, 'x', { scalar: 'x' });
    const { keyColumn, step } = s.indentation();
    const eol = eolOf(ctx.text);
    const body = eol + HEALTHCHECK_SNIPPET.split('\n').map((line) => ' '.repeat(keyColumn) + line.replace(/^ {2}/, ' '.repeat(step))).join(eol);
    reports.push({
      message: `${svc(s)} has no healthcheck: unless the image defines one, the engine cannot tell a hung service from a healthy one`,
      range: s.range,
      fixes: [{ title: 'Add a healthcheck template', safe: false, preferred: true, edits: [], snippet: { at: at.start, body } }],
    });
  }
  return reports;
}

function containerHealthcheck(ctx: ContainerContext): Report[] {
  const test = ctx.inspect.Config?.Healthcheck?.Test;
  if (!test || !test.length) return [{ message: 'has no health check (neither the container nor its image defines one)', evidence: 'Config.Healthcheck=null' }];
  if (test[0] === 'NONE') return [{ message: 'has its health check disabled', evidence: 'Config.Healthcheck.Test=["NONE"]', severity: 'warning' }];
  return [];
}

export default defineRule({
  meta: {
    id: 'healthcheck-missing',
    title: 'No HEALTHCHECK',
    severity: 'info',
    targets: ['dockerfile', 'compose', 'container'],
    rationale:
      'Without a health check the engine only knows whether the process exists. A deadlocked or degraded service keeps receiving traffic, and restart policies and orchestrators cannot replace it.',
    remediation:
      'Add `HEALTHCHECK CMD <probe>` to the final stage with a probe of the service itself (an HTTP endpoint, a port, a CLI ping), or `HEALTHCHECK NONE` to opt out deliberately.',
    refs: { cis: ['4.6', '5.27'], trivy: ['DS-0026'], checkov: ['CKV_DOCKER_2'] },
  },
  dockerfile: dockerfileCheck,
  compose: composeHealthcheck,
  container: containerHealthcheck,
});
