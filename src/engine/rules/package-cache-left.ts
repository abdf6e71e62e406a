import type { Instruction } from 'dockerfile-ast';
import { defineRule, type Report } from '../rule';
import { leftoverReports } from '../image/leftovers';
import type { DockerfileContext } from '../dockerfile/context';
import { rpmInvocations } from '../dockerfile/packages';
import { closesCleanly, isPlainList, isShellForm, runCommands, sameRun, subcommand, unwrapSudo, type RunCommand } from '../dockerfile/run';
import { finalImageStages } from '../dockerfile/stage';
import type { References } from '../model';

// pip, apt and apk caches have their own ids (pip-cache-kept, apt-lists-not-cleaned,
// apk-cache-kept) on every surface; this concern is the caches of the other managers.

type Family = 'dnf' | 'zypper' | 'npm' | 'yarn';

/** A command that leaves its manager's cache behind, and the family of cleaners that remove it. */
interface Filling {
  raw: RunCommand;
  cmd: RunCommand;
  family: Family;
  /** The subcommand word, for the finding's range. */
  end: number;
}

const RPM_FILLS = /^(?:install|in|reinstall|localinstall|update|up|upgrade|downgrade|distro-sync|dist-upgrade|dup|makecache|groupinstall|groupupdate|group|module|builddep|patch|source-install|si|refresh|ref)$/;
const NPM_FILLS = /^(?:install|i|ci|add|isntall|update|up)$/;
const YARN_FILLS = /^(?:install|add|global)$/;
/** Options that point the cache elsewhere (the author chose where it goes). */
const CACHE_OPTIONS = /^--(?:cache|cache-folder)(?:=|$)/;
/** Paths whose removal empties a family's cache. */
const CACHE_PATHS: Record<Family, RegExp> = {
  dnf: /^\/var\/cache\/(?:yum|dnf|libdnf5)(?:\/|$)/,
  zypper: /^\/var\/cache\/zypp(?:\/|$)/,
  npm: /(?:^|\/)\.npm(?:\/|$)/,
  yarn: /(?:^|\/)(?:\.cache\/yarn|\.yarn-cache|\.yarn\/cache)(?:\/|$)/,
};
/** Environment variables that move or disable a cache for every later call. */
const CACHE_VARIABLES: Partial<Record<Family, RegExp>> = { npm: /\bnpm_config_cache\b/i, yarn: /\bYARN_CACHE_FOLDER\b/ };
/** hadolint's id for the case (npm has none). */
function refsOf(f: Filling): References | undefined {
  if (f.family === 'dnf') return { hadolint: [f.cmd.name === 'yum' ? 'DL3032' : 'DL3040'] };
  if (f.family === 'zypper') return { hadolint: ['DL3036'] };
  return f.family === 'yarn' ? { hadolint: ['DL3060'] } : undefined;
}
/** Later calls that read only the cache (and would fail once it is gone). */
const CACHE_ONLY: Record<Family, RegExp | undefined> = {
  dnf: /\b(?:yum|dnf5?|microdnf)\b[^\n]*\s(?:-C|--cacheonly)\b/,
  // zypper's metadata is not always fetched again (repositories without autorefresh): any later zypper call needs it.
  zypper: /\bzypper\b/,
  npm: /\bnpm\b[^\n]*\s--offline\b/,
  yarn: undefined,
};

function fillingOf(cmd: RunCommand): Family | undefined {
  if (cmd.name === 'npm') return NPM_FILLS.test(subcommand(cmd.args, new Set())?.word.value ?? '') ? 'npm' : undefined;
  if (cmd.name === 'yarn') {
    const sub = subcommand(cmd.args, new Set());
    // A bare `yarn` installs, unless it only asks for its version or help.
    if (!sub) return cmd.args.some((w) => /^(?:-v|--version|-h|--help)$/.test(w.value)) ? undefined : 'yarn';
    return YARN_FILLS.test(sub.word.value) ? 'yarn' : undefined;
  }
  return undefined;
}

/** Flags of a call that only reads the cache (it adds nothing to it). */
const READS_CACHE_ONLY = /^(?:-C|--cacheonly|--offline)$/;

/** Every command that fills a cache, in file order. */
function fillings(ctx: DockerfileContext): Filling[] {
  const found: Filling[] = [];
  const rpm = new Map(rpmInvocations(ctx).map((r) => [r.raw, r]));
  for (const raw of runCommands(ctx)) {
    const invocation = rpm.get(raw);
    if (raw.args.some((w) => READS_CACHE_ONLY.test(w.value))) continue;
    if (invocation) {
      if (RPM_FILLS.test(invocation.sub.word.value)) found.push({ raw, cmd: invocation.cmd, family: invocation.manager === 'zypper' ? 'zypper' : 'dnf', end: invocation.sub.word.end });
      continue;
    }
    const cmd = unwrapSudo(raw);
    const family = fillingOf(cmd);
    if (family && !cmd.args.some((w) => CACHE_OPTIONS.test(w.value))) found.push({ raw, cmd, family, end: subcommand(cmd.args, new Set())?.word.end ?? cmd.nameWord.end });
  }
  return found;
}

/** Whether a command empties the family's cache. */
function cleans(raw: RunCommand, family: Family): boolean {
  const cmd = unwrapSudo(raw);
  if (cmd.name === 'rm') return cmd.args.some((w) => CACHE_PATHS[family].test(w.value));
  const sub = subcommand(cmd.args, new Set());
  const next = sub ? cmd.args[sub.index + 1]?.value : undefined;
  switch (family) {
    case 'dnf':
      return /^(?:yum|dnf5?|microdnf)$/.test(cmd.name) && sub?.word.value === 'clean' && next === 'all';
    case 'zypper':
      return cmd.name === 'zypper' && (sub?.word.value === 'clean' || sub?.word.value === 'cc');
    case 'npm':
      return cmd.name === 'npm' && sub?.word.value === 'cache' && (next === 'clean' || next === 'rm' || next === 'clear');
    case 'yarn':
      return cmd.name === 'yarn' && sub?.word.value === 'cache' && next === 'clean';
  }
}

/** The command that empties the cache, as the install was written (`sudo`, `/usr/bin/dnf`); yarn has none that is safe. */
function cleanCommand(filling: Filling): string | undefined {
  const sudo = filling.raw.name === 'sudo' ? 'sudo ' : '';
  const name = filling.cmd.nameWord.value;
  switch (filling.family) {
    case 'dnf':
      return `${sudo}${name} clean all`;
    case 'zypper':
      return `${sudo}${name} clean --all`;
    case 'npm':
      return `${sudo}${name} cache clean --force`;
    case 'yarn':
      // Yarn 2+ keeps its cache in the project on purpose, and its `cache clean` fails outside one.
      return undefined;
  }
}

/** Whether an instruction after `instruction` (in any stage: a child build may start there) reads only the cache. */
function cacheReadLater(ctx: DockerfileContext, instruction: Instruction, family: Family): boolean {
  const pattern = CACHE_ONLY[family];
  if (!pattern) return false;
  const after = instruction.getRange().end.line;
  return ctx.dockerfile.getInstructions().some((i) => i.getRange().start.line > after && pattern.test(i.getTextContent()));
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const all = fillings(ctx);
  if (!all.length) return [];
  const stages = finalImageStages(ctx);
  const variables = [...ctx.ofKeyword('ENV'), ...ctx.ofKeyword('ARG')].map((i) => i.getTextContent()).join('\n');
  // The last filling command per RUN and family: one finding, one clean-up for all of them.
  const last = new Map<string, Filling>();
  const runIds = new Map<Instruction, number>();
  for (const f of all) {
    const stage = ctx.stageOf(f.raw.instruction);
    if (!stage || !stages.has(stage) || CACHE_VARIABLES[f.family]?.test(variables)) continue;
    if (!runIds.has(f.raw.instruction)) runIds.set(f.raw.instruction, runIds.size);
    last.set(`${runIds.get(f.raw.instruction)}:${f.family}`, f);
  }
  const reports: Report[] = [];
  for (const f of last.values()) {
    const run = sameRun(ctx, f.raw);
    const range = ctx.rangeOf(f.raw.instruction.getRange());
    // A cache mount keeps the cache out of the layer.
    if (/--mount=\S*type=cache/.test(ctx.text.slice(range.start, range.end))) continue;
    if (run.some((c) => c.index > f.raw.index && cleans(c, f.family))) continue;
    const clean = cleanCommand(f);
    const lastCommand = run[run.length - 1].command;
    const lastWord = lastCommand.words[lastCommand.words.length - 1];
    const fixable =
      clean !== undefined &&
      // A cache under --installroot/--root is not the one a plain clean-up empties.
      !f.cmd.args.some((w) => /^(?:--installroot|--root|-R)(?:=|$)/.test(w.value)) &&
      isShellForm(f.raw.instruction) &&
      !lastCommand.pipedTo &&
      closesCleanly(ctx, f.raw.instruction) &&
      isPlainList(ctx, f.raw.instruction) &&
      !cacheReadLater(ctx, f.raw.instruction, f.family);
    reports.push({
      message: `${f.cmd.name} leaves its ${f.family === 'dnf' ? 'package and metadata' : 'download'} cache in the layer: nothing in this RUN cleans it afterwards`,
      range: { start: f.cmd.nameWord.start, end: f.end },
      refs: refsOf(f) ?? {},
      fixes: fixable ? [{ title: `Append && ${clean}`, safe: true, preferred: true, edits: [{ start: lastWord.end, end: lastWord.end, newText: ` && ${clean}` }] }] : [],
    });
  }
  return reports.sort((a, b) => a.range!.start - b.range!.start);
}

export default defineRule({
  meta: {
    id: 'package-cache-left',
    title: 'Package manager cache left in the image',
    severity: 'info',
    targets: ['dockerfile', 'image'],
    rationale:
      'Download caches and metadata of yum, dnf, microdnf, zypper, npm and yarn only make the image bigger and slower to pull; they can also hold packages from private registries. A cache removed in a later RUN still ships in the earlier layer. Only the stages the final image is built from are checked: a build stage\'s cache is thrown away with it. (pip, apt and apk caches have their own rules: pip-cache-kept, apt-lists-not-cleaned, apk-cache-kept.)',
    remediation:
      'End the same RUN with the clean-up: `yum clean all`, `dnf clean all`, `microdnf clean all`, `zypper clean --all`, `npm cache clean --force`, `yarn cache clean` (or install with a BuildKit cache mount). The safe fix appends the clean-up at the end of a RUN that is a plain `&&` list, and only where no later step reads the cache alone (`dnf -C`, `npm --offline`, any later zypper call): yum and dnf fetch their metadata again by themselves. Yarn gets no fix: Yarn 2+ keeps its cache in the project on purpose and its `cache clean` fails outside one.',
    refs: { hadolint: ['DL3032', 'DL3036', 'DL3040', 'DL3060'] },
    examples: {
      dockerfile: {
        bad: [
          'FROM rockylinux:9\nRUN dnf install -y httpd\n',
          'FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\n',
          'FROM node:20-alpine\nWORKDIR /app\nCOPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile\n',
        ],
        good: [
          'FROM rockylinux:9\nRUN dnf install -y httpd && dnf clean all\n',
          'FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev && npm cache clean --force\n',
          'FROM node:20 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\nFROM nginx:1.27\nCOPY --from=build /app/dist /usr/share/nginx/html\n',
        ],
      },
    },
  },
  dockerfile: dockerfileCheck,
  image: (ctx) => leftoverReports(ctx, ['npm-cache', 'yum-cache', 'dnf-cache']),
});
