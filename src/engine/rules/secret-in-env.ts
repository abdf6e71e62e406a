import type { Instruction, Property } from 'dockerfile-ast';
import { isMap } from 'yaml';
import { defineRule, type Report } from '../rule';
import type { ImageContext } from '../image/context';
import { lastEnvStep, parseCreatedBy } from '../image/history';
import type { Fix, TextEdit } from '../model';
import { fix, svc } from '../compose/checks';
import type { ComposeContext } from '../compose/context';
import { replaceNodeEdit } from '../compose/edit';
import type { ComposeService, Field } from '../compose/service';
import { mapEntries, mapGet, rangeOf, seqItems, writtenString } from '../compose/values';
import type { DockerfileContext } from '../dockerfile/context';
import { removeInstructionEdit } from '../dockerfile/context';
import { isShellForm } from '../dockerfile/run';
import type { ContainerContext } from '../runtime/container';
import { judgeSecret, literalValue, type SecretKind } from '../runtime/secrets';

/** A cheap superset of the names and values judgeSecret flags, to skip parsing most ENV/ARG lines. */
const MAYBE_SECRET = /pass|pwd|secret|token|key|cred|auth|AKIA|gh[pousr]_|github_pat|glpat|xox|sk_live|BEGIN|:\/\/[^\s/@]*@/i;

const isReferenceOnly = (value: string) => literalValue(value) === undefined;

// --- Dockerfile ---------------------------------------------------------------------------------

/** The property's text with the whitespace that separates it from its neighbours, so removing it leaves a valid instruction. */
function removePropertyEdit(ctx: DockerfileContext, instruction: Instruction, properties: Property[], index: number): TextEdit {
  if (properties.length === 1) return removeInstructionEdit(ctx, instruction);
  const range = ctx.rangeOf(properties[index].getRange());
  if (index + 1 < properties.length) return { start: range.start, end: ctx.rangeOf(properties[index + 1].getRange()).start, newText: '' };
  return { start: ctx.rangeOf(properties[index - 1].getRange()).end, end: range.end, newText: '' };
}

/**
 * "Pass NAME as a build secret": the ENV/ARG entry goes, and every later RUN of the stage that
 * reads $NAME gets it from a BuildKit secret mount instead (`docker build --secret id=…,src=FILE`).
 * Offered only when that keeps the build working: RUNs in shell form, no other instruction reading it.
 */
function buildSecretFix(ctx: DockerfileContext, instruction: Instruction, properties: Property[], index: number, keyword: string): Fix[] {
  const name = properties[index].getName();
  const stage = ctx.stageOf(instruction);
  if (!stage) return [];
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return [];
  const reads = new RegExp(`\\$(?:\\{${name}(?![A-Za-z0-9_])|${name}(?![A-Za-z0-9_]))`);
  const later = stage.instructions.slice(stage.instructions.indexOf(instruction) + 1);
  const readers = later.filter((i) => reads.test(i.getTextContent()));
  if (readers.some((i) => ctx.keywordOf(i) !== 'RUN' || !isShellForm(i))) return [];
  const id = name.toLowerCase();
  const edits: TextEdit[] = [removePropertyEdit(ctx, instruction, properties, index)];
  for (const run of readers) {
    const command = run.getArguments().find((a) => !a.getValue().startsWith('--'));
    if (!command) return [];
    // The secret file is root-only (0400) unless said otherwise; a RUN after USER reads it as that user.
    const afterUser = later.slice(0, later.indexOf(run)).some((i) => ctx.keywordOf(i) === 'USER');
    const at = ctx.rangeOf(command.getRange()).start;
    edits.push({ start: at, end: at, newText: `--mount=type=secret,id=${id}${afterUser ? ',mode=0444' : ''} ${name}="$(cat /run/secrets/${id})" || exit 1; export ${name}; ` });
  }
  const runtime = keyword === 'ENV' ? `; the image no longer sets ${name} at run time: pass it with docker run -e ${name}` : '';
  return [{ title: `Pass ${name} as a build secret (build with: docker build --secret id=${id},src=FILE)${runtime}`, safe: false, preferred: true, edits }];
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const instruction of [...ctx.ofKeyword('ENV'), ...ctx.ofKeyword('ARG')]) {
    const keyword = ctx.keywordOf(instruction);
    // Parsing properties is the costly part: skip instructions with nothing that could match.
    if (!MAYBE_SECRET.test(instruction.getTextContent())) continue;
    const properties = (instruction as unknown as { getProperties(): Property[] }).getProperties();
    properties.forEach((p, index) => {
      const name = p.getName();
      const written = p.getValue();
      const value = written ?? '';
      // What the build fills in later (an ARG, `ENV X=$ARG`) is stored all the same: the name decides.
      const suppliedLater = keyword === 'ARG' || (value !== '' && isReferenceOnly(value));
      const kind = judgeSecret(name, keyword === 'ARG' && written === null ? undefined : value) ?? (suppliedLater ? judgeSecret(name, undefined) : undefined);
      if (!kind) return;
      const literal = value !== '' && !isReferenceOnly(value);
      const where = keyword === 'ENV' ? 'is stored in the image config and visible to every process and `docker inspect`' : 'is recorded in the image history (`docker history`)';
      const what = kind === 'name' ? 'looks like a secret' : kind === 'connection-string' ? 'holds a connection string with a password' : 'holds what looks like a credential';
      reports.push({
        message: `${keyword} ${name} ${what}: its value ${where}`,
        range: ctx.rangeOf(p.getRange()),
        severity: keyword === 'ENV' && literal ? 'error' : undefined,
        fixes: buildSecretFix(ctx, instruction, properties, index, keyword),
      });
    });
  }
  return reports;
}

// --- compose ------------------------------------------------------------------------------------

const MESSAGES: Record<SecretKind, string> = {
  name: 'holds a literal secret',
  value: 'holds what looks like a credential',
  'connection-string': 'holds a connection string with an inline password',
};

/** `${VAR:?VAR must be set}`: compose refuses to start when VAR is unset, instead of running with an empty secret. */
const requiredVariable = (variable: string) => `\${${variable}:?${variable} must be set}`;

/** The variable a `${VAR:-default}` value already names (its default is the secret), else the entry's own name. */
function variableFor(name: string, value: string): string {
  return /^\$\{([A-Za-z_][A-Za-z0-9_]*):?-/.exec(value.trim())?.[1] ?? name;
}

/**
 * Secrets written into a service's `environment` or `build.args` (map or list form; literal
 * values and interpolation defaults). The fix reads the value from the environment or an .env
 * file and makes compose fail when it is missing.
 */
function composeCheck(ctx: ComposeContext): Report[] {
  const reports: Report[] = [];
  for (const s of ctx.services) {
    const environment = s.get('environment');
    if (environment) reports.push(...secretsIn(ctx, s, { value: environment.value, label: (n) => n, editable: ownValue(environment) }));
    const build = s.get('build');
    const args = build && isMap(build.value) ? mapGet(ctx, build.value, 'args') : undefined;
    if (build && args) reports.push(...secretsIn(ctx, s, { value: args.node, label: (n) => `build arg ${n}`, editable: ownValue(build) && args.pair.value === args.node }));
  }
  return reports;
}

/** Editing the value in place changes this service only. */
const ownValue = (field: Field) => !field.shared && !field.valueShared;

function secretsIn(ctx: ComposeContext, s: ComposeService, place: { value: unknown; label: (name: string) => string; editable: boolean }): Report[] {
  const reports: Report[] = [];
  const report = (name: string, value: string, node: unknown, replacement: (variable: string) => string) => {
    const kind = judgeSecret(name, value);
    if (!kind) return;
    const variable = variableFor(name, value);
    reports.push({
      message: `${svc(s)}: ${place.label(name)} ${MESSAGES[kind]} (value not shown)`,
      range: rangeOf(node),
      judgesWrittenValue: true,
      fixes: fix(
        `Read ${name} from the environment or .env (\${${variable}:?…}): compose then refuses to start until ${variable} is set`,
        false,
        place.editable ? [replaceNodeEdit(node, replacement(variable))] : undefined,
      ),
    });
  };
  if (isMap(place.value)) {
    for (const e of mapEntries(ctx, place.value)) {
      const value = writtenString(e.node);
      // `NAME:` with no value passes the caller's variable through: nothing is written here.
      if (value !== undefined && e.pair.value === e.node) report(e.key, value, e.node, (v) => JSON.stringify(requiredVariable(v)));
    }
    return reports;
  }
  for (const e of seqItems(ctx, place.value)) {
    const text = writtenString(e.node);
    if (text === undefined || e.written !== e.node) continue;
    const eq = text.indexOf('=');
    if (eq <= 0) continue;
    const name = text.slice(0, eq).trim();
    // Quoted: braces are flow indicators when the list is written `[…]`.
    report(name, text.slice(eq + 1), e.node, (v) => JSON.stringify(`${name}=${requiredVariable(v)}`));
  }
  return reports;
}

// --- container ----------------------------------------------------------------------------------

function containerCheck(ctx: ContainerContext): Report[] {
  const reports: Report[] = [];
  for (const entry of ctx.inspect.Config?.Env ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const name = entry.slice(0, eq);
    const kind = judgeSecret(name, entry.slice(eq + 1));
    if (!kind) continue;
    reports.push({
      message: `environment ${name} ${kind === 'connection-string' ? 'holds a connection string with an inline password' : kind === 'value' ? 'holds what looks like a credential' : 'holds a secret in plain text'}`,
      // Never the value: inspect output is readable by anyone with API access, the report may be shared.
      evidence: `Config.Env has ${name}=<hidden>`,
    });
  }
  return reports;
}

/** Config.Env, and ENV/ARG values the history recorded (values a later ENV overwrote stay readable there). */
function imageCheck(ctx: ImageContext): Report[] {
  const reports: Report[] = [];
  const seen = new Set<string>();
  // One report per variable: a build arg shows up in its ARG step and again in every RUN after it.
  const report = (name: string, value: string, where: string, step?: number) => {
    const kind = judgeSecret(name, value);
    if (!kind || seen.has(name)) return;
    seen.add(name);
    const what = kind === 'connection-string' ? 'a connection string with an inline password' : 'a secret in plain text';
    reports.push({ message: `${where} ${name} holds ${what}: anyone who can pull the image reads it${where === 'Config.Env' ? '' : ' in its history'}`, evidence: `${where} ${name}=<hidden>`, step });
  };
  for (const entry of ctx.config.Env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) report(entry.slice(0, eq), entry.slice(eq + 1), 'Config.Env', lastEnvStep(ctx, entry.slice(0, eq)));
  }
  ctx.history.forEach((h, step) => {
    const parsed = parseCreatedBy(h.createdBy);
    for (const a of parsed.buildArgs) report(a.name, a.value, 'build arg', step);
    if (parsed.keyword === 'ENV' || parsed.keyword === 'ARG') {
      for (const [, name, value] of parsed.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g)) {
        if (!(ctx.config.Env ?? []).some((e) => e.startsWith(`${name}=`))) report(name, value.replace(/^["']|["']$/g, ''), parsed.keyword === 'ARG' ? 'build arg' : 'ENV (history)', step);
      }
    }
  });
  return reports;
}

export default defineRule({
  meta: {
    id: 'secret-in-env',
    title: 'Secret in ARG or ENV',
    severity: 'warning',
    severityWhen: { error: 'a Dockerfile ENV holds the literal secret' },
    targets: ['dockerfile', 'compose', 'container', 'image'],
    rationale:
      'ENV values are baked into the image configuration, and ARG values used by a RUN are recorded in the image history: anyone who can pull the image can read them. A secret written into a compose file is in version control, and a container\'s environment is readable by anyone with access to the Docker API. Build secrets mounted for one RUN never reach a layer.',
    remediation:
      'Remove the secret from ARG/ENV. At build time use `RUN --mount=type=secret,id=…` with `docker build --secret`; at run time pass it from a secret store, a `*_FILE` path, or compose `${VAR:?VAR must be set}` filled from the environment or an .env file kept out of version control.',
    refs: { cis: ['4.10'], trivy: ['DS-0031'] },
    examples: {
      dockerfile: {
        bad: ['FROM node:20-alpine\nENV API_TOKEN=sk_live_4f9a8b7c6d5e\n', 'FROM node:20-alpine\nARG NPM_TOKEN\nRUN npm ci\n'],
        good: ['FROM node:20-alpine\nENV NODE_ENV=production\n'],
      },
      compose: {
        bad: ['services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: hunter2hunter2\n'],
        good: ['services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
  compose: composeCheck,
  container: containerCheck,
  image: imageCheck,
});
