import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { sha256, type FileSnapshot } from './readText';

/** The file changed on disk after it was read: writing now would lose that change. */
export class FileChangedError extends Error {
  constructor() {
    super('changed on disk since it was read: not rewritten (run again)');
  }
}

/**
 * Replaces a file's content so that a reader (or a crash, SIGKILL, Ctrl-C, power loss) sees
 * either the old or the new content, never a mix: the new bytes go to a temp file in the same
 * folder, are fsynced, then renamed over the file. A symlink is written through to its target;
 * the target's mode and owner are kept. With `expected`, the write is refused when the file no
 * longer matches what was read (size, mtime and content hash), checked just before the rename.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, expected?: FileSnapshot): void {
  const target = realpathOrSelf(path);
  const existing = statOrUndefined(target);
  if (expected && !existing) throw new FileChangedError();
  const temp = join(dirname(target), `.${basename(target)}.bulkhead-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  let closed = false;
  let renamed = false;
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    if (existing) {
      if (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.()) fchownSync(fd, existing.uid, existing.gid);
      fchmodSync(fd, existing.mode & 0o7777);
    } else {
      fchmodSync(fd, 0o666 & ~process.umask());
    }
    fsyncSync(fd);
    closeSync(fd);
    closed = true;
    if (expected && !unchanged(target, expected)) throw new FileChangedError();
    renameSync(temp, target);
    renamed = true;
    syncFolder(dirname(target));
  } finally {
    if (!closed) closeSync(fd);
    if (!renamed) {
      try {
        unlinkSync(temp);
      } catch {
        /* never created or already gone */
      }
    }
  }
}

function unchanged(path: string, expected: FileSnapshot): boolean {
  const st = statOrUndefined(path);
  if (!st || st.size !== expected.size || st.mtimeMs !== expected.mtimeMs) return false;
  return sha256(readFileSync(path)) === expected.sha256;
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The rename is durable only once the folder's entry is on disk too. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    /* some file systems do not fsync folders; the rename itself is still atomic */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
