import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file atomically: a temporary file in the same folder, fsync, rename over the target,
 * fsync of the folder. Refuses when the file no longer holds `expected` (changed meanwhile).
 * (The shared atomic-write module of src/workspace is not on main yet; this one is harden's.)
 */
export function writeFileAtomic(path: string, text: string, expected?: string): void {
  if (expected !== undefined && readFileSync(path, 'utf8') !== expected) throw new Error(`${basename(path)} changed since it was read; not overwritten`);
  let mode = 0o644;
  try {
    mode = statSync(path).mode & 0o7777;
  } catch {
    // A new file.
  }
  const temp = join(dirname(path), `.${basename(path)}.bulkhead-${process.pid}-${Date.now()}.tmp`);
  const fd = openSync(temp, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  try {
    const dirFd = openSync(dirname(path), 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is done.
  }
}
