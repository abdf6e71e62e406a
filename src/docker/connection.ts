import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { homedir, userInfo } from 'node:os';
import { join, posix } from 'node:path';
import Docker from 'dockerode';
import { boundModem, engineApi, EngineResponseError, EngineResponseTooLarge, sizeLabel } from './engine-api';
import type { EngineKind } from '../engine/runtime/engine-defaults';

/**
 * The one place Bulkhead reaches a Docker engine. It resolves the engine the way the docker CLI
 * does (DOCKER_HOST, DOCKER_CONTEXT, the config's currentContext, context metadata and TLS
 * material), finds Podman's and rootless Docker's sockets, and turns connection failures into
 * states with a message and a hint instead of exceptions.
 */
export interface EngineTarget {
  /** A DOCKER_HOST-style address: unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host. */
  host: string;
  /** Where the address came from, for messages: "DOCKER_HOST", "context foo", "default socket". */
  source: string;
  /** TLS material for tcp:// engines (PEM file paths); absent for plain connections. */
  tls?: EngineTls;
  /** Set when resolution itself failed (e.g. a context that does not exist): connecting reports it. */
  resolutionError?: string;
}

export interface EngineTls {
  /** Verify the server certificate against `ca` (DOCKER_TLS_VERIFY, or a context without SkipTLSVerify). */
  verify: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

/** What resolution may look at besides the environment: tests pass a temp root. */
export interface HostSystem {
  platform: NodeJS.Platform;
  homedir: string;
  /** Text of a file, or undefined when it cannot be read. */
  readText(path: string): string | undefined;
  exists(path: string): boolean;
  isSocket(path: string): boolean;
}

/** The real machine; with `root`, absolute paths are looked up below it (tests). */
export function nodeSystem(root = ''): HostSystem {
  const at = (p: string) => (root ? join(root, p) : p);
  return {
    platform: process.platform,
    homedir: homedir(),
    readText(p) {
      try {
        return readFileSync(at(p), 'utf8');
      } catch {
        return undefined;
      }
    },
    exists(p) {
      try {
        statSync(at(p));
        return true;
      } catch {
        return false;
      }
    },
    isSocket(p) {
      try {
        return statSync(at(p)).isSocket();
      } catch {
        return false;
      }
    },
  };
}

type Env = Record<string, string | undefined>;

const DEFAULT_UNIX_SOCKET = 'unix:///var/run/docker.sock';
const DEFAULT_NPIPE = 'npipe:////./pipe/docker_engine';

/** The docker CLI's config directory: $DOCKER_CONFIG or ~/.docker. */
function dockerConfigDir(env: Env, sys: HostSystem): string {
  return env.DOCKER_CONFIG || join(env.HOME || sys.homedir, '.docker');
}

/** Context store directories are named by the sha256 of the context name (docker/cli store). */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/**
 * The engine the docker CLI would talk to, in its order: DOCKER_HOST, then DOCKER_CONTEXT, then
 * `currentContext` of config.json, else the default socket. Never throws.
 */
export function resolveDefaultEngine(env: Env = process.env, sys: HostSystem = nodeSystem()): EngineTarget {
  if (env.DOCKER_HOST) return withEnvTls({ host: normalizeHost(env.DOCKER_HOST, tlsWanted(env)), source: 'DOCKER_HOST' }, env, sys);
  const configDir = dockerConfigDir(env, sys);
  let name = env.DOCKER_CONTEXT;
  let from = 'DOCKER_CONTEXT';
  if (!name) {
    const configText = sys.readText(join(configDir, 'config.json'));
    if (configText !== undefined) {
      try {
        const config = JSON.parse(configText) as { currentContext?: unknown };
        if (typeof config.currentContext === 'string' && config.currentContext) {
          name = config.currentContext;
          from = `currentContext in ${join(configDir, 'config.json')}`;
        }
      } catch (e) {
        return { host: defaultHost(sys), source: 'default socket', resolutionError: `${join(configDir, 'config.json')} is not valid JSON: ${(e as Error).message}` };
      }
    }
  }
  if (!name || name === 'default') return withEnvTls({ host: defaultHost(sys), source: 'default socket' }, env, sys);
  return contextEngine(name, from, configDir, sys);
}

function contextEngine(name: string, from: string, configDir: string, sys: HostSystem): EngineTarget {
  const dir = contextDirName(name);
  const metaPath = join(configDir, 'contexts', 'meta', dir, 'meta.json');
  const source = `context ${name}`;
  const text = sys.readText(metaPath);
  if (text === undefined) {
    return { host: defaultHost(sys), source, resolutionError: `docker context "${name}" (from ${from}) does not exist: ${metaPath} not found` };
  }
  let endpoint: { Host?: unknown; SkipTLSVerify?: unknown } | undefined;
  try {
    const meta = JSON.parse(text) as { Endpoints?: Record<string, { Host?: unknown; SkipTLSVerify?: unknown }> };
    endpoint = meta.Endpoints?.docker;
  } catch (e) {
    return { host: defaultHost(sys), source, resolutionError: `docker context "${name}": ${metaPath} is not valid JSON: ${(e as Error).message}` };
  }
  if (!endpoint || typeof endpoint.Host !== 'string' || !endpoint.Host) {
    return { host: defaultHost(sys), source, resolutionError: `docker context "${name}" has no docker endpoint host in ${metaPath}` };
  }
  const tlsDir = join(configDir, 'contexts', 'tls', dir, 'docker');
  const pem = (file: string) => (sys.exists(join(tlsDir, file)) ? join(tlsDir, file) : undefined);
  const ca = pem('ca.pem');
  const cert = pem('cert.pem');
  const key = pem('key.pem');
  const target: EngineTarget = { host: normalizeHost(endpoint.Host, Boolean(ca || cert)), source };
  if (ca || cert || key || endpoint.SkipTLSVerify === true) {
    target.tls = { verify: endpoint.SkipTLSVerify !== true, ca, cert, key };
  }
  return target;
}

function tlsWanted(env: Env): boolean {
  return Boolean(env.DOCKER_TLS_VERIFY) || Boolean(env.DOCKER_TLS);
}

/** DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH apply to the default context only, like the CLI. */
function withEnvTls(target: EngineTarget, env: Env, sys: HostSystem): EngineTarget {
  if (!tlsWanted(env) || !target.host.startsWith('tcp://')) return target;
  const certDir = env.DOCKER_CERT_PATH || dockerConfigDir(env, sys);
  if (!sys.exists(certDir)) {
    return { ...target, resolutionError: `the TLS certificate directory ${certDir} (${env.DOCKER_CERT_PATH ? 'DOCKER_CERT_PATH' : 'default, DOCKER_CERT_PATH unset'}) does not exist` };
  }
  const pem = (file: string) => (sys.exists(join(certDir, file)) ? join(certDir, file) : undefined);
  return { ...target, tls: { verify: Boolean(env.DOCKER_TLS_VERIFY), ca: pem('ca.pem'), cert: pem('cert.pem'), key: pem('key.pem') } };
}

function defaultHost(sys: HostSystem): string {
  return sys.platform === 'win32' ? DEFAULT_NPIPE : DEFAULT_UNIX_SOCKET;
}

/** The CLI accepts `host:port` and `tcp://host` and fills the port (2376 with TLS, else 2375). */
export function normalizeHost(host: string, tls = false): string {
  const trimmed = host.trim();
  if (trimmed.startsWith('/')) return `unix://${trimmed}`;
  if (!trimmed.includes('://')) return normalizeHost(`tcp://${trimmed}`, tls);
  if (trimmed.startsWith('tcp://')) {
    try {
      const url = new URL(trimmed);
      if (!url.port) return `tcp://${url.hostname}:${tls ? 2376 : 2375}${url.pathname === '/' ? '' : url.pathname}`;
    } catch {
      return trimmed;
    }
  }
  return trimmed;
}

/**
 * Every engine to show: the CLI's default, Podman's and rootless Docker's sockets when they exist,
 * and the `bulkhead.engines` setting, without duplicates (first source wins).
 */
export function discoverEngines(extra: readonly unknown[] = [], env: Env = process.env, sys: HostSystem = nodeSystem()): EngineTarget[] {
  const found: EngineTarget[] = [resolveDefaultEngine(env, sys)];
  if (sys.platform !== 'win32') {
    const runtimeDir = env.XDG_RUNTIME_DIR;
    const sockets: [string, string][] = [];
    if (runtimeDir) {
      sockets.push([posix.join(runtimeDir, 'docker.sock'), 'rootless Docker']);
      sockets.push([posix.join(runtimeDir, 'podman', 'podman.sock'), 'Podman (rootless)']);
    }
    sockets.push(['/run/podman/podman.sock', 'Podman']);
    for (const [path, source] of sockets) if (sys.isSocket(path)) found.push({ host: `unix://${path}`, source });
  }
  for (const address of extra) {
    if (typeof address !== 'string' || !address.trim()) continue;
    found.push({ host: normalizeHost(address), source: 'bulkhead.engines setting' });
  }
  const seen = new Set<string>();
  return found.filter((t) => {
    const key = engineKey(t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Identity of an engine address (unix:///var/run/docker.sock and /var/run/docker.sock are one). */
export function engineKey(target: EngineTarget): string {
  const host = normalizeHost(target.host);
  if (host.startsWith('unix://')) return `unix://${posix.normalize(host.slice('unix://'.length))}`;
  return host;
}

/** A short name for one engine, for tree roots and CLI output. */
export function engineLabel(target: EngineTarget): string {
  const ctx = /^context (.+)$/.exec(target.source);
  if (ctx) return `${ctx[1]} (${target.host})`;
  return target.host;
}

export interface ClientOptions {
  /**
   * Milliseconds a request may stay idle before it fails; 0 for streams (events). Calls through
   * engineGet have an overall deadline shorter than this default, which is only a backstop.
   */
  timeoutMs?: number;
}

/**
 * A dockerode client for one engine, every answer read to a cap (boundModem). Throws (with a
 * clear message) only on an unusable address.
 */
export function createClient(target: EngineTarget, options: ClientOptions = {}): Docker {
  return boundModem(unboundedClient(target, options));
}

function unboundedClient(target: EngineTarget, options: ClientOptions): Docker {
  if (target.resolutionError) throw new EngineAddressError(target.resolutionError);
  const timeout = options.timeoutMs ?? 30000;
  // docker-modem merges its own DOCKER_HOST/DOCKER_CERT_PATH defaults under ours: name every key
  // so the environment never overrides the engine chosen here.
  const base: Docker.DockerOptions = { host: undefined, port: undefined, socketPath: undefined, ca: undefined, cert: undefined, key: undefined, timeout: timeout || undefined };
  const host = normalizeHost(target.host);
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new EngineAddressError(`not a Docker engine address: ${target.host} (expected unix://, tcp://, ssh:// or npipe://)`);
  }
  switch (url.protocol) {
    case 'unix:': {
      const socketPath = decodeURIComponent(host.slice('unix://'.length)) || '/var/run/docker.sock';
      return new Docker({ ...base, socketPath });
    }
    case 'npipe:': {
      const pipe = host.slice('npipe://'.length) || '//./pipe/docker_engine';
      return new Docker({ ...base, socketPath: pipe.replace(/\//g, '\\') });
    }
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const tls = target.tls;
      const useTls = url.protocol === 'https:' || Boolean(tls);
      const opts: Docker.DockerOptions = { ...base, host: url.hostname, port: Number(url.port || (useTls ? 2376 : 2375)), protocol: useTls ? 'https' : 'http' };
      if (tls) {
        const read = (p: string | undefined) => {
          if (!p) return undefined;
          try {
            return readFileSync(p);
          } catch (e) {
            throw new EngineAddressError(`TLS material for ${target.host} cannot be read: ${(e as Error).message}`);
          }
        };
        opts.ca = read(tls.ca);
        opts.cert = read(tls.cert);
        opts.key = read(tls.key);
        // SkipTLSVerify: encrypt, but accept any server certificate (what the CLI does).
        if (!tls.verify) (opts as Record<string, unknown>).agent = new HttpsAgent({ rejectUnauthorized: false });
      }
      return new Docker(opts);
    }
    case 'ssh:': {
      // docker-modem runs `docker system dial-stdio` on the remote host over ssh2. Its channel is
      // not a net.Socket (no setTimeout), so no request timeout here: connectEngine bounds the wait.
      return new Docker({
        ...base,
        timeout: undefined,
        protocol: 'ssh',
        host: url.hostname,
        port: Number(url.port || 22),
        // Like the docker CLI (and ssh itself): no user in the address means the local user.
        username: decodeURIComponent(url.username) || localUser(),
        sshOptions: { agent: process.env.SSH_AUTH_SOCK },
      });
    }
    default:
      throw new EngineAddressError(`unsupported engine address ${target.host} (expected unix://, tcp://, ssh:// or npipe://)`);
  }
}

export class EngineAddressError extends Error {}

function localUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || undefined;
  }
}

export type EngineProblemKind = 'notRunning' | 'permissionDenied' | 'tls' | 'timeout' | 'badAddress' | 'error';

/** A connection failure as a state for the tree and CLI: what happened and how to fix it. */
export interface EngineProblem {
  kind: EngineProblemKind;
  message: string;
  hint?: string;
}

function socketOf(target: EngineTarget): string {
  return target.host.replace(/^unix:\/\//, '');
}

/** Classifies an error from dockerode/docker-modem (or createClient) into a problem. */
export function classifyEngineError(err: unknown, target: EngineTarget): EngineProblem {
  const e = (err ?? {}) as { code?: string; message?: string; statusCode?: number; reason?: string };
  const code = String(e.code ?? '');
  const message = String(e.message ?? err);
  if (err instanceof EngineAddressError) {
    return { kind: /TLS/.test(message) ? 'tls' : 'badAddress', message, hint: 'Check DOCKER_HOST, DOCKER_CONTEXT (`docker context ls`) and the bulkhead.engines setting.' };
  }
  if (target.host.startsWith('ssh://') && /authentication|permission denied \(publickey/i.test(message)) {
    return {
      kind: 'error',
      message: `ssh authentication to ${target.host} failed: ${message}`,
      hint: 'Load a key the host accepts into ssh-agent (ssh-add; SSH_AUTH_SOCK must be set), and check `ssh user@host docker version` works.',
    };
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return {
      kind: 'permissionDenied',
      message: `Permission denied on the Docker socket ${socketOf(target)}.`,
      hint: 'Add your user to the docker group (`sudo usermod -aG docker $USER`, then log out and in again), or use rootless Docker (`dockerd-rootless-setuptool.sh install`, then DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock).',
    };
  }
  if (err instanceof EngineResponseTooLarge) {
    return {
      kind: 'error',
      message: `The engine's answer to ${err.what} at ${target.host} was larger than ${sizeLabel(err.maxBytes)}; Bulkhead stopped reading it.`,
      hint: 'A Docker engine does not answer this much: check that the address is a Docker (or Podman) Engine API, not another service or a broken proxy.',
    };
  }
  if (err instanceof EngineResponseError) {
    return { kind: 'error', message: `The engine at ${target.host} returned an unexpected response: ${message.replace(/^the engine returned an unexpected response to /, '')}`, hint: 'Is this address a Docker (or Podman) Engine API? Check DOCKER_HOST / --engine.' };
  }
  const tcp = /^(tcp|https?):\/\//.test(target.host);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    let name = target.host;
    try {
      name = new URL(target.host).hostname;
    } catch {
      // keep the whole address
    }
    return { kind: 'badAddress', message: `The host name ${name} of ${target.host} (${target.source}) does not resolve (DNS: ${code}).`, hint: 'Check the spelling of the host name and your DNS settings.' };
  }
  if (tcp && !target.tls && (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(message))) {
    return {
      kind: 'tls',
      message: `The engine at ${target.host} closed the connection on a plain HTTP request (${code || message}): the port probably expects TLS.`,
      hint: 'Set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (or use a context with TLS material), or use the engine\'s plain port (2375).',
    };
  }
  if (e.statusCode === 400 && /HTTP request to an HTTPS server/i.test(message)) {
    return {
      kind: 'tls',
      message: `The engine at ${target.host} speaks TLS but was asked in plain HTTP.`,
      hint: 'Set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (or use a context with TLS material) for this port.',
    };
  }
  if (target.tls && (/wrong version number|packet length too long|unknown protocol/i.test(message) || code === 'ERR_SSL_WRONG_VERSION_NUMBER')) {
    return {
      kind: 'tls',
      message: `TLS handshake with ${target.host} failed: the port answers without TLS (plain HTTP?).`,
      hint: 'Use tcp://HOST:2375 without DOCKER_TLS_VERIFY for a plain port, or the engine\'s TLS port (2376).',
    };
  }
  if (tcp && target.tls && (code === 'ECONNRESET' || /socket hang up|disconnected before secure TLS connection/i.test(message))) {
    return {
      kind: 'tls',
      message: `TLS handshake with ${target.host} failed: the server closed the connection (${code || message}); the port may not speak TLS, or it rejected the client certificate.`,
      hint: 'Check that the port is the engine\'s TLS port and the client certificate (cert.pem/key.pem) is signed by its CA.',
    };
  }
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'EHOSTUNREACH') {
    return {
      kind: 'notRunning',
      message: `No Docker engine answers at ${target.host} (${target.source}): ${code === 'ENOENT' ? 'the socket does not exist' : code === 'ECONNREFUSED' ? 'connection refused' : code}.`,
      hint: 'Start the engine (`sudo systemctl start docker`, Docker Desktop, or `podman system service`), then Retry.',
    };
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || /timed? ?out/i.test(message)) {
    return { kind: 'timeout', message: `The Docker engine at ${target.host} did not answer in time (${message}).`, hint: 'The engine may be overloaded or the network slow; Retry.' };
  }
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|EPROTO)/.test(code) || /certificate|TLS|SSL|HTTPS server/i.test(message)) {
    return {
      kind: 'tls',
      message: `TLS failure talking to ${target.host}: ${message}`,
      hint: 'Check DOCKER_TLS_VERIFY/DOCKER_CERT_PATH or the context\'s TLS material (ca.pem, cert.pem, key.pem).',
    };
  }
  return { kind: 'error', message: `Docker engine at ${target.host} failed: ${message}` };
}

/**
 * A deadline for the calls dockerode makes itself (create, remove, archive, export start): the
 * caller stops waiting on expiry. Reads go through engineGet (engine-api.ts), which also destroys
 * the request.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export type EngineConnection = { ok: true; client: Docker; version: string; apiVersion: string; engineKind: EngineKind } | { ok: false; problem: EngineProblem };

/** Podman's Docker-compatible API names itself in /version's Components. */
function engineKindOf(version: { Components?: unknown }): EngineKind {
  const components = Array.isArray(version.Components) ? version.Components : [];
  return components.some((c) => typeof (c as { Name?: unknown })?.Name === 'string' && /^podman engine$/i.test((c as { Name: string }).Name)) ? 'podman' : 'docker';
}

// What connectEngine learnt about each client, so later calls on it (the Containers view's
// refreshes, `audit containers`) judge against the right engine without asking again.
const kindOfClient = new WeakMap<Docker, EngineKind>();

/** The kind connectEngine detected for this client; undefined for a client it did not connect. */
export function connectedEngineKind(client: Docker): EngineKind | undefined {
  return kindOfClient.get(client);
}

/** Connects and asks the engine its version; failures come back as a problem, never thrown. */
export async function connectEngine(target: EngineTarget, timeoutMs = 10000): Promise<EngineConnection> {
  try {
    const client = createClient(target);
    const version = await engineApi.version(client, { deadlineMs: timeoutMs });
    const engineKind = engineKindOf(version);
    kindOfClient.set(client, engineKind);
    return { ok: true, client, version: version.Version, apiVersion: String(version.ApiVersion ?? ''), engineKind };
  } catch (e) {
    return { ok: false, problem: classifyEngineError(e, target) };
  }
}
