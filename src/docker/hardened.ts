import { stringify } from 'yaml';
import type { ContainerInspect } from '../engine/runtime/container';

/**
 * A hardened re-creation of a live container: its configuration (image, command, env, ports,
 * mounts, limits) with the weaknesses Bulkhead reports removed. Rendered as a POSIX `docker run`
 * command or a compose service. Choices that change behaviour are listed in `notes`.
 */
export interface HardenedSpec {
  name?: string;
  image: string;
  entrypoint?: string[];
  command?: string[];
  user: string;
  workingDir?: string;
  env: { name: string; value?: string }[];
  capAdd: string[];
  securityOpt: string[];
  readOnly: true;
  tmpfs: string[];
  volumes: string[];
  ports: string[];
  network?: string;
  memory: string;
  cpus: string;
  pidsLimit: number;
  restart: string;
  healthcheck?: string[];
  notes: string[];
}

/** Capabilities that give a container (near) host-level power; never carried over. */
export const DANGEROUS_CAPS = new Set([
  'ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_BOOT', 'SYS_TIME', 'DAC_READ_SEARCH', 'NET_ADMIN',
  'MAC_ADMIN', 'MAC_OVERRIDE', 'BPF', 'PERFMON', 'LINUX_IMMUTABLE', 'SYSLOG', 'SYS_PACCT', 'AUDIT_CONTROL', 'CHECKPOINT_RESTORE',
]);

/** Host paths whose mount hands the container the host (or the engine). */
const SENSITIVE_HOST_PATHS = ['/', '/etc', '/proc', '/sys', '/dev', '/boot', '/root', '/var/lib/docker', '/run/containerd', '/lib/modules', '/usr'];
const SECRET_ENV = /pass|secret|token|key|credential|auth/i;
const DEFAULT_MEMORY = '512m';
const DEFAULT_CPUS = '1';
const DEFAULT_PIDS = 256;
const NON_ROOT_USER = '65534:65534';

function isDockerSocket(path: string): boolean {
  return /(^|\/)(docker|podman|containerd)\.sock$/.test(path) || /(^|\/)run\/docker\.sock$/.test(path);
}

function isSensitiveHostPath(path: string): boolean {
  const p = path.replace(/\/+$/, '') || '/';
  return SENSITIVE_HOST_PATHS.includes(p);
}

function isRootUser(user: string | undefined): boolean {
  if (!user) return true;
  const name = user.split(':')[0];
  return name === '' || name === 'root' || name === '0';
}

function bytes(n: number): string {
  if (n % 1073741824 === 0) return `${n / 1073741824}g`;
  if (n % 1048576 === 0) return `${n / 1048576}m`;
  if (n % 1024 === 0) return `${n / 1024}k`;
  return String(n);
}

export function hardenedSpec(inspect: ContainerInspect): HardenedSpec {
  const host = inspect.HostConfig ?? {};
  const config = inspect.Config ?? {};
  const extra: (ContainerInspect['Config'] & { Entrypoint?: string[] | string | null; Cmd?: string[] | string | null; WorkingDir?: string }) | undefined = inspect.Config;
  const notes: string[] = [];
  const name = (inspect.Name ?? '').replace(/^\//, '') || undefined;

  const asList = (v: string[] | string | null | undefined) => (Array.isArray(v) ? v : typeof v === 'string' && v ? [v] : undefined);

  let user = config.User ?? '';
  if (isRootUser(user)) {
    notes.push(`runs as ${NON_ROOT_USER} (nobody) instead of root: give the image a dedicated user and put it here`);
    user = NON_ROOT_USER;
  }

  if (host.Privileged) notes.push('privileged removed');
  const capAdd = [...new Set((host.CapAdd ?? []).map((c) => c.toUpperCase().replace(/^CAP_/, '')))].filter((c) => {
    if (DANGEROUS_CAPS.has(c)) {
      notes.push(`capability ${c} not carried over`);
      return false;
    }
    return true;
  });

  const securityOpt = ['no-new-privileges:true'];
  for (const opt of host.SecurityOpt ?? []) {
    const [key, value = ''] = opt.split(/[=:](.*)/s);
    if (key === 'no-new-privileges') continue;
    if (key === 'seccomp' && value !== 'unconfined') {
      notes.push('custom seccomp profile replaced by the default one: pass your profile file with --security-opt seccomp=PATH');
      continue;
    }
    if ((key === 'seccomp' || key === 'apparmor') && value === 'unconfined') continue;
    if (key === 'label' && value === 'disable') continue;
    if (key === 'systempaths' && value === 'unconfined') continue;
    securityOpt.push(opt);
  }

  const volumes: string[] = [];
  for (const m of inspect.Mounts ?? []) {
    const type = m.Type ?? 'bind';
    const destination = m.Destination ?? '';
    if (!destination) continue;
    if (type === 'bind') {
      const source = m.Source ?? '';
      if (isDockerSocket(source) || isDockerSocket(destination)) {
        notes.push(`engine socket mount ${source} removed (it is root on the host)`);
        continue;
      }
      if (source.replace(/\/+$/, '') === '' || source === '/') {
        notes.push('host root mount removed');
        continue;
      }
      const readOnly = isSensitiveHostPath(source) || !m.RW;
      if (isSensitiveHostPath(source) && m.RW) notes.push(`${source} mounted read-only`);
      volumes.push(`${source}:${destination}${readOnly ? ':ro' : ''}`);
    } else if (type === 'volume') {
      const source = (m as { Name?: string }).Name ?? m.Source ?? '';
      volumes.push(source ? `${source}:${destination}${m.RW === false ? ':ro' : ''}` : destination);
    }
  }
  if ((host.Devices ?? []).length) notes.push('host devices removed');

  const ports: string[] = [];
  for (const [containerPort, bindings] of Object.entries(host.PortBindings ?? {})) {
    for (const b of bindings ?? [{}]) {
      const hostIp = !b.HostIp || b.HostIp === '0.0.0.0' || b.HostIp === '::' ? '127.0.0.1' : b.HostIp;
      if (hostIp !== b.HostIp) notes.push(`port ${containerPort} bound to 127.0.0.1 only`);
      const hostIpPart = hostIp.includes(':') ? `[${hostIp}]` : hostIp;
      ports.push(`${hostIpPart}:${b.HostPort ?? ''}:${containerPort.replace(/\/tcp$/, '')}`);
    }
  }

  let network: string | undefined;
  const mode = host.NetworkMode ?? '';
  if (mode === 'host' || mode.startsWith('container:')) notes.push(`network mode ${mode} replaced by the default bridge`);
  else if (mode && mode !== 'default' && mode !== 'bridge' && mode !== 'none') network = mode;
  else if (mode === 'none') network = 'none';
  for (const [label, value] of [['pid', host.PidMode], ['ipc', host.IpcMode], ['uts', host.UTSMode], ['userns', host.UsernsMode]] as const) {
    if (value === 'host') notes.push(`host ${label} namespace removed`);
  }

  const cpus = host.NanoCpus ? String(host.NanoCpus / 1e9) : host.CpuQuota ? String(host.CpuQuota / 100000) : DEFAULT_CPUS;
  const memory = host.Memory ? bytes(host.Memory) : DEFAULT_MEMORY;
  const pidsLimit = host.PidsLimit && host.PidsLimit > 0 ? host.PidsLimit : DEFAULT_PIDS;
  if (!host.Memory || !host.PidsLimit || host.PidsLimit <= 0 || !(host.NanoCpus || host.CpuQuota)) notes.push('limits added: adjust memory, cpus and pids to the workload');

  const policy = host.RestartPolicy?.Name ?? '';
  const restart = policy === 'no' || policy === '' ? 'no' : 'on-failure:5';
  if (restart !== policy && policy !== '') notes.push(`restart policy ${policy} replaced by on-failure:5`);

  const env = (config.Env ?? []).map((entry) => {
    const eq = entry.indexOf('=');
    const envName = eq === -1 ? entry : entry.slice(0, eq);
    // Secret-looking values are passed through from the caller's environment, never copied.
    return SECRET_ENV.test(envName) || eq === -1 ? { name: envName } : { name: envName, value: entry.slice(eq + 1) };
  });
  if (env.some((e) => e.value === undefined)) notes.push('secret-looking variables are passed from your environment (-e NAME), not copied');

  if (!network) {
    notes.push('still on the default bridge: create a network (docker network create NAME) and add --network NAME');
  }
  const health = config.Healthcheck?.Test;
  if (!health || !health.length || health[0] === 'NONE') notes.push('no health check: add --health-cmd (compose: healthcheck.test) for your service');
  return {
    name,
    image: config.Image ?? '',
    entrypoint: asList(extra?.Entrypoint),
    command: asList(extra?.Cmd),
    user,
    workingDir: extra?.WorkingDir || undefined,
    env,
    capAdd,
    securityOpt,
    readOnly: true,
    tmpfs: ['/tmp:rw,noexec,nosuid,size=64m'],
    volumes,
    ports,
    network,
    memory,
    cpus,
    pidsLimit,
    restart,
    healthcheck: health && health.length && health[0] !== 'NONE' ? health : undefined,
    notes: [...new Set(notes)],
  };
}

/** Quotes one argument for POSIX sh: bare when it is made only of safe characters, else single-quoted. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The hardened container as an argument vector for `docker` (no shell involved). */
export function hardenedRunArgs(spec: HardenedSpec): string[] {
  const args = ['run', '-d'];
  if (spec.name) args.push('--name', spec.name);
  args.push('--user', spec.user, '--cap-drop', 'ALL');
  for (const c of spec.capAdd) args.push('--cap-add', c);
  for (const o of spec.securityOpt) args.push('--security-opt', o);
  args.push('--read-only');
  for (const t of spec.tmpfs) args.push('--tmpfs', t);
  args.push('--memory', spec.memory, '--cpus', spec.cpus, '--pids-limit', String(spec.pidsLimit));
  if (spec.restart !== 'no') args.push('--restart', spec.restart);
  if (spec.network) args.push('--network', spec.network);
  for (const p of spec.ports) args.push('-p', p);
  for (const v of spec.volumes) args.push('-v', v);
  for (const e of spec.env) args.push('-e', e.value === undefined ? e.name : `${e.name}=${e.value}`);
  if (spec.workingDir) args.push('-w', spec.workingDir);
  if (spec.healthcheck && spec.healthcheck[0] !== 'NONE') {
    const [kind, ...rest] = spec.healthcheck;
    if (kind === 'CMD-SHELL' && rest.length) args.push('--health-cmd', rest.join(' '));
    // --health-cmd is always run by a shell: an exec-form test becomes its quoted words.
    else if (kind === 'CMD' && rest.length) args.push('--health-cmd', rest.map(shellQuote).join(' '));
  }
  const [entry, ...entryArgs] = spec.entrypoint ?? [];
  if (entry !== undefined) args.push('--entrypoint', entry);
  args.push(spec.image, ...entryArgs, ...(spec.command ?? []));
  return args;
}

/** A `docker run` command line for POSIX sh, every argument quoted. */
export function hardenedRunCommand(inspect: ContainerInspect): string {
  const spec = hardenedSpec(inspect);
  const notes = spec.notes.map((n) => `# ${n.replace(/[\r\n]+/g, ' ')}\n`).join('');
  return `${notes}docker ${hardenedRunArgs(spec).map(shellQuote).join(' ')}\n`;
}

/** Compose interpolates `$NAME`: a literal dollar is written `$$`. */
function escapeInterpolation(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$/g, '$$$$');
  if (Array.isArray(value)) return value.map(escapeInterpolation);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeInterpolation(v)]));
  return value;
}

/** A compose service (YAML) for the hardened container, keyed by its compose service or name. */
export function hardenedComposeService(inspect: ContainerInspect, serviceName?: string): string {
  const spec = hardenedSpec(inspect);
  const service: Record<string, unknown> = { image: spec.image };
  if (spec.entrypoint) service.entrypoint = spec.entrypoint;
  if (spec.command) service.command = spec.command;
  service.user = spec.user;
  if (spec.workingDir) service.working_dir = spec.workingDir;
  service.read_only = true;
  service.tmpfs = spec.tmpfs;
  service.cap_drop = ['ALL'];
  if (spec.capAdd.length) service.cap_add = spec.capAdd;
  service.security_opt = spec.securityOpt;
  if (spec.network) service.network_mode = spec.network;
  if (spec.ports.length) service.ports = spec.ports;
  if (spec.volumes.length) service.volumes = spec.volumes;
  if (spec.env.length) service.environment = spec.env.map((e) => (e.value === undefined ? e.name : `${e.name}=${e.value}`));
  service.mem_limit = spec.memory;
  service.cpus = Number(spec.cpus);
  service.pids_limit = spec.pidsLimit;
  service.restart = spec.restart === 'on-failure:5' ? 'on-failure:5' : 'no';
  if (spec.healthcheck) service.healthcheck = { test: spec.healthcheck };
  const key = serviceName || (spec.name ?? 'app').replace(/[^A-Za-z0-9._-]/g, '-');
  const notes = spec.notes.map((n) => `# ${n.replace(/[\r\n]+/g, ' ')}\n`).join('');
  // Indented like a service inside `services:` so it can be pasted there.
  // YAML 1.1 output quotes what docker-compose 1.x (PyYAML) would misread: no, on, 80:80.
  const yaml = stringify({ [key]: escapeInterpolation(service) }, { lineWidth: 0, version: '1.1' });
  return notes + yaml.replace(/^(?=.)/gm, '  ');
}
