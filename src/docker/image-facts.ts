import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { connectEngine, resolveDefaultEngine, withTimeout } from './connection';
import { dockerfileBaseReferences, type BaseImageFacts, type BaseImageLookup } from '../engine/images/facts';

// Facts about local images for the lint rules, read without running anything from the image: the
// config comes from GET /images/{name}/json; files are looked up in a created, never started
// container (HEAD /containers/{id}/archive), and setuid/setgid files by reading the tar headers of
// its export. Every call has a deadline and the container is always removed.

const SHELLS = ['/bin/sh', '/busybox/sh'];
const HTTP_CLIENTS: Record<string, string[]> = { wget: ['/usr/bin/wget', '/bin/wget'], curl: ['/usr/bin/curl', '/bin/curl'] };
/** An image export larger than this is not searched for setuid files (the answer stays unknown). */
const MAX_EXPORT_BYTES = 2 * 1024 ** 3;
const MAX_SETUID_PATHS = 200;
export const PROBE_LABEL = 'org.bulkhead.image-probe';

export interface ImageFactsOptions {
  /** Deadline for the whole look-up of one image. */
  timeoutMs?: number;
  /** Also list setuid/setgid files (reads the image's whole filesystem as a tar stream). */
  setuid?: boolean;
}

/** Facts about a local image; undefined when the engine does not have it (or does not answer in time). */
export async function inspectImageFacts(client: Docker, reference: string, options: ImageFactsOptions = {}): Promise<BaseImageFacts | undefined> {
  const timeoutMs = options.timeoutMs ?? 10000;
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  let config: { User?: string; Healthcheck?: { Test?: string[] } | null } | undefined;
  try {
    const info = await withTimeout(client.getImage(reference).inspect(), left(), `inspecting image ${reference}`);
    config = info.Config ?? {};
  } catch {
    return undefined;
  }
  const test = config.Healthcheck?.Test;
  const facts: BaseImageFacts = { user: typeof config.User === 'string' ? config.User : '', healthcheck: Array.isArray(test) && test.length > 0 && test[0] !== 'NONE', source: 'local image' };
  let container: Docker.Container | undefined;
  try {
    // Never started: the entrypoint only satisfies "no command specified" on images without one.
    container = await withTimeout(
      client.createContainer({ Image: reference, Entrypoint: ['/bulkhead-image-probe-never-started'], Cmd: [], NetworkDisabled: true, Labels: { [PROBE_LABEL]: '1' } }),
      left(),
      `creating a probe container for ${reference}`,
    );
    const exists = async (path: string) => {
      try {
        await withTimeout(container!.infoArchive({ path }), left(), `looking up ${path}`);
        return true;
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode === 404) return false;
        throw e;
      }
    };
    for (const shell of SHELLS) {
      if (await exists(shell)) {
        facts.shell = shell;
        break;
      }
    }
    facts.hasShell = facts.shell !== undefined;
    const clients: string[] = [];
    for (const [name, paths] of Object.entries(HTTP_CLIENTS)) {
      for (const p of paths) {
        if (await exists(p)) {
          clients.push(name);
          break;
        }
      }
    }
    facts.httpClients = clients;
    if (options.setuid) facts.setuidFiles = await setuidFilesOf(container, left());
  } catch {
    // What could be learnt stays; the rest is unknown.
  } finally {
    if (container) await withTimeout(container.remove({ force: true }), 10000, 'removing the probe container').catch(() => undefined);
  }
  return facts;
}

/** Paths of setuid/setgid regular files in a container's filesystem export; undefined when too large or too slow. */
async function setuidFilesOf(container: Docker.Container, timeoutMs: number): Promise<string[] | undefined> {
  const stream = (await withTimeout(container.export(), timeoutMs, 'exporting the probe container')) as unknown as Readable;
  const reader = new TarHeaderReader();
  const done = new Promise<string[] | undefined>((resolve, reject) => {
    let total = 0;
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > MAX_EXPORT_BYTES) {
        stream.destroy();
        resolve(undefined);
        return;
      }
      reader.push(chunk);
    });
    stream.on('end', () => resolve(reader.setuid.slice(0, MAX_SETUID_PATHS)));
    stream.on('error', reject);
  });
  try {
    return await withTimeout(done, timeoutMs, 'reading the image filesystem');
  } catch {
    stream.destroy();
    return undefined;
  }
}

/** Reads ustar/pax/GNU headers from a tar stream, skipping file contents, and notes setuid/setgid files. */
class TarHeaderReader {
  readonly setuid: string[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of file content (padded to 512) still to skip. */
  private skip = 0;
  private longName?: string;
  /** The pax header's data, kept when it is the current entry's content. */
  private collect?: { type: string; size: number };

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (this.collect) {
        const padded = Math.ceil(this.collect.size / 512) * 512;
        if (this.buffer.length < padded) return;
        const data = this.buffer.subarray(0, this.collect.size).toString('utf8');
        this.longName = this.collect.type === 'L' ? data.replace(/\0.*$/s, '') : (/(?:^|\n)\d+ path=([^\n]*)\n/.exec(data)?.[1] ?? this.longName);
        this.buffer = this.buffer.subarray(padded);
        this.collect = undefined;
        continue;
      }
      if (this.skip) {
        const n = Math.min(this.skip, this.buffer.length);
        this.buffer = this.buffer.subarray(n);
        this.skip -= n;
        if (this.skip) return;
      }
      if (this.buffer.length < 512) return;
      const header = this.buffer.subarray(0, 512);
      this.buffer = this.buffer.subarray(512);
      if (header.every((b) => b === 0)) continue;
      const field = (start: number, length: number) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
      const size = parseInt(field(124, 12).trim() || '0', 8) || 0;
      const type = field(156, 1) || '0';
      if (type === 'x' || type === 'L') {
        this.collect = { type, size };
        continue;
      }
      const prefix = field(345, 155);
      const name = this.longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
      this.longName = undefined;
      const mode = parseInt(field(100, 8).trim() || '0', 8) || 0;
      if ((type === '0' || type === '7') && mode & 0o6000) this.setuid.push('/' + name.replace(/^\.?\//, ''));
      this.skip = Math.ceil(size / 512) * 512;
    }
  }
}

/**
 * Base-image facts from the default local engine for the CLI, one look-up per reference. Without
 * an engine (or when it does not answer within the connect deadline) every answer is undefined
 * and the rules fall back to their table of well-known images.
 */
export class LocalBaseImages {
  private client?: Promise<Docker | undefined>;
  private readonly cache = new Map<string, Promise<BaseImageFacts | undefined>>();

  constructor(private readonly connectTimeoutMs = 3000) {}

  /** A lookup answering for the base images of one Dockerfile. */
  async lookupFor(dockerfileText: string): Promise<BaseImageLookup> {
    const refs = dockerfileBaseReferences(dockerfileText);
    const facts = await Promise.all(refs.map((r) => this.factsOf(r)));
    const byRef = new Map(refs.map((r, i) => [r, facts[i]]));
    return (ref) => byRef.get(ref);
  }

  private factsOf(reference: string): Promise<BaseImageFacts | undefined> {
    let pending = this.cache.get(reference);
    if (!pending) {
      pending = this.connect().then((client) => (client ? inspectImageFacts(client, reference) : undefined));
      this.cache.set(reference, pending);
    }
    return pending;
  }

  private connect(): Promise<Docker | undefined> {
    this.client ??= connectEngine(resolveDefaultEngine(), this.connectTimeoutMs).then((c) => (c.ok ? c.client : undefined));
    return this.client;
  }
}
