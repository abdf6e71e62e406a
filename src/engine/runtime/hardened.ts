import { stringify } from 'yaml';
import { containerMounts, containerPorts, type ContainerInspect } from './container';
import { isDangerousCapability, isRootUser, judgeHostMount, normalizeCapability } from './judge';
import { judgeSecret } from './secrets';
import { shellQuote } from '../output/shell-quote';

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

const DEFAULT_MEMORY = '512m';
const DEFAULT_CPUS = '1';
const DEFAULT_PIDS = 256;
const NON_ROOT_USER = '65534:65534';

function bytes(n: number): string {
  if (n % 1073741824 === 0) return `${n / 1073741824}g`;
  if (n % 1048576 === 0) return `${n / 1048576}m`;
  if (n % 1024 === 0) return `${n / 1024}k`;
  return String(n);
}

/** The hardened re-creation of a container; every judgement is the one its rule makes. */
export function hardenedSpec(inspect: ContainerInspect): HardenedSpec {
  const host = inspect.HostConfig ?? {};
  const config = inspect.Config ?? {};
  const notes: string[] = [];
  const name = (inspect.Name ?? '').replace(/^\//, '') || undefined;

  const asList = (v: string[] | string | null | undefined) => (Array.isArray(v) ? v : typeof v === 'string' && v ? [v] : undefined);

  let user = config.User ?? '';
  if (isRootUser(user)) {
    notes.push(`runs as ${NON_ROOT_USER} (nobody) instead of root: give the image a dedicated user and put it here`);
    user = NON_ROOT_USER;
  }

  if (host.Privileged) notes.push('privileged removed');
  const capAdd = [...new Set((host.CapAdd ?? []).map(normalizeCapability))].filter((c) => {
    if (isDangerousCapability(c)) {
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
  for (const m of containerMounts(inspect)) {
    if (!m.destination) continue;
    if (m.type === 'bind') {
      const verdict = judgeHostMount(m.source, !m.rw);
      if (verdict?.rule === 'docker-socket') {
        notes.push(`engine socket mount ${m.source} removed (it is root on the host)`);
        continue;
      }
      if (verdict?.rule === 'host-socket') {
        // The service needs that socket to work, and `:ro` would not close it: kept, with a note.
        notes.push(`host ${verdict.service} socket ${m.source} kept: remove it unless the service needs it (host-socket)`);
        volumes.push(`${m.source}:${m.destination}${m.rw ? '' : ':ro'}`);
        continue;
      }
      if (verdict?.whole) {
        // Read-only or not, the whole directory exposes the host (sensitive-mount).
        notes.push(`host ${verdict.directory} mount removed: mount only the files the service needs, read-only`);
        continue;
      }
      if (verdict) notes.push(`${m.source} mounted read-only`);
      volumes.push(`${m.source}:${m.destination}${verdict || !m.rw ? ':ro' : ''}`);
    } else if (m.type === 'volume') {
      const source = m.name ?? m.source;
      volumes.push(source ? `${source}:${m.destination}${m.rw ? '' : ':ro'}` : m.destination);
    }
  }
  if ((host.Devices ?? []).length) notes.push('host devices removed');

  const ports: string[] = [];
  for (const p of containerPorts(inspect)) {
    const hostIp = !p.hostIp || p.hostIp === '0.0.0.0' || p.hostIp === '::' ? '127.0.0.1' : p.hostIp;
    if (hostIp !== p.hostIp) notes.push(`port ${p.containerPort}/${p.protocol} bound to 127.0.0.1 only`);
    const hostIpPart = hostIp.includes(':') ? `[${hostIp}]` : hostIp;
    ports.push(`${hostIpPart}:${p.hostPort}:${p.containerPort}${p.protocol === 'tcp' ? '' : `/${p.protocol}`}`);
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
    const value = eq === -1 ? undefined : entry.slice(eq + 1);
    // What secret-in-env flags is passed through from the caller's environment, never copied.
    return value === undefined || judgeSecret(envName, value) ? { name: envName } : { name: envName, value };
  });
  if (env.some((e) => e.value === undefined)) notes.push(`secrets are passed from your environment (-e NAME), not copied: set ${env.filter((e) => e.value === undefined).map((e) => e.name).join(', ')} before running`);

  if (!network) {
    notes.push('still on the default bridge: create a network (docker network create NAME) and add --network NAME');
  }
  const health = config.Healthcheck?.Test;
  if (!health || !health.length || health[0] === 'NONE') notes.push('no health check: add --health-cmd (compose: healthcheck.test) for your service');
  return {
    name,
    image: config.Image ?? '',
    entrypoint: asList(config.Entrypoint),
    command: asList(config.Cmd),
    user,
    workingDir: config.WorkingDir || undefined,
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

/** The hardened re-creation of a container as a `docker run` command line for POSIX sh, every argument quoted. */
export function hardenedRunCommand(inspect: ContainerInspect): string {
  const spec = hardenedSpec(inspect);
  const notes = spec.notes.map((n) => `# ${n.replace(/[\r\n]+/g, ' ')}\n`).join('');
  return `${notes}docker ${hardenedRunArgs(spec).map(shellQuote).join(' ')}\n`;
}

/** Compose interpolates `$NAME`: a literal dollar is written `$$`. */
export function escapeInterpolation(value: unknown): unknown {
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
