import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { ProjectFileRead } from '../engine/lint';
import { readTextFile } from './readText';

/** Referenced files larger than this are not read (Docker's default seccomp profile is about 20 KiB). */
const MAX_REFERENCED_BYTES = 4 * 1024 * 1024;

/**
 * The `readProjectFile` the CLI gives the engine: a path written in a compose file is resolved
 * against that file's folder (as Compose v2 does), and read only when it stays inside the project
 * after following symlinks. Anything else is "outside", whether or not it exists, so a pull request
 * cannot probe or quote the files of the machine that lints it.
 */
export const readProjectFile = projectFileReader();

/**
 * A reader whose project is the compose file's folder, widened to the workspace folder that holds
 * it (the editor passes its folders: Profile Container writes `<folder>/profiles/`).
 */
export function projectFileReader(roots: () => readonly string[] = () => []): (composeFile: string | undefined, written: string) => ProjectFileRead {
  return (composeFile, written) => {
    if (!composeFile) return { kind: 'outside' };
    const folder = dirname(resolve(composeFile));
    const project = roots().map((r) => resolve(r)).find((r) => isInside(r, folder)) ?? folder;
    const candidate = isAbsolute(written) ? written : resolve(folder, written);
    if (!isInside(project, candidate)) return { kind: 'outside' };
    const real = followLinks(candidate);
    const realProject = followLinks(project);
    if (!real || !realProject || !isInside(realProject.path, real.path)) return { kind: 'outside' };
    if (!real.exists) return { kind: 'missing' };
    const read = readTextFile(real.path, MAX_REFERENCED_BYTES);
    return read.file ? { kind: 'text', text: read.file.text } : { kind: 'unreadable', why: read.error };
  };
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Where a path really leads, also when it does not exist: the deepest existing prefix is resolved
 * (a dangling symlink is followed by its text), so a link to a missing file outside the project
 * is recognised as outside, like a link to an existing one.
 */
function followLinks(path: string): { path: string; exists: boolean } | undefined {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    try {
      return { path: realpathSync(current), exists: true };
    } catch {
      /* resolve the part that exists below */
    }
    let existing = current;
    const rest: string[] = [];
    for (;;) {
      try {
        lstatSync(existing);
        break;
      } catch {
        rest.unshift(basename(existing));
        if (dirname(existing) === existing) return undefined;
        existing = dirname(existing);
      }
    }
    try {
      if (!lstatSync(existing).isSymbolicLink()) return { path: join(realpathSync(existing), ...rest), exists: false };
      current = join(resolve(dirname(existing), readlinkSync(existing)), ...rest);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
