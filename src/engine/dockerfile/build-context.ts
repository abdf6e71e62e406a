import { Copy, JSONInstruction, type Instruction } from 'dockerfile-ast';
import type { ProjectFileReader } from '../lint';
import type { SecretFileKind } from '../image/context';
import { maybeSecretFile, secretFileKind, SECRET_SNIFF_BYTES } from '../image/layer-facts';
import type { DockerfileContext } from './context';
import { DockerIgnore, dockerignoreLine } from './dockerignore';
import type { Fix } from '../model';
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

/** A whole-context COPY/ADD in a stage the final image is built from. */
export interface ContextCopy {
  instruction: Instruction;
}

export interface ContextExposure {
  copies: ContextCopy[];
  /** The ignore file the builder uses: `<Dockerfile>.dockerignore` (BuildKit) before `.dockerignore`; undefined: none. */
  ignoreFile?: string;
  /** The context's `.git` directory is copied. */
  gitDirectory: boolean;
  /** Secret files (confirmed by their first bytes) that are copied, at most MAX_SECRETS. */
  secrets: { path: string; kind: SecretFileKind }[];
  truncated: boolean;
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
  const copies = wholeContextCopies(ctx);
  if (!copies.length) return undefined;
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
  return { copies, ignoreFile, gitDirectory, secrets, truncated: listing.truncated };
}

/** COPY/ADD with `.` (or `./`) among its sources, no `--from`, in a stage of the final image. */
function wholeContextCopies(ctx: DockerfileContext): ContextCopy[] {
  const final = finalImageStages(ctx);
  const out: ContextCopy[] = [];
  for (const keyword of ['COPY', 'ADD']) {
    for (const instruction of ctx.ofKeyword(keyword)) {
      const stage = ctx.stageOf(instruction);
      if (!stage || !final.has(stage)) continue;
      if (instruction instanceof Copy && instruction.getFromFlag()) continue;
      const json = instruction instanceof JSONInstruction ? instruction.getJSONStrings().map((s) => s.getValue().replace(/^"|"$/g, '')) : [];
      const args = json.length ? json : instruction.getArguments().map((a) => a.getValue());
      if (args.slice(0, -1).some((a) => a === '.' || a === './')) out.push({ instruction });
    }
  }
  return out.sort((a, b) => ctx.offsetAt(a.instruction.getRange().start) - ctx.offsetAt(b.instruction.getRange().start));
}

/**
 * The fix that leaves context paths out of the build: lines appended to the ignore file the builder
 * reads (created when there is none). Unsafe: the image no longer has the files, and an app that
 * reads its `.env` in the container, or a build step that runs git, changes.
 */
export function ignorePathsFix(exposure: ContextExposure, paths: readonly string[], what: string): Fix[] {
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
