import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { addAbortSignal, pipeline, Transform, type Readable } from 'node:stream';
import type Docker from 'dockerode';

/**
 * Every read from a Docker engine goes through engineGet: an overall deadline per call (the
 * request is destroyed on expiry, not only after an idle gap: an engine that sends one byte every
 * 2 s never idles), URL-escaped object names, an answer read to a cap (readBody: a hostile engine
 * cannot fill memory), and a small shape check of the answer so a hostile or broken engine gives
 * "unexpected response" instead of a TypeError deep in a check. boundModem puts the same cap on
 * every other dockerode call of a client.
 */

/** Overall time one Engine API call may take, from connect to the last byte. */
const API_DEADLINE_MS = 15000;

/** An answer that is not JSON, or JSON of the wrong shape. */
export class EngineResponseError extends Error {
  readonly code = 'EBADRESPONSE';
}

type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'array';

/** Fields a response object must (or may) have, by JSON type; null counts as absent for optional ones. */
export interface Shape {
  required?: Record<string, FieldType>;
  optional?: Record<string, FieldType>;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** What is wrong with `value` against `shape`, or undefined when it conforms. */
export function shapeProblem(value: unknown, shape: Shape): string | undefined {
  // docker-modem hands back the raw Buffer when the body is not JSON.
  if (Buffer.isBuffer(value)) return 'expected a JSON object, got non-JSON text';
  if (typeOf(value) !== 'object') return `expected a JSON object, got ${typeOf(value)}`;
  const record = value as Record<string, unknown>;
  for (const [key, type] of Object.entries(shape.required ?? {})) {
    if (typeOf(record[key]) !== type) return `${key} is ${typeOf(record[key])}, expected ${type}`;
  }
  for (const [key, type] of Object.entries(shape.optional ?? {})) {
    const got = typeOf(record[key]);
    if (got !== 'undefined' && got !== 'null' && got !== type) return `${key} is ${got}, expected ${type}`;
  }
  return undefined;
}

function listProblem(value: unknown, item: Shape): string | undefined {
  if (!Array.isArray(value)) return `expected a JSON array, got ${Buffer.isBuffer(value) ? 'non-JSON text' : typeOf(value)}`;
  for (let i = 0; i < value.length; i++) {
    const problem = shapeProblem(value[i], item);
    if (problem) return `item ${i}: ${problem}`;
  }
  return undefined;
}

/** The shapes of the responses Bulkhead reads (only the fields it uses). */
export const SHAPES = {
  version: { required: { Version: 'string' }, optional: { ApiVersion: 'string', Components: 'array' } },
  info: { optional: { ServerVersion: 'string', SecurityOptions: 'array', DockerRootDir: 'string', Swarm: 'object', OperatingSystem: 'string', KernelVersion: 'string' } },
  containerSummary: { required: { Id: 'string' }, optional: { Names: 'array', Labels: 'object', State: 'string', Image: 'string', ImageID: 'string' } },
  containerInspect: { required: { Id: 'string' }, optional: { Name: 'string', State: 'object', Config: 'object', HostConfig: 'object', Mounts: 'array', ExecIDs: 'array', NetworkSettings: 'object', AppArmorProfile: 'string' } },
  imageSummary: { required: { Id: 'string' }, optional: { RepoTags: 'array', Size: 'number' } },
  imageInspect: { required: { Id: 'string' }, optional: { Config: 'object', Created: 'string' } },
  historyItem: { optional: { CreatedBy: 'string' } },
  network: { optional: { Name: 'string', Driver: 'string', Options: 'object' } },
  execInspect: { required: { ID: 'string' }, optional: { ContainerID: 'string', Privileged: 'boolean', ProcessConfig: 'object' } },
  event: { optional: { Type: 'string', Action: 'string', Actor: 'object', id: 'string', status: 'string', time: 'number' } },
  top: { optional: { Titles: 'array', Processes: 'array' } },
} satisfies Record<string, Shape>;

/**
 * One path segment for a container, image or exec id/name: escaped, so `../info?x=` addresses an
 * object of that (non-existent) name and never another endpoint.
 */
export function pathSegment(idOrName: string): string {
  return encodeURIComponent(idOrName).replace(/\./g, '%2E');
}

export interface CallOptions {
  deadlineMs?: number;
  /** Cancels the call (the audit's Cancel button). */
  signal?: AbortSignal;
  query?: Record<string, string | number | boolean>;
}

const MIB = 1024 * 1024;
/** Largest answer read for one object (/version, /info, one inspect): real ones are a few KiB. */
export const MAX_OBJECT_BYTES = 4 * MIB;
/** Largest answer read for a list (/containers/json, /images/json…): thousands of summaries fit. */
export const MAX_LIST_BYTES = 8 * MIB;
/** Largest error body read for an HTTP error status; past it the status alone is reported. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Largest single /events line: real events are a few KiB even with many labels. */
export const MAX_EVENT_BYTES = 256 * 1024;

/** An answer larger than the cap of its call; reading stopped there and the connection was closed. */
export class EngineResponseTooLarge extends Error {
  readonly code = 'ETOOLARGE';
  constructor(
    readonly what: string,
    readonly maxBytes: number,
  ) {
    super(`the engine's answer to ${what} was larger than ${sizeLabel(maxBytes)}; reading stopped`);
  }
}

/** 4194304 → "4 MiB", 262144 → "256 KiB". */
export function sizeLabel(bytes: number): string {
  return bytes >= MIB ? `${+(bytes / MIB).toFixed(1)} MiB` : `${+(bytes / 1024).toFixed(1)} KiB`;
}

/**
 * The body of `res`, at most `maxBytes`: past the cap (or at once, when Content-Length says it
 * will be) the stream is destroyed, its socket closed so an endless body stops arriving, and the
 * promise rejects with EngineResponseTooLarge. Peak memory is about twice what was read (the
 * socket's buffers are garbage until the next collection), never the body's size.
 */
export function readBody(res: Readable & { headers?: IncomingHttpHeaders }, maxBytes: number, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(res.headers?.['content-length']) > maxBytes) {
      res.destroy();
      return reject(new EngineResponseTooLarge(what, maxBytes));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        res.destroy();
        reject(new EngineResponseTooLarge(what, maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks, size)));
    res.on('error', reject);
    // A socket closed mid-body (the engine died, or the deadline destroyed it) ends with 'close' only.
    res.on('close', () => reject(Object.assign(new Error(`the connection closed before the answer to ${what} was complete`), { code: 'ECONNRESET' })));
  });
}

/** The part of docker-modem's dial options this module reads or sets (`options`: the query). */
type DialOptions = { path?: string; method?: string; options?: unknown; isStream?: boolean; hijack?: boolean; openStdin?: boolean; abortSignal?: AbortSignal; statusCodes?: Record<number, boolean | string>; maxBytes?: number };
type Dial = (options: DialOptions, callback: (err: unknown, data: unknown) => void) => void;
const BOUNDED = Symbol('bulkhead.boundedModem');
// docker-modem then hands over the response of any status, unread.
const EVERY_STATUS = new Proxy({}, { get: () => true });

/**
 * Makes every request of `client` read its answer through readBody: docker-modem buffers whole
 * bodies (error bodies of streams too), so a hostile engine could fill memory through any
 * dockerode call. Each request is made as a stream and read here, like docker-modem does (same
 * status handling, errors and JSON-or-Buffer result), to at most `maxBytes` (default
 * MAX_LIST_BYTES); error bodies to 64 KiB. Streams asked for (isStream) are handed over after
 * their status; attach/exec sessions (hijack, stdin) are untouched. Idempotent; createClient
 * applies it to every client.
 */
export function boundModem<T extends Docker>(client: T): T {
  const modem = client.modem as unknown as { dial: Dial; [BOUNDED]?: true };
  if (modem[BOUNDED]) return client;
  const dial = modem.dial.bind(modem);
  modem.dial = (options, callback) => {
    if (options.hijack || options.openStdin) return dial(options, callback);
    dial({ ...options, isStream: true, statusCodes: EVERY_STATUS }, (err, data) => {
      if (err) return callback(err, null);
      const res = data as IncomingMessage;
      if (options.abortSignal) addAbortSignal(options.abortSignal, res);
      answerOf(res, options).then((value) => callback(null, value), (e: unknown) => callback(e, null));
    });
  };
  modem[BOUNDED] = true;
  return client;
}

async function answerOf(res: IncomingMessage, options: DialOptions): Promise<unknown> {
  const what = `${options.method ?? 'GET'} ${(options.path ?? '').replace(/\?$/, '')}`;
  const status = res.statusCode ?? 0;
  const verdict = options.statusCodes?.[status];
  if (verdict === true) return options.isStream ? res : parsedBody(await readBody(res, options.maxBytes ?? MAX_LIST_BYTES, what));
  let cause: string;
  let json: unknown;
  try {
    const text = (await readBody(res, MAX_ERROR_BODY_BYTES, what)).toString();
    json = parseJson(text);
    const { message, error } = (json ?? {}) as { message?: unknown; error?: unknown };
    cause = typeof message === 'string' ? message : typeof error === 'string' ? error : text;
  } catch (e) {
    if (!(e instanceof EngineResponseTooLarge)) throw e;
    cause = `(error body larger than ${sizeLabel(MAX_ERROR_BODY_BYTES)}, not read)`;
  }
  // docker-modem's error, so callers that test statusCode or the message keep working.
  throw Object.assign(new Error(`(HTTP code ${status}) ${typeof verdict === 'string' ? verdict : 'unexpected'} - ${cause} `), { statusCode: status, reason: verdict, json });
}

/** JSON when the body is JSON (and not a falsy value), else the Buffer itself: what docker-modem hands back. */
function parsedBody(body: Buffer): unknown {
  return parseJson(body.toString()) || body;
}

/** The statuses of a read: 200 is the answer; the others are errors, named as docker-modem names them. */
const GET_STATUSES = { 200: true, 400: 'bad parameter', 404: 'no such object', 500: 'server error' } as const;

function dialBounded(client: Docker, options: DialOptions): Promise<unknown> {
  return new Promise((resolve, reject) => (boundModem(client).modem as unknown as { dial: Dial }).dial(options, (err, data) => (err ? reject(err) : resolve(data))));
}

/**
 * Opens GET `path` (already escaped) and resolves with the response stream of a 200. An error
 * status rejects like docker-modem does (statusCode, reason, `(HTTP code N) reason - message`),
 * from an error body read to at most 64 KiB. `signal` aborts the request and the response.
 */
function engineStream(client: Docker, path: string, options: { signal: AbortSignal; query?: CallOptions['query'] }): Promise<IncomingMessage> {
  // docker-modem appends `options` as the query string to a path ending in "?".
  return dialBounded(client, { path: options.query ? `${path}?` : path, options: options.query, method: 'GET', abortSignal: options.signal, isStream: true, statusCodes: GET_STATUSES }) as Promise<IncomingMessage>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * GET `path` (already escaped) within the deadline, reading at most `maxBytes` of the answer.
 * Rejects with an ETIMEDOUT error on expiry (the request and its response stream are destroyed),
 * with EngineResponseTooLarge past the cap, with an error carrying statusCode on an HTTP error
 * status, or with EngineResponseError when `check` finds a wrong shape.
 */
export async function engineGet(client: Docker, path: string, check: (value: unknown) => string | undefined, options: CallOptions & { maxBytes?: number } = {}): Promise<unknown> {
  const deadlineMs = options.deadlineMs ?? API_DEADLINE_MS;
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, deadlineMs);
  const cancel = () => controller.abort();
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    const value = await dialBounded(client, { path: options.query ? `${path}?` : path, options: options.query, method: 'GET', abortSignal: controller.signal, statusCodes: GET_STATUSES, maxBytes: options.maxBytes ?? MAX_OBJECT_BYTES });
    const problem = check(value);
    if (problem) throw new EngineResponseError(`the engine returned an unexpected response to GET ${path}: ${problem}`);
    return value;
  } catch (e) {
    if (expired) throw Object.assign(new Error(`GET ${path} took longer than ${deadlineMs} ms; request abandoned`), { code: 'ETIMEDOUT' });
    throw e;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', cancel);
  }
}

const one = (shape: Shape) => (v: unknown) => shapeProblem(v, shape);
const list = (shape: Shape) => (v: unknown) => listProblem(v, shape);

export interface EngineVersion {
  Version: string;
  ApiVersion?: string;
  Components?: { Name: string; Version: string }[];
}

/** A list read: a larger cap than one object's. */
const listGet = (c: Docker, path: string, item: Shape, o: CallOptions = {}) => engineGet(c, path, list(item), { ...o, maxBytes: MAX_LIST_BYTES });

/** The typed reads Bulkhead makes; each validates its answer's shape and bounds its size. */
export const engineApi = {
  version: (c: Docker, o?: CallOptions) => engineGet(c, '/version', one(SHAPES.version), o) as Promise<EngineVersion>,
  info: (c: Docker, o?: CallOptions) => engineGet(c, '/info', one(SHAPES.info), o) as Promise<Record<string, unknown>>,
  listContainers: (c: Docker, o?: CallOptions) => listGet(c, '/containers/json', SHAPES.containerSummary, { ...o, query: { all: true } }) as Promise<{ Id: string; Names?: string[]; Image?: string; ImageID?: string; State?: string }[]>,
  inspectContainer: (c: Docker, idOrName: string, o?: CallOptions) => engineGet(c, `/containers/${pathSegment(idOrName)}/json`, one(SHAPES.containerInspect), o),
  topContainer: (c: Docker, id: string, psArgs: string, o?: CallOptions) => engineGet(c, `/containers/${pathSegment(id)}/top`, one(SHAPES.top), { ...o, query: { ps_args: psArgs } }) as Promise<{ Titles?: string[]; Processes?: string[][] }>,
  listImages: (c: Docker, o?: CallOptions) => listGet(c, '/images/json', SHAPES.imageSummary, o) as Promise<{ Id: string; RepoTags?: string[]; Size?: number }[]>,
  inspectImage: (c: Docker, id: string, o?: CallOptions) => engineGet(c, `/images/${pathSegment(id)}/json`, one(SHAPES.imageInspect), o) as Promise<{ Id: string; Created?: string; Config?: unknown }>,
  imageHistory: (c: Docker, id: string, o?: CallOptions) => listGet(c, `/images/${pathSegment(id)}/history`, SHAPES.historyItem, o) as Promise<{ CreatedBy?: string }[]>,
  listNetworks: (c: Docker, o?: CallOptions) => listGet(c, '/networks', SHAPES.network, o),
  inspectExec: (c: Docker, id: string, o?: CallOptions) => engineGet(c, `/exec/${pathSegment(id)}/json`, one(SHAPES.execInspect), o) as Promise<{ ID: string; ContainerID?: string; Privileged?: boolean; ProcessConfig?: { privileged?: boolean; user?: string } }>,
  listNodes: (c: Docker, o?: CallOptions) => listGet(c, '/nodes', {}, o),
  listServices: (c: Docker, o?: CallOptions) => listGet(c, '/services', {}, o),
  swarmInspect: (c: Docker, o?: CallOptions) => engineGet(c, '/swarm', one({ optional: { Spec: 'object' } }), o) as Promise<{ Spec?: unknown }>,
  listSecrets: (c: Docker, o?: CallOptions) => listGet(c, '/secrets', {}, o) as Promise<unknown[]>,
};

/**
 * Opens GET /events (endless by design) and emits each event object as 'data'. Memory stays
 * bounded: one event line may hold at most MAX_EVENT_BYTES (past it the stream fails with
 * EngineResponseTooLarge and the connection is closed), and parsed events are handed on as they
 * arrive, so the only backlog is the one partial line. Lines that are not events are skipped.
 * `deadlineMs` bounds the wait for the response headers only. destroy() closes it.
 */
export async function engineEvents(client: Docker, query: CallOptions['query'], options: { deadlineMs?: number; maxLineBytes?: number } = {}): Promise<Readable> {
  const maxLine = options.maxLineBytes ?? MAX_EVENT_BYTES;
  const controller = new AbortController();
  const deadlineMs = options.deadlineMs ?? API_DEADLINE_MS;
  const timer = setTimeout(() => controller.abort(), deadlineMs);
  let res: IncomingMessage;
  try {
    res = await engineStream(client, '/events', { signal: controller.signal, query });
  } catch (e) {
    if (controller.signal.aborted) throw Object.assign(new Error(`GET /events sent no answer within ${deadlineMs} ms; request abandoned`), { code: 'ETIMEDOUT' });
    throw e;
  } finally {
    clearTimeout(timer);
  }
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const lines = new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, done) {
      let start = 0;
      for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
        pending.push(chunk.subarray(start, newline));
        const event = parseEngineEvent(parseJson(Buffer.concat(pending).toString()));
        pending = [];
        pendingBytes = 0;
        start = newline + 1;
        if (event) this.push(event);
      }
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLine) {
        pending = [];
        done(new EngineResponseTooLarge('one GET /events event', maxLine));
        return;
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
      done();
    },
  });
  // Either side failing or being destroyed closes both (and the socket).
  pipeline(res, lines, () => undefined);
  return lines;
}

/** One event of the /events stream, or undefined when it is not an event object (skip it). */
export function parseEngineEvent(value: unknown): { Type?: string; Action?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } } | undefined {
  if (shapeProblem(value, SHAPES.event)) return undefined;
  const actor = (value as { Actor?: unknown }).Actor;
  if (actor !== undefined && actor !== null && shapeProblem(actor, { optional: { ID: 'string', Attributes: 'object' } })) return undefined;
  return value as ReturnType<typeof parseEngineEvent>;
}
