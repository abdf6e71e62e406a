// Reads an image through the Engine API into an ImageContext: inspect and history, then the
// layers of `GET /images/{name}/get` as one stream. Nothing is written to disk and no layer is held
// in memory: each file entry is looked at (header, and the first bytes of the few files a fact
// needs) and dropped. `docker save` orders entries by name, so layers are numbered afterwards,
// from each layer's v1 `json` (id/parent chain) or, in OCI layouts, by hashing to the diff ids.
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type Docker from 'dockerode';
import { extract, type Headers } from 'tar-stream';
import type { HistoryStep, ImageConfig, ImageContext } from '../engine/image/context';
import { parseCreatedBy } from '../engine/image/history';
import { LayerFacts, resolveLayers, type LayerEntry } from '../engine/image/layer-facts';
import { withTimeout } from './connection';
import { tarMetadataGuard, TarMetadataTooLarge } from './tar-guard';

export interface ReadImageOptions {
  /** Read the layers' files (setuid, secrets, accounts…); false for config and history only. */
  layers?: boolean;
  signal?: AbortSignal;
  /** Milliseconds for the whole read (default 10 minutes); inspect and history get 15 s each. */
  deadlineMs?: number;
  /** Called with the bytes read so far, for progress. */
  onProgress?(bytes: number): void;
}

export class ImageReadError extends Error {
  constructor(
    message: string,
    readonly reason: 'cancelled' | 'deadline' | 'format' | 'engine',
  ) {
    super(message);
  }
}

interface ImageInspect {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Config?: ImageConfig | null;
  RootFS?: { Layers?: string[] };
}

export interface ConfigJson {
  history?: { created_by?: string; empty_layer?: boolean }[];
}

const CONFIG_JSON_BYTES = 8 * 1024 * 1024;
const V1_JSON_BYTES = 1024 * 1024;

export async function readImage(client: Docker, name: string, options: ReadImageOptions = {}): Promise<ImageContext> {
  const image = client.getImage(name);
  const inspect = (await withTimeout(image.inspect(), 15000, `inspecting image ${name}`)) as unknown as ImageInspect;
  const apiHistory = (await withTimeout(image.history(), 15000, `reading the history of ${name}`)) as { CreatedBy?: string; Size?: number }[];
  const diffIds = inspect.RootFS?.Layers ?? [];
  const base: ImageContext = {
    id: inspect.Id,
    tags: inspect.RepoTags ?? [],
    repoDigests: inspect.RepoDigests ?? [],
    config: inspect.Config ?? {},
    history: historyFromApi(apiHistory, diffIds.length),
    layerCount: diffIds.length,
  };
  if (options.layers === false) return base;
  const { layers, config } = await readImageExport(() => withTimeout(image.get(), 30000, 'starting the image export') as Promise<Readable>, diffIds, options);
  return { ...base, history: config?.history ? historyFromConfig(config, diffIds.length) ?? base.history : base.history, files: resolveLayers(layers) };
}

/** Numbers the layer-creating steps; undefined when the count disagrees with the layers. */
function numberSteps(steps: { createdBy: string; emptyLayer: boolean }[], layerCount: number): HistoryStep[] | undefined {
  let layer = 0;
  const out = steps.map((s) => (s.emptyLayer ? { ...s } : { ...s, layer: ++layer }));
  return layer === layerCount ? out : undefined;
}

function historyFromConfig(config: ConfigJson, layerCount: number): HistoryStep[] | undefined {
  return numberSteps((config.history ?? []).map((h) => ({ createdBy: h.created_by ?? '', emptyLayer: h.empty_layer === true })), layerCount);
}

/**
 * The API's history (newest first) has no empty_layer flag: a step made a layer when it has a size
 * or is a RUN/COPY/ADD (which always make one in the classic builder).
 */
function historyFromApi(history: { CreatedBy?: string; Size?: number }[], layerCount: number): HistoryStep[] {
  const steps = [...history].reverse().map((h) => {
    const createdBy = h.CreatedBy ?? '';
    const keyword = parseCreatedBy(createdBy).keyword;
    return { createdBy, emptyLayer: !((h.Size ?? 0) > 0 || keyword === 'RUN' || keyword === 'COPY' || keyword === 'ADD') };
  });
  return numberSteps(steps, layerCount) ?? steps;
}

async function readBounded(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (size < max) {
      const part = chunk.subarray(0, max - size);
      chunks.push(part);
      size += part.length;
    }
  }
  return Buffer.concat(chunks);
}

function entryType(type: Headers['type']): LayerEntry['type'] {
  return type === 'file' || type === 'contiguous-file' ? 'file' : type === 'directory' ? 'directory' : type === 'symlink' ? 'symlink' : type === 'link' ? 'link' : 'other';
}

/** Scans one layer tar (plain or gzip) into facts; resolves false when it is not a tar at all. */
async function scanLayer(source: Readable, facts: LayerFacts, hash: Hash | undefined): Promise<boolean> {
  await Promise.race([once(source, 'readable'), once(source, 'end')]);
  const head = source.read() as Buffer | null;
  if (head) source.unshift(head);
  const gzip = !!head && head[0] === 0x1f && head[1] === 0x8b;
  const plain: Readable = gzip ? source.pipe(createGunzip()) : source;
  if (hash) plain.on('data', (c: Buffer) => hash.update(c));
  const inner = extract();
  inner.on('entry', (header: Headers, stream: Readable, next: (e?: unknown) => void) => {
    const wanted = facts.entry({ name: header.name, type: entryType(header.type), mode: header.mode ?? 0, uid: header.uid ?? 0, gid: header.gid ?? 0, size: header.size ?? 0 });
    if (!wanted) {
      stream.on('end', () => next());
      stream.resume();
      return;
    }
    readBounded(stream, wanted).then(
      (bytes) => {
        facts.content(header.name, bytes);
        next();
      },
      (e) => next(e),
    );
  });
  try {
    await pipeline(plain, tarMetadataGuard(), inner);
    return true;
  } catch (e) {
    if (e instanceof TarMetadataTooLarge) throw new ImageReadError(`a layer of the image is not readable safely: ${e.message}`, 'format');
    // An OCI layout also holds JSON blobs; they are not layers. Drain what is left.
    source.resume();
    return false;
  }
}

/**
 * Reads a `docker save` stream (Docker's layout or an OCI layout with gzip'd blobs) into per-layer
 * facts, base layer first. `open` starts the stream, so the deadline covers its start too.
 */
export async function readImageExport(open: () => Promise<Readable>, diffIds: readonly string[], options: ReadImageOptions = {}): Promise<{ layers: LayerFacts[]; config?: ConfigJson }> {
  const controller = new AbortController();
  const deadlineMs = options.deadlineMs ?? 600000;
  const timer = setTimeout(() => controller.abort(new ImageReadError(`reading the image's layers took longer than ${deadlineMs} ms`, 'deadline')), deadlineMs);
  const onCancel = () => controller.abort(new ImageReadError('cancelled', 'cancelled'));
  if (options.signal?.aborted) onCancel();
  options.signal?.addEventListener('abort', onCancel, { once: true });

  const byDiffId = new Map<string, LayerFacts>();
  const v1 = new Map<string, { id: string; parent?: string; facts?: LayerFacts }>();
  let config: ConfigJson | undefined;
  let bytes = 0;
  const outer = extract();
  outer.on('entry', (header: Headers, stream: Readable, next: (e?: unknown) => void) => {
    const name = header.name.replace(/^\.\//, '');
    const done = (p: Promise<unknown>) => p.then(() => next(), (e) => next(e));
    if (/^[0-9a-f]{64}\.json$/.test(name)) {
      return done(readBounded(stream, CONFIG_JSON_BYTES).then((b) => (config = JSON.parse(b.toString('utf8')) as ConfigJson)));
    }
    const dir = /^([0-9a-f]{64})\/(json|layer\.tar)$/.exec(name);
    if (dir && dir[2] === 'json') {
      return done(readBounded(stream, V1_JSON_BYTES).then((b) => {
        const json = JSON.parse(b.toString('utf8')) as { id?: string; parent?: string };
        v1.set(dir[1], { ...v1.get(dir[1]), id: dir[1], parent: json.parent });
      }));
    }
    if (dir || (/^blobs\/sha256\/[0-9a-f]{64}$/.test(name) && (header.size ?? 0) > 0)) {
      const facts = new LayerFacts();
      // Docker's layout names a layer by its v1 id (chained below); an OCI blob by hashing to its diff id.
      const hash = dir ? undefined : createHash('sha256');
      return done(scanLayer(stream, facts, hash).then((isTar) => {
        if (dir) v1.set(dir[1], { ...v1.get(dir[1]), id: dir[1], facts });
        else if (isTar && hash) byDiffId.set(`sha256:${hash.digest('hex')}`, facts);
      }));
    }
    stream.on('end', () => next());
    stream.resume();
  });

  let source: Readable | undefined;
  try {
    source = await open();
    const aborted = new Promise<never>((_resolve, reject) => {
      const fail = () => reject(controller.signal.reason);
      if (controller.signal.aborted) fail();
      controller.signal.addEventListener('abort', fail, { once: true });
    });
    source.on('data', (c: Buffer) => {
      bytes += c.length;
      options.onProgress?.(bytes);
    });
    await Promise.race([pipeline(source, tarMetadataGuard(), outer), aborted]);
  } catch (e) {
    source?.destroy();
    outer.destroy();
    if (e instanceof ImageReadError) throw e;
    if (e instanceof TarMetadataTooLarge) throw new ImageReadError(`the image export is not readable safely: ${e.message}`, 'format');
    throw new ImageReadError(`reading the image's layers failed: ${(e as Error).message}`, 'engine');
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCancel);
  }

  const layers = v1.size ? chainV1(v1) : diffIds.map((d) => byDiffId.get(d));
  if (layers.length !== diffIds.length || layers.some((l) => !l)) {
    throw new ImageReadError(`the export of the image has ${layers.filter(Boolean).length} readable layer(s), its config lists ${diffIds.length}`, 'format');
  }
  return { layers: layers as LayerFacts[], config };
}

/** Orders Docker-layout layers base first by following each v1 json's parent. */
function chainV1(v1: Map<string, { id: string; parent?: string; facts?: LayerFacts }>): (LayerFacts | undefined)[] {
  const childOf = new Map<string | undefined, string>();
  for (const l of v1.values()) childOf.set(l.parent || undefined, l.id);
  const out: (LayerFacts | undefined)[] = [];
  for (let id = childOf.get(undefined); id && out.length <= v1.size; id = childOf.get(id)) out.push(v1.get(id)?.facts);
  return out;
}
