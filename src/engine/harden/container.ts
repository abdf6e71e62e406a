import { stringify } from 'yaml';
import { shellQuote } from '../output/shell-quote';
import { containerMounts, containerPorts, hostConfigOf, type ContainerInspect } from '../runtime/container';
import { escapeInterpolation } from '../runtime/hardened';
import { judgeSecret } from '../runtime/secrets';

/**
 * A running container as a compose service, for `bulkhead harden --container` when it was not
 * started from a compose file on this machine: what it runs and how it is configured (image,
 * command, user, environment, ports, mounts, privileges), nothing hardened yet — the trial
 * observes it as it is. And the way back: a compose service as a `docker run` command.
 */

/** Splits a compose string command the way compose does (shlex: quotes and backslashes). */
export function splitCommand(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      any = true;
    } else if (/\s/.test(ch)) {
      if (cur || any) out.push(cur);
      cur = '';
      any = false;
    } else cur += ch;
  }
  if (cur || any) out.push(cur);
  return out;
}

export type ComposeServiceObject = Record<string, unknown>;

const asList = (v: string[] | string | null | undefined): string[] | undefined => (Array.isArray(v) ? v : typeof v === 'string' && v ? [v] : undefined);

/** The service key for a container name (compose service names: letters, digits, `.`, `_`, `-`). */
export function serviceNameOf(inspect: ContainerInspect): string {
  return (inspect.Name ?? '').replace(/^\//, '').replace(/[^A-Za-z0-9._-]/g, '-') || 'app';
}

/** The container's configuration as a compose service, secrets included (the trial needs them; `withoutSecretValues` before showing it). */
export function composeServiceFromInspect(inspect: ContainerInspect): ComposeServiceObject {
  const config = inspect.Config ?? {};
  const host = hostConfigOf(inspect);
  const service: ComposeServiceObject = { image: config.Image ?? '' };
  const entrypoint = asList(config.Entrypoint);
  const command = asList(config.Cmd);
  // Exec form always: the engine stores both already split.
  if (entrypoint) service.entrypoint = entrypoint;
  if (command) service.command = command;
  if (config.User) service.user = config.User;
  if (config.WorkingDir) service.working_dir = config.WorkingDir;
  if (config.Env?.length) service.environment = config.Env;
  const ports = containerPorts(inspect).map((p) => {
    const ip = p.hostIp && p.hostIp !== '0.0.0.0' && p.hostIp !== '::' ? `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp}:` : '';
    const hostPart = p.hostPort ? `${ip}${p.hostPort}:` : ip ? `${ip}:` : '';
    return `${hostPart}${p.containerPort}${p.protocol === 'tcp' ? '' : `/${p.protocol}`}`;
  });
  if (ports.length) service.ports = ports;
  const volumes = containerMounts(inspect)
    .filter((m) => m.destination && (m.type === 'bind' || m.type === 'volume'))
    .map((m) => `${m.type === 'volume' ? (m.name ?? m.source) : m.source}:${m.destination}${m.rw ? '' : ':ro'}`);
  if (volumes.length) service.volumes = volumes;
  const tmpfs = Object.entries(host.Tmpfs ?? {}).map(([path, opts]) => (opts ? `${path}:${opts}` : path));
  if (tmpfs.length) service.tmpfs = tmpfs;
  if (host.Privileged) service.privileged = true;
  if (host.CapAdd?.length) service.cap_add = host.CapAdd;
  if (host.CapDrop?.length) service.cap_drop = host.CapDrop;
  // An inline seccomp profile (the engine stores its JSON) cannot be carried in a compose file.
  const securityOpt = (host.SecurityOpt ?? []).filter((o) => !/^seccomp[=:]\s*\{/.test(o));
  if (securityOpt.length) service.security_opt = securityOpt;
  if (host.ReadonlyRootfs) service.read_only = true;
  if (host.Memory) service.mem_limit = host.Memory;
  if (host.PidsLimit && host.PidsLimit > 0) service.pids_limit = host.PidsLimit;
  const health = config.Healthcheck?.Test;
  if (health?.length) service.healthcheck = health[0] === 'NONE' ? { disable: true } : { test: health };
  return service;
}

/** The service with secret environment values replaced by their names (passed from the caller's environment). */
export function withoutSecretValues(service: ComposeServiceObject): ComposeServiceObject {
  const env = service.environment;
  if (!Array.isArray(env)) return service;
  return {
    ...service,
    environment: (env as string[]).map((entry) => {
      const eq = entry.indexOf('=');
      return eq !== -1 && judgeSecret(entry.slice(0, eq), entry.slice(eq + 1)) ? entry.slice(0, eq) : entry;
    }),
  };
}

/** A compose file holding one service. YAML 1.1 quoting, so docker-compose 1.x (PyYAML) reads `no`, `80:80` as written. */
export function composeFileText(name: string, service: ComposeServiceObject): string {
  return stringify({ services: { [name]: escapeInterpolation(service) } }, { lineWidth: 0, version: '1.1' });
}

const stringsOf = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
/** A command or entrypoint in either form, as its words. */
const wordsOf = (v: unknown): string[] => (typeof v === 'string' ? splitCommand(v) : stringsOf(v));

/** `docker run` arguments (no shell involved) for a compose service as `docker-compose config` or this module writes it. */
export function dockerRunArgs(name: string, service: ComposeServiceObject): string[] {
  const args = ['run', '-d', '--name', name];
  const flag = (key: string, option: string) => stringsOf(service[key]).forEach((v) => args.push(option, v));
  if (service.user !== undefined) args.push('--user', String(service.user));
  if (service.working_dir !== undefined) args.push('-w', String(service.working_dir));
  flag('cap_drop', '--cap-drop');
  flag('cap_add', '--cap-add');
  flag('security_opt', '--security-opt');
  if (service.privileged === true) args.push('--privileged');
  if (service.read_only === true) args.push('--read-only');
  flag('tmpfs', '--tmpfs');
  flag('volumes', '-v');
  for (const p of Array.isArray(service.ports) ? (service.ports as unknown[]) : []) {
    // Long syntax (docker-compose config writes it): {target, published, host_ip, protocol}.
    const long = p as { target?: number; published?: number | string; host_ip?: string; protocol?: string };
    const published = long.published !== undefined ? `${long.host_ip ? `${long.host_ip}:` : ''}${long.published}:` : '';
    args.push('-p', typeof p === 'object' && p ? `${published}${long.target}${long.protocol && long.protocol !== 'tcp' ? `/${long.protocol}` : ''}` : String(p));
  }
  const env = service.environment;
  if (Array.isArray(env)) flag('environment', '-e');
  else if (env && typeof env === 'object') for (const [k, v] of Object.entries(env)) args.push('-e', v === null || v === undefined ? k : `${k}=${String(v)}`);
  if (service.mem_limit !== undefined) args.push('--memory', String(service.mem_limit));
  if (service.pids_limit !== undefined) args.push('--pids-limit', String(service.pids_limit));
  if (typeof service.restart === 'string' && service.restart !== 'no') args.push('--restart', service.restart);
  const health = service.healthcheck as { test?: string[] | string; interval?: string; timeout?: string; retries?: number; start_period?: string; disable?: boolean } | undefined;
  if (health?.disable) args.push('--no-healthcheck');
  else if (health?.test) {
    const [kind, ...rest] = stringsOf(health.test);
    // --health-cmd always runs through the image's shell: an exec-form test becomes its quoted words.
    const cmd = kind === 'CMD' ? rest.map(shellQuote).join(' ') : kind === 'CMD-SHELL' ? rest.join(' ') : [kind, ...rest].join(' ');
    if (cmd) args.push('--health-cmd', cmd);
    if (health.interval) args.push('--health-interval', health.interval);
    if (health.timeout) args.push('--health-timeout', health.timeout);
    if (health.retries !== undefined) args.push('--health-retries', String(health.retries));
    if (health.start_period) args.push('--health-start-period', health.start_period);
  }
  const [entry, ...entryArgs] = wordsOf(service.entrypoint);
  if (entry !== undefined) args.push('--entrypoint', entry);
  args.push(String(service.image ?? ''), ...entryArgs, ...wordsOf(service.command));
  return args;
}

/** The `docker run` command line for POSIX sh, every argument quoted. */
export function dockerRunCommand(name: string, service: ComposeServiceObject): string {
  return `docker ${dockerRunArgs(name, service).map(shellQuote).join(' ')}`;
}
