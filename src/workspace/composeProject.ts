import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { composeIncludes, type ProjectFileText } from '../engine/compose/project';
import { parseDotenv } from '../engine/compose/dotenv';
import { readProjectFile } from './projectFiles';
import type { LoadedTeamConfig } from './teamConfig';
import { readTextFile, type TextFile } from './readText';

/** Base file names docker compose looks for, in its order of preference. */
const BASE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

/**
 * The files docker compose would load, in order, for a project that contains `composeFile`:
 * COMPOSE_FILE (from the environment, else from the `.env` next to the file) when it lists the
 * file; else the folder's base file and its `.override` file. A file outside both is its own
 * project. A file set named in `.bulkhead.yaml` (`compose_projects`) that lists the file wins
 * over both. Files named by `include:` come before the file that includes them (inside the project
 * folder only, as readProjectFile allows); an included file opened on its own is linted with the
 * project that includes it.
 */
export function composeProjectFiles(composeFile: string, env: NodeJS.ProcessEnv = process.env, team?: Pick<LoadedTeamConfig, 'root' | 'config'>): string[] {
  const file = resolve(composeFile);
  // A set the team's .bulkhead.yaml names wins: it is how the repository is really deployed.
  const named = team?.root ? team.config.composeProjects.map((set) => set.map((p) => resolve(team.root!, p))).find((set) => set.includes(file)) : undefined;
  const project = withIncludes(named ? named.filter(existsSync) : loadedFiles(file, env));
  if (project.includes(file) && (named || project.length > 1)) return project;
  // A file another project's `include:` names is linted with that project (the base file of its
  // folder or of a folder above it, as far up as includes are followed).
  for (let dir = dirname(file), up = 0; up <= MAX_INCLUDE_DEPTH; dir = dirname(dir), up++) {
    const base = BASE_NAMES.map((n) => join(dir, n)).find(existsSync);
    if (base && base !== file) {
      const including = withIncludes(loadedFiles(base, env));
      if (including.includes(file)) return including;
    }
    if (dirname(dir) === dir) break;
  }
  return project.includes(file) ? project : withIncludes([file]);
}

/** How deep `include:` is followed (an included file may include others). */
const MAX_INCLUDE_DEPTH = 4;

function withIncludes(files: readonly string[], depth = 0): string[] {
  const out: string[] = [];
  for (const f of files) {
    const read = depth < MAX_INCLUDE_DEPTH ? readTextFile(f) : undefined;
    const included = (read?.file ? composeIncludes(read.file.text) : [])
      .filter((written) => readProjectFile(f, written).kind === 'text')
      .map((written) => resolve(dirname(f), written));
    for (const i of withIncludes(included, depth + 1)) if (!out.includes(i) && !files.includes(i)) out.push(i);
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

function loadedFiles(file: string, env: NodeJS.ProcessEnv): string[] {
  const dir = dirname(file);
  const listed = composeFileVariable(dir, env);
  if (listed !== undefined) {
    const separator = env.COMPOSE_PATH_SEPARATOR || (process.platform === 'win32' ? ';' : ':');
    const files = listed
      .split(separator)
      .filter((p) => p.trim())
      .map((p) => (isAbsolute(p) ? p : join(dir, p)));
    return files.includes(file) ? files.filter(existsSync) : [file];
  }
  const base = BASE_NAMES.map((n) => join(dir, n)).find(existsSync);
  if (!base) return [file];
  const stem = basename(base).replace(/\.ya?ml$/, '');
  const override = ['yaml', 'yml'].map((ext) => join(dir, `${stem}.override.${ext}`)).find(existsSync);
  const files = override ? [base, override] : [base];
  return files.includes(file) ? files : [file];
}

/** COMPOSE_FILE as docker compose reads it: the environment wins over the project's `.env`. */
function composeFileVariable(dir: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env.COMPOSE_FILE) return env.COMPOSE_FILE;
  const read = readTextFile(join(dir, '.env'));
  if (!read.file) return undefined;
  return parseDotenv(read.file.text).find((e) => e.name === 'COMPOSE_FILE')?.value || undefined;
}

/**
 * Reads a project's files (bounded, as readTextFile does). `openText` gives the text of a file
 * open in an editor, which wins over the disk; `read` is what was read from disk (to write a fix
 * back only over the same file). A file that cannot be read is an error.
 */
export function readComposeProject(files: readonly string[], openText?: (path: string) => string | undefined): { texts: (ProjectFileText & { read?: TextFile })[]; errors: { file: string; message: string }[] } {
  const texts: (ProjectFileText & { read?: TextFile })[] = [];
  const errors: { file: string; message: string }[] = [];
  for (const file of files) {
    const open = openText?.(file);
    if (open !== undefined) {
      texts.push({ file, text: open });
      continue;
    }
    const read = readTextFile(file);
    if (read.file) texts.push({ file, text: read.file.text, read: read.file });
    else errors.push({ file, message: read.error });
  }
  return { texts, errors };
}
