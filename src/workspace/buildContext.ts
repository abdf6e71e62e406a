import { opendirSync, type Dir, type Dirent } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BuildContextLister, BuildContextListing } from '../engine/dockerfile/build-context';

/** Entries listed per build context at most: a bigger context is judged on what was listed. */
const MAX_ENTRIES = 20_000;
const MAX_DEPTH = 8;
/** Listed, not entered: their contents are not what a whole-context COPY is judged on. */
const NOT_ENTERED = new Set(['.git', 'node_modules']);

/**
 * Lists a Dockerfile's folder (its build context) breadth-first, bounded, without following
 * symbolic links (COPY copies a link as a link). `ttlMs` reuses a listing of the same folder for
 * that long (the editor lints on every keystroke); 0 lists every time.
 */
export function buildContextLister(ttlMs = 0): BuildContextLister & { clear(): void } {
  const cache = new Map<string, { at: number; listing: BuildContextListing | undefined }>();
  const list: BuildContextLister = (dockerfile) => {
    const root = dirname(dockerfile);
    const hit = cache.get(root);
    if (hit && Date.now() - hit.at < ttlMs) return hit.listing;
    const listing = listContext(root);
    if (ttlMs > 0) cache.set(root, { at: Date.now(), listing });
    return listing;
  };
  return Object.assign(list, { clear: () => cache.clear() });
}

function listContext(root: string): BuildContextListing | undefined {
  const paths: string[] = [];
  let truncated = false;
  let level: string[] = [''];
  for (let depth = 0; level.length && depth < MAX_DEPTH; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      // opendir reads entries in batches: a folder with millions of entries stops at the bound.
      let handle: Dir;
      try {
        handle = opendirSync(join(root, dir));
      } catch {
        // The context itself unreadable: nothing can be judged. A subfolder: skipped.
        if (dir === '') return undefined;
        continue;
      }
      try {
        for (let e = readEntry(handle); e; e = readEntry(handle)) {
          if (paths.length >= MAX_ENTRIES) return { paths, truncated: true };
          const path = dir ? `${dir}/${e.name}` : e.name;
          if (e.isDirectory()) {
            paths.push(`${path}/`);
            if (!NOT_ENTERED.has(e.name)) next.push(path);
          } else paths.push(path);
        }
      } finally {
        handle.closeSync();
      }
    }
    level = next;
    if (depth === MAX_DEPTH - 1 && next.length) truncated = true;
  }
  return { paths, truncated };
}

/** The next entry, or null at the end or when the folder cannot be read further. */
function readEntry(handle: Dir): Dirent | null {
  try {
    return handle.readSync();
  } catch {
    return null;
  }
}
