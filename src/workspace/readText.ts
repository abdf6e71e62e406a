import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { MAX_FILE_BYTES } from '../engine/files';

/** What a file looked like when it was read: a rewrite goes ahead only if it still looks so. */
export interface FileSnapshot {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export interface TextFile {
  text: string;
  snapshot: FileSnapshot;
  /** False when the bytes are not UTF-8: the text then holds U+FFFD and must never be written back. */
  validUtf8: boolean;
}

export type ReadResult = { file: TextFile; error?: undefined } | { file?: undefined; error: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossyUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Reads a regular file, at most `maxBytes`. FIFOs, devices (/dev/zero, /dev/urandom), sockets and
 * symlinks to them are refused without reading: opening is non-blocking, so a FIFO with no writer
 * cannot hang the process, and the size is checked on the opened descriptor, not on the name.
 */
export function readTextFile(path: string, maxBytes = MAX_FILE_BYTES): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { error: describeFsError(e) };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { error: 'is a directory' };
    if (!st.isFile()) return { error: `not a regular file (${fileType(st)}): not read` };
    if (st.size > maxBytes) return { error: tooLarge(st.size, maxBytes) };
    // Read one byte more than allowed: a file that grows while it is read is still bounded.
    const buffer = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) return { error: tooLarge(length, maxBytes) };
      if (length === buffer.length) break;
    }
    const bytes = buffer.subarray(0, length);
    let text: string;
    let validUtf8 = true;
    try {
      text = utf8.decode(bytes);
    } catch {
      validUtf8 = false;
      text = lossyUtf8.decode(bytes);
    }
    return { file: { text, validUtf8, snapshot: { size: length, mtimeMs: st.mtimeMs, sha256: sha256(bytes) } } };
  } catch (e) {
    return { error: describeFsError(e) };
  } finally {
    closeSync(fd);
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function tooLarge(size: number, max: number): string {
  return `file too large to lint (${(size / 1048576).toFixed(1)} MiB; the limit is ${(max / 1048576).toFixed(0)} MiB)`;
}

function fileType(st: import('node:fs').Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
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
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENXIO':
      return 'not a regular file (a socket or device without a reader): not read';
    default:
      return err.message ?? String(e);
  }
}
