import type Docker from 'dockerode';

/**
 * Every read from a Docker engine goes through engineGet: an overall deadline per call (the
 * request is destroyed on expiry, not only after an idle gap: an engine that sends one byte every
 * 2 s never idles), URL-escaped object names, and a small shape check of the answer so a hostile
 * or broken engine gives "unexpected response" instead of a TypeError deep in a check.
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
  containerSummary: { required: { Id: 'string' }, optional: { Names: 'array', Labels: 'object', State: 'string' } },
  containerInspect: { required: { Id: 'string' }, optional: { Name: 'string', State: 'object', Config: 'object', HostConfig: 'object', Mounts: 'array', ExecIDs: 'array', NetworkSettings: 'object', AppArmorProfile: 'string' } },
  imageSummary: { required: { Id: 'string' }, optional: { RepoTags: 'array' } },
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

/**
 * GET `path` (already escaped) within the deadline. Rejects with an ETIMEDOUT error on expiry
 * (the request and its response stream are destroyed), with docker-modem's error on an HTTP
 * error status (statusCode set), or with EngineResponseError when `check` finds a wrong shape.
 */
export async function engineGet(client: Docker, path: string, check: (value: unknown) => string | undefined, options: CallOptions = {}): Promise<unknown> {
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
    const value = await new Promise<unknown>((resolve, reject) => {
      (client.modem as unknown as { dial(o: object, cb: (err: unknown, data: unknown) => void): void }).dial(
        // docker-modem appends `options` as the query string to a path ending in "?".
        { path: options.query ? `${path}?` : path, options: options.query, method: 'GET', abortSignal: controller.signal, statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such object', 500: 'server error' } },
        (err, data) => (err ? reject(err) : resolve(data)),
      );
    });
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

/** The typed reads Bulkhead makes; each validates its answer's shape. */
export const engineApi = {
  version: (c: Docker, o?: CallOptions) => engineGet(c, '/version', one(SHAPES.version), o) as Promise<EngineVersion>,
  info: (c: Docker, o?: CallOptions) => engineGet(c, '/info', one(SHAPES.info), o) as Promise<Record<string, unknown>>,
  listContainers: (c: Docker, o?: CallOptions) => engineGet(c, '/containers/json', list(SHAPES.containerSummary), { ...o, query: { all: true } }) as Promise<{ Id: string; Names?: string[]; Image?: string; State?: string }[]>,
  inspectContainer: (c: Docker, idOrName: string, o?: CallOptions) => engineGet(c, `/containers/${pathSegment(idOrName)}/json`, one(SHAPES.containerInspect), o),
  topContainer: (c: Docker, id: string, psArgs: string, o?: CallOptions) => engineGet(c, `/containers/${pathSegment(id)}/top`, one(SHAPES.top), { ...o, query: { ps_args: psArgs } }) as Promise<{ Titles?: string[]; Processes?: string[][] }>,
  listImages: (c: Docker, o?: CallOptions) => engineGet(c, '/images/json', list(SHAPES.imageSummary), o) as Promise<{ Id: string; RepoTags?: string[] }[]>,
  inspectImage: (c: Docker, id: string, o?: CallOptions) => engineGet(c, `/images/${pathSegment(id)}/json`, one(SHAPES.imageInspect), o) as Promise<{ Id: string; Created?: string; Config?: unknown }>,
  imageHistory: (c: Docker, id: string, o?: CallOptions) => engineGet(c, `/images/${pathSegment(id)}/history`, list(SHAPES.historyItem), o) as Promise<{ CreatedBy?: string }[]>,
  listNetworks: (c: Docker, o?: CallOptions) => engineGet(c, '/networks', list(SHAPES.network), o),
  inspectExec: (c: Docker, id: string, o?: CallOptions) => engineGet(c, `/exec/${pathSegment(id)}/json`, one(SHAPES.execInspect), o) as Promise<{ ID: string; ContainerID?: string; Privileged?: boolean; ProcessConfig?: { privileged?: boolean; user?: string } }>,
  listNodes: (c: Docker, o?: CallOptions) => engineGet(c, '/nodes', list({}), o),
  listServices: (c: Docker, o?: CallOptions) => engineGet(c, '/services', list({}), o),
  swarmInspect: (c: Docker, o?: CallOptions) => engineGet(c, '/swarm', one({ optional: { Spec: 'object' } }), o) as Promise<{ Spec?: unknown }>,
  listSecrets: (c: Docker, o?: CallOptions) => engineGet(c, '/secrets', list({}), o) as Promise<unknown[]>,
};

/** One event of the /events stream, or undefined when it is not an event object (skip it). */
export function parseEngineEvent(value: unknown): { Type?: string; Action?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } } | undefined {
  if (shapeProblem(value, SHAPES.event)) return undefined;
  const actor = (value as { Actor?: unknown }).Actor;
  if (actor !== undefined && actor !== null && shapeProblem(actor, { optional: { ID: 'string', Attributes: 'object' } })) return undefined;
  return value as ReturnType<typeof parseEngineEvent>;
}
