import { Copy, JSONInstruction, type Instruction } from 'dockerfile-ast';
import type { ProjectFileReader } from '../lint';
import type { SecretFileKind } from '../image/context';
import { maybeSecretFile, secretFileKind, SECRET_SNIFF_BYTES } from '../image/layer-facts';
import type { DockerfileContext } from './context';
import { DockerIgnore, dockerignoreLine } from './dockerignore';
import type { Fix } from '../model';
import type { Report } from '../rule';
import { finalImageStages } from './stage';

// What `COPY . …` puts into the image: the build context (taken to be the Dockerfile's folder, as
// `docker build -f DIR/Dockerfile DIR` and compose's default `build: DIR` use it) minus what
// `.dockerignore` leaves out. The engine does no file access: the adapter lists the folder and reads
// files inside it.

/** Paths relative to the context, `/`-separated; directories end in `/`. */
export interface BuildContextListing {
  paths: string[];
  /** The listing stopped at its bound (entries or depth): what was not listed is not judged. */
  truncated: boolean;
}

/** Lists the build context of a Dockerfile (its folder), or undefined when it cannot. */
export type BuildContextLister = (dockerfile: string) => BuildContextListing | undefined;

export interface BuildContextAccess {
  list: BuildContextLister;
  read: ProjectFileReader;
}

export interface ContextExposure {
  /** The first whole-context COPY/ADD in a stage the final image is built from (where findings go). */
  copy: Instruction;
  /** The ignore file the builder uses: `<Dockerfile>.dockerignore` (BuildKit) before `.dockerignore`; undefined: none. */
  ignoreFile?: string;
  /** The context's `.git` directory is copied. */
  gitDirectory: boolean;
  /** Secret files (confirmed by their first bytes) that are copied, at most MAX_SECRETS. */
  secrets: { path: string; kind: SecretFileKind }[];
}

/** Secret files reported per Dockerfile, and candidate files read to confirm them (a test-certificate folder can hold thousands). */
const MAX_SECRETS = 50;
const MAX_CANDIDATES_READ = 200;

const exposures = new WeakMap<DockerfileContext, ContextExposure | null>();

/** Whole-context copies and what they bring in; undefined without one or without the adapter's access. */
export function contextExposure(ctx: DockerfileContext): ContextExposure | undefined {
  if (exposures.has(ctx)) return exposures.get(ctx) ?? undefined;
  const found = computeExposure(ctx);
  exposures.set(ctx, found ?? null);
  return found;
}

function computeExposure(ctx: DockerfileContext): ContextExposure | undefined {
  const access = ctx.buildContext;
  if (!access || !ctx.file) return undefined;
  const copy = firstContextCopy(ctx);
  if (!copy) return undefined;
  const listing = access.list(ctx.file);
  if (!listing) return undefined;
  const name = ctx.file.replace(/\\/g, '/').split('/').pop()!;
  let ignoreFile: string | undefined;
  let ignore = new DockerIgnore('');
  for (const candidate of [`${name}.dockerignore`, '.dockerignore']) {
    const read = access.read(ctx.file, candidate);
    if (read.kind === 'text') {
      ignoreFile = candidate;
      ignore = new DockerIgnore(read.text);
      break;
    }
  }
  const gitDirectory = listing.paths.includes('.git/') && !ignore.ignores('.git');
  const secrets: ContextExposure['secrets'] = [];
  let read = 0;
  for (const path of listing.paths) {
    if (secrets.length >= MAX_SECRETS || read >= MAX_CANDIDATES_READ) break;
    if (path.endsWith('/') || !maybeSecretFile(`/${path}`) || ignore.ignores(path)) continue;
    read++;
    const file = access.read(ctx.file, path);
    const kind = file.kind === 'text' ? secretFileKind(`/${path}`, file.text.slice(0, SECRET_SNIFF_BYTES)) : undefined;
    if (kind) secrets.push({ path, kind });
  }
  return { copy, ignoreFile, gitDirectory, secrets };
}

/** The first COPY/ADD with `.` (or `./`) among its sources, no `--from`, in a stage of the final image. */
function firstContextCopy(ctx: DockerfileContext): Instruction | undefined {
  const final = finalImageStages(ctx);
  let first: { instruction: Instruction; at: number } | undefined;
  for (const keyword of ['COPY', 'ADD']) {
    for (const instruction of ctx.ofKeyword(keyword)) {
      const stage = ctx.stageOf(instruction);
      if (!stage || !final.has(stage)) continue;
      if (instruction instanceof Copy && instruction.getFromFlag()) continue;
      const json = instruction instanceof JSONInstruction ? instruction.getJSONStrings().map((s) => s.getValue().replace(/^"|"$/g, '')) : [];
      const args = json.length ? json : instruction.getArguments().map((a) => a.getValue());
      if (!args.slice(0, -1).some((a) => a === '.' || a === './')) continue;
      const at = ctx.offsetAt(instruction.getRange().start);
      if (!first || at < first.at) first = { instruction, at };
    }
  }
  return first?.instruction;
}

/**
 * The finding secret-file and git-directory-left make on the first whole-context copy: what it
 * copies (`copied`, already safe to show), why the ignore file lets it through, and the fix.
 */
export function contextCopyReport(ctx: DockerfileContext, exposure: ContextExposure, copied: string, paths: readonly string[], what: string): Report {
  return {
    message: `${ctx.keywordOf(exposure.copy)} . copies ${copied} into the image: ${exposure.ignoreFile ? `${exposure.ignoreFile} does not exclude ${paths.length > 1 ? 'them' : 'it'}` : 'there is no .dockerignore'}`,
    range: ctx.rangeOf(exposure.copy.getRange()),
    fixes: ignorePathsFix(exposure, paths, what),
  };
}

/**
 * The fix that leaves context paths out of the build: lines appended to the ignore file the builder
 * reads (created when there is none). Unsafe: the image no longer has the files, and an app that
 * reads its `.env` in the container, or a build step that runs git, changes.
 */
function ignorePathsFix(exposure: ContextExposure, paths: readonly string[], what: string): Fix[] {
  const lines = paths.map(dockerignoreLine);
  if (!lines.length || lines.some((l) => l === undefined)) return [];
  const file = exposure.ignoreFile ?? '.dockerignore';
  return [
    {
      title: `Leave ${what} out of the build context (${exposure.ignoreFile ? `add to ${file}` : `create ${file}`}): the image no longer contains ${paths.length > 1 ? 'them' : 'it'}`,
      safe: false,
      preferred: true,
      edits: [],
      appendToFile: { path: file, lines: lines as string[] },
    },
  ];
}
