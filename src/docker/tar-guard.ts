import { Transform, type TransformCallback } from 'node:stream';

/**
 * tar-stream keeps a pax or GNU long-name entry's whole content in memory, at whatever size its
 * header declares: one crafted header in an image layer could make Bulkhead buffer gigabytes.
 * Real ones hold a path and a few attributes; 1 MiB is far above any.
 */
const MAX_TAR_METADATA_BYTES = 1024 * 1024;

/** pax extended (x), pax global (g), GNU long name (L) and long link (K) entries. */
const METADATA_TYPES = new Set(['x', 'g', 'L', 'K']);

export class TarMetadataTooLarge extends Error {
  constructor(readonly declared: number) {
    super(`a tar metadata entry declares ${declared} bytes (more than ${MAX_TAR_METADATA_BYTES / 1048576} MiB): not read`);
  }
}

/** A tar header's size field: octal text, or base-256 when the first byte's high bit is set. */
function sizeField(header: Buffer): number {
  if (header[124] & 0x80) {
    let n = header[124] & 0x7f;
    for (let i = 125; i < 136; i++) n = n * 256 + header[i];
    return n;
  }
  return parseInt(header.toString('latin1', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8) || 0;
}

/**
 * Passes a tar stream through unchanged while following its framing (512-byte headers, contents
 * padded to 512), and fails it on a metadata entry larger than `limit`. Holds at most one header.
 */
export function tarMetadataGuard(limit = MAX_TAR_METADATA_BYTES): Transform {
  let header = Buffer.alloc(0);
  let skip = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let offset = 0;
      while (offset < chunk.length) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - offset);
          skip -= n;
          offset += n;
          continue;
        }
        const part = chunk.subarray(offset, offset + 512 - header.length);
        header = header.length ? Buffer.concat([header, part]) : Buffer.from(part);
        offset += part.length;
        if (header.length < 512) break;
        const full = header;
        header = Buffer.alloc(0);
        if (full.every((b) => b === 0)) continue;
        const size = sizeField(full);
        if (METADATA_TYPES.has(String.fromCharCode(full[156])) && size > limit) return callback(new TarMetadataTooLarge(size));
        skip = Math.ceil(size / 512) * 512;
      }
      callback(null, chunk);
    },
  });
}
