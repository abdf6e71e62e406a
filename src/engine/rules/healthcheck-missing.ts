import { defineRule, type Report } from '../rule';
import type { ImageContext } from '../image/context';
import { lastStep } from '../image/history';
import { isSeq } from 'yaml';
import type { ComposeContext } from '../compose/context';
import { svc } from '../compose/checks';
import { insertServiceKeyEdit } from '../compose/edit';
import { composeBool, mapGet, pairRange, scalarString } from '../compose/values';
import type { ContainerContext } from '../runtime/container';
import { eolOf } from '../text';
import type { DockerfileContext, Stage } from '../dockerfile/context';
import { baseImageFacts, knownComposeImageFacts, type BaseImageFacts } from '../images/facts';
import { baseName } from '../dockerfile/shell';
import { JSONInstruction, type Instruction } from 'dockerfile-ast';
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

/** The text of every RUN the final image's stage chain executes, in build order. */
function runText(stage: Stage): string {
  return stageChain(stage)
    .reverse()
    .flatMap((s) => s.instructions)
    .filter((i) => i.getKeyword() === 'RUN')
    .map((i) => i.getTextContent())
    .join('\n');
}

const INSTALL = String.raw`\b(?:apt-get|apt|yum|dnf|microdnf|apk|zypper)\b[^\n]*\b(?:install|add)\b[^&|;]*`;
const REMOVE = String.raw`(?:\b(?:apt-get|apt|yum|dnf|microdnf|zypper)\b[^\n]*\b(?:purge|remove|autoremove)\b|\bapk\b[^\n]*\bdel\b)[^&|;]*`;

/** Whether the build removes a tool (`apk del wget`, `rm /usr/bin/wget`). */
function removedByBuild(runs: string, tool: string): boolean {
  return new RegExp(`${REMOVE}\\b${tool}\\b`).test(runs) || new RegExp(String.raw`\brm\b[^&|;\n]*/bin/${tool}\b`).test(runs);
}

/** The HTTP client the final image is known to have: from the local image, busybox's wget, or one the stage installs. */
function httpClient(stage: Stage, facts: BaseImageFacts | undefined): 'wget' | 'curl' | undefined {
  const runs = runText(stage);
  const has = (tool: 'wget' | 'curl', inBase: boolean) => (inBase || new RegExp(`${INSTALL}\\b${tool}\\b`).test(runs)) && !removedByBuild(runs, tool);
  const base = stageChain(stage).pop()!.image;
  const last = base.name.split('/').pop() ?? '';
  // Full (non-slim) official language images build on buildpack-deps, which ships curl.
  const fullLanguageImage = /^(?:node|python|golang|ruby|php|openjdk|buildpack-deps|perl|rust)$/.test(last) && !/slim|alpine|windows/.test(base.tag ?? '');
  const baseHas = (tool: 'wget' | 'curl') => facts?.httpClients ? facts.httpClients.includes(tool) : tool === 'wget' ? stage.family === 'alpine' || stage.family === 'busybox' : fullLanguageImage;
  if (has('curl', baseHas('curl'))) return 'curl';
  if (has('wget', baseHas('wget'))) return 'wget';
  return undefined;
}

/** Well-known ports that do not speak plain HTTP: an HTTP probe there fails while the service works. */
const NON_HTTP_PORTS: Record<string, string> = {
  '21': 'FTP', '22': 'SSH', '25': 'SMTP', '53': 'DNS', '110': 'POP3', '143': 'IMAP', '389': 'LDAP', '443': 'HTTPS', '465': 'SMTP', '587': 'SMTP',
  '636': 'LDAPS', '993': 'IMAPS', '995': 'POP3S', '1433': 'SQL Server', '1521': 'Oracle', '1883': 'MQTT', '2181': 'ZooKeeper', '3306': 'MySQL',
  '4222': 'NATS', '5432': 'PostgreSQL', '5672': 'AMQP', '6379': 'Redis', '8443': 'HTTPS', '8883': 'MQTT', '9000': 'FastCGI', '9042': 'Cassandra',
  '9092': 'Kafka', '11211': 'memcached', '27017': 'MongoDB',
};
/** Ports that conventionally serve plain HTTP; other ports get only the template. */
const HTTP_PORTS = new Set(['80', '3000', '3001', '4000', '4200', '5000', '5001', '8000', '8008', '8080', '8081', '8082', '8088', '8090', '8888', '9090']);
/** Images whose service is not HTTP whatever port they expose, with the probe their own client gives. */
const SERVICE_IMAGES: { name: RegExp; protocol: string; port: string; tool?: string; probe?: (port: string) => string }[] = [
  { name: /^(?:postgres|postgis|timescaledb(?:-ha)?)$/, protocol: 'PostgreSQL', port: '5432', tool: 'pg_isready', probe: (p) => `pg_isready -q -h 127.0.0.1 -p ${p}` },
  { name: /^redis(?:-stack-server)?$/, protocol: 'Redis', port: '6379', tool: 'redis-cli', probe: (p) => `redis-cli -h 127.0.0.1 -p ${p} ping` },
  { name: /^(?:mysql|mariadb|percona)$/, protocol: 'MySQL', port: '3306' },
  { name: /^mongo$/, protocol: 'MongoDB', port: '27017' },
  { name: /^memcached$/, protocol: 'memcached', port: '11211' },
  { name: /^(?:rabbitmq|kafka|cp-kafka|zookeeper|cassandra|nats)$/, protocol: 'a non-HTTP protocol', port: '' },
];

/**
 * A concrete probe when the port's protocol is known and the image has a client for it: wget/curl
 * for HTTP ports, pg_isready/redis-cli on those images; otherwise undefined (template only), with
 * the reason for the fix title.
 */
function probeFor(stage: Stage, facts: BaseImageFacts | undefined): { probe?: string; port?: string; why?: string } {
  const base = stageChain(stage).pop()!.image;
  const last = base.name.split('/').pop() ?? '';
  const service = SERVICE_IMAGES.find((s) => s.name.test(last));
  const port = exposedPort(stage) ?? service?.port;
  if (!port) return {};
  if (service) {
    const runs = runText(stage);
    if (service.probe && service.tool && !removedByBuild(runs, service.tool)) return { probe: `CMD ${service.probe(port)} || exit 1`, port };
    return { port, why: `port ${port} speaks ${service.protocol}, not HTTP` };
  }
  if (NON_HTTP_PORTS[port]) return { port, why: `port ${port} speaks ${NON_HTTP_PORTS[port]}, not HTTP` };
  if (!HTTP_PORTS.has(port)) return { port, why: `what port ${port} speaks is unknown` };
  const client = httpClient(stage, facts);
  if (client === 'wget') return { probe: `CMD wget -q --spider http://127.0.0.1:${port}/ || exit 1`, port };
  if (client === 'curl') return { probe: `CMD curl -fsS http://127.0.0.1:${port}/ || exit 1`, port };
  return { port, why: 'the image has no HTTP client' };
}

const OPTIONS = '--interval=30s --timeout=5s --start-period=15s --retries=3';

/** Entrypoints that only prepare and then exec their arguments: the program is what follows them. */
const PASS_THROUGH = /^(?:docker-[a-z0-9-]*entrypoint(?:\.sh)?|tini|tini-static|dumb-init)$/;
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);
/** Interpreters that start a REPL when given no script (`php -a` is PHP's). */
const REPLS = /^(?:node|nodejs|python\d*(?:\.\d+)?|irb|jshell|iex|ghci|R)$/;
const VERSION_OR_HELP = /^(?:-v|-V|--version|version|-h|--help|help)$/;

/** The words of a CMD or ENTRYPOINT (exec form, or a shell form of plain words); undefined when the shell would interpret it. */
function commandWords(instruction: Instruction): string[] | undefined {
  if (instruction instanceof JSONInstruction && instruction.getOpeningBracket()) return instruction.getJSONStrings().map((s) => s.getJSONValue());
  const words = instruction.getArguments().map((a) => a.getValue());
  return words.some((w) => /[$`|&;<>(){}*?]/.test(w)) ? undefined : words;
}

/**
 * Whether the final image runs nothing a health probe could ask (and EXPOSEs no port): its command,
 * after pass-through entrypoints such as docker-entrypoint.sh or tini, is an interactive shell, a
 * REPL or a one-shot `--version`/`--help`; or the Dockerfile sets no command and the base image's
 * default is a shell or a REPL (an OS or language-runtime base).
 */
function nothingToProbe(stage: Stage, facts: BaseImageFacts | undefined): boolean {
  // An EXPOSEd port says something is meant to listen, whatever the default command.
  if (lastInChain(stage, 'EXPOSE')) return false;
  const entrypoint = lastInChain(stage, 'ENTRYPOINT');
  const cmd = lastInChain(stage, 'CMD');
  if (!entrypoint && !cmd) return facts?.interactive === true;
  const words = [...(entrypoint ? (commandWords(entrypoint) ?? [undefined]) : []), ...(cmd ? (commandWords(cmd) ?? [undefined]) : [])];
  let k = 0;
  for (; k < words.length && words[k] !== undefined && PASS_THROUGH.test(baseName(words[k]!)); k++) {
    // tini's and dumb-init's own options come before the program (`tini -g -- start.sh`).
    while (k + 1 < words.length && words[k + 1]?.startsWith('-')) k++;
  }
  const [program, ...args] = words.slice(k);
  if (program === undefined || args.some((a) => a === undefined)) return false;
  const name = baseName(program);
  if (SHELLS.has(name) && args.every((a) => /^-[il]+$/.test(a!))) return true;
  if ((REPLS.test(name) && !args.length) || (name === 'php' && args.length === 1 && args[0] === '-a')) return true;
  return args.length > 0 && args.every((a) => VERSION_OR_HELP.test(a!));
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const stage = finalStage(ctx);
  if (!stage || stage.image.scratch && !stage.instructions.length) return [];
  // HEALTHCHECK NONE is a deliberate opt-out, and an inherited check still applies.
  if (lastInChain(stage, 'HEALTHCHECK')) return [];
  const base = stageChain(stage).pop()!.image;
  const facts = base.resolved && !base.scratch && base.name ? baseImageFacts(base.reference, ctx.baseImages) : undefined;
  // The base image's HEALTHCHECK is inherited; an image with nothing running to probe needs none.
  if (facts?.healthcheck || nothingToProbe(stage, facts)) return [];
  const point = runtimeInsertionPoint(ctx, stage);
  const { probe, port, why } = probeFor(stage, facts);
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
          title: probe ? `Add a HEALTHCHECK probing port ${port} (the container turns unhealthy when the probe fails)` : `Add a HEALTHCHECK template${why ? ` (${why}: fill in a probe)` : ''}`,
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
    // A well-known image that defines its own HEALTHCHECK (compose uses it when the service sets none).
    const image = scalarString(s.get('image')?.value);
    if (image && !s.has('build') && knownComposeImageFacts(image)?.healthcheck) continue;
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

function imageHealthcheck(ctx: ImageContext): Report[] {
  const test = ctx.config.Healthcheck?.Test;
  if (!test || !test.length) return [{ message: 'the image defines no health check', evidence: 'Config.Healthcheck=null' }];
  if (test[0] === 'NONE') return [{ message: 'the image disables the health check of its base image', evidence: 'Config.Healthcheck.Test=["NONE"]', severity: 'warning', step: lastStep(ctx, 'HEALTHCHECK') }];
  return [];
}

export default defineRule({
  meta: {
    id: 'healthcheck-missing',
    title: 'No HEALTHCHECK',
    severity: 'info',
    severityWhen: { warning: 'the health check is disabled explicitly' },
    targets: ['dockerfile', 'compose', 'container', 'image'],
    rationale:
      'Without a health check the engine only knows whether the process exists. A deadlocked or degraded service keeps receiving traffic, and restart policies and orchestrators cannot replace it.',
    remediation:
      'Add `HEALTHCHECK CMD <probe>` to the final stage with a probe of the service itself (an HTTP endpoint, a port, a CLI ping), or `HEALTHCHECK NONE` to opt out deliberately. Not reported: an image whose base defines a HEALTHCHECK (the local image\'s config, or Bulkhead\'s table of well-known images such as jupyter\'s base-notebook and everything built on it, oracle/database), and an image with nothing to probe that EXPOSEs no port: its command is an interactive shell, a REPL (`python3`, `node`, `php -a`) or a `--version`/`--help` call, or it sets no command on an OS or language-runtime base.',
    refs: { cis: ['4.6', '5.27'], trivy: ['DS-0026'], checkov: ['CKV_DOCKER_2'] },
    examples: {
      dockerfile: {
        bad: ['FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/\n'],
        good: [
          'FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/\nHEALTHCHECK CMD curl -fsS http://localhost/ || exit 1\n',
          'ARG BASE_IMAGE=quay.io/jupyter/scipy-notebook\nFROM $BASE_IMAGE\nRUN mamba install --yes xgboost\n',
          'FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*\nCMD ["python3"]\n',
        ],
      },
      compose: {
        bad: ['services:\n  web:\n    image: nginx:1.27\n    healthcheck:\n      disable: true\n'],
        good: ['services:\n  web:\n    image: nginx:1.27\n    healthcheck:\n      test: ["CMD", "curl", "-fsS", "http://localhost/"]\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
  compose: composeHealthcheck,
  container: containerHealthcheck,
  image: imageHealthcheck,
});
