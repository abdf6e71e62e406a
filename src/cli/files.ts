import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import type { FileKind } from '../engine/model';
import { kindOfFileName, MAX_FILE_BYTES, SKIPPED_DIRECTORIES } from '../engine/files';
import { GitignoreFilter } from '../workspace/gitignore';
import type { TeamConfigResolver } from '../workspace/teamConfig';

export interface Target {
  path: string;
  kind: FileKind;
}

/**
 * Expands PATH arguments: directories are walked for Dockerfiles and compose files, skipping what
 * git ignores and what the nearest .bulkhead.yaml excludes. Files named explicitly are always linted.
 */
export function collectTargets(paths: string[], teamConfig?: TeamConfigResolver): { targets: Target[]; errors: { file: string; message: string }[] } {
  const targets: Target[] = [];
  const errors: { file: string; message: string }[] = [];
  let gitignore: GitignoreFilter | undefined;
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
        if (!SKIPPED_DIRECTORIES.has(entry.name) && !gitignore?.isIgnored(full) && !teamConfig?.forDir(full).isExcluded(full)) walk(full);
      } else if (entry.isFile()) {
        const kind = kindOfFileName(entry.name);
        if (kind && !gitignore?.isIgnored(full) && !teamConfig?.forFile(full).isExcluded(full)) targets.push({ path: full, kind });
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
      const kind = kindOfFileName(p) ?? (/\.ya?ml$/i.test(extname(p)) ? 'compose' : 'dockerfile');
      targets.push({ path: p, kind });
    }
  }
  return { targets, errors };
}

export function readTarget(path: string): { text?: string; error?: string } {
  try {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) return { error: `file too large to lint (${(size / 1048576).toFixed(1)} MiB > ${MAX_FILE_BYTES / 1048576} MiB)` };
    return { text: readFileSync(path, 'utf8') };
  } catch (e) {
    return { error: describeFsError(e) };
  }
}

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return err.message ?? String(e);
  }
}

export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
