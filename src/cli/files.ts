import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import type { FileKind } from '../engine/model';
import { kindOfFileName, SKIPPED_DIRECTORIES } from '../engine/files';
import { GitignoreFilter } from '../workspace/gitignore';
import { describeFsError } from '../workspace/readText';
import type { TeamConfigResolver } from '../workspace/teamConfig';

export interface Target {
  path: string;
  kind: FileKind;
}

export interface CollectedTargets {
  targets: Target[];
  errors: { file: string; message: string }[];
  /** Files and folders left out because a .bulkhead.yaml excludes them. */
  excluded: number;
}

/**
 * Expands PATH arguments: directories are walked for Dockerfiles and compose files, skipping what
 * git ignores and what the nearest .bulkhead.yaml excludes. Files named explicitly are always linted.
 * A file reached twice (`lint dir dir/Dockerfile`, `./x x`, a symlink) is listed once.
 */
export function collectTargets(paths: string[], teamConfig?: TeamConfigResolver): CollectedTargets {
  const targets: Target[] = [];
  const errors: { file: string; message: string }[] = [];
  const seen = new Set<string>();
  let excluded = 0;
  let gitignore: GitignoreFilter | undefined;
  const add = (path: string, kind: FileKind) => {
    const key = realpathOrResolved(path);
    if (seen.has(key)) return;
    seen.add(key);
    targets.push({ path, kind });
  };
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      errors.push({ file: dir, message: describeFsError(e) });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRECTORIES.has(entry.name) || gitignore?.isIgnored(full)) continue;
        if (teamConfig?.forDir(full).isExcluded(full)) excluded++;
        else walk(full);
      } else if (entry.isFile()) {
        const kind = kindOfFileName(entry.name);
        if (!kind || gitignore?.isIgnored(full)) continue;
        if (teamConfig?.forFile(full).isExcluded(full)) excluded++;
        else add(full, kind);
      }
    }
  };
  for (const p of paths) {
    let stat;
    try {
      stat = statSync(p);
    } catch (e) {
      errors.push({ file: p, message: describeFsError(e) });
      continue;
    }
    if (stat.isDirectory()) {
      const root = GitignoreFilter.repositoryRoot(resolve(p), existsSync);
      // Outside a repository a .gitignore in the walked folder still says what to skip.
      gitignore = new GitignoreFilter(root ?? resolve(p));
      walk(p);
    } else {
      // A file named explicitly is linted even with an unusual name: YAML as compose, else Dockerfile.
      // Whether it is a regular file is decided when it is opened (readTextFile), not here.
      add(p, kindOfFileName(p) ?? (/\.ya?ml$/i.test(extname(p)) ? 'compose' : 'dockerfile'));
    }
  }
  return { targets, errors, excluded };
}

function realpathOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
