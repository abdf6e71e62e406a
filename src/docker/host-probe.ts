// Gathers the host audit's evidence: the Engine API (few calls, in parallel, counted) and, for an
// engine on this machine, dockerd's real configuration, host files, audit rules, mounts and LSM state.
import type Docker from 'dockerode';
import { effectiveDaemonConfig, parseDockerdFlags } from '../engine/audit/daemon-config';
import { FIXED_HOST_PATHS } from '../engine/audit';
import type { AuditEvidence, DaemonEvidence, EngineFlavor, FileEvidence, HostEvidence, MountEntry } from '../engine/audit/model';
import type { EngineTarget } from './connection';
import { engineApi } from './engine-api';
import { systemProbe, type HostProbe } from './host-probe-system';

export type { HostProbe } from './host-probe-system';

export interface GatherOptions {
  probe?: HostProbe;
  signal?: AbortSignal;
  onProgress?: (message: string, increment: number) => void;
  env?: NodeJS.ProcessEnv;
  /** Treat the engine as remote even when its socket is here (tests of the remote path). */
  forceRemote?: boolean;
  /** Run no programs (auditctl); defaults to what allowHostPrograms() last set (allowed). */
  noExec?: boolean;
  /** Overall deadline of each Engine API call (default API_DEADLINE_MS). */
  deadlineMs?: number;
}

// Whether the audit may run host programs (auditctl). The extension turns it off while the
// workspace is untrusted: the manifest promises that nothing is executed there.
let hostProgramsAllowed = true;
export function allowHostPrograms(allowed: boolean): void {
  hostProgramsAllowed = allowed;
}

export class AuditCancelled extends Error {
  constructor() {
    super('audit cancelled');
  }
}

const errMsg = (e: unknown) => ((e as NodeJS.ErrnoException)?.code ? `${(e as NodeJS.ErrnoException).code}: ${(e as Error).message}` : (e as Error)?.message ?? String(e));

/** Runs `tasks` with at most `limit` in flight (keeps a big engine from being flooded). */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await task(items[i]);
      }
    }),
  );
  return out;
}

function unixSocketPath(host: string): string | undefined {
  if (!host.startsWith('unix://')) return undefined;
  return decodeURIComponent(host.slice('unix://'.length));
}

export async function gatherEvidence(client: Docker, target: EngineTarget, options: GatherOptions = {}): Promise<AuditEvidence> {
  const probe = options.probe ?? systemProbe;
  const env = options.env ?? process.env;
  let apiCalls = 0;
  const errors: string[] = [];
  const check = () => {
    if (options.signal?.aborted) throw new AuditCancelled();
  };
  const api = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
    check();
    apiCalls++;
    try {
      return await call();
    } catch (e) {
      errors.push(`${what}: ${errMsg(e)}`);
      return undefined;
    }
  };
  const progress = (m: string, inc: number) => options.onProgress?.(m, inc);

  progress('Asking the engine', 5);
  const call = { signal: options.signal, deadlineMs: options.deadlineMs };
  // One info, one version, one container list, one image list, one network list, all at once.
  const [info, version, list, imageList, networks] = await Promise.all([
    api('info', () => engineApi.info(client, call) as Promise<AuditEvidence['info']>),
    api('version', () => engineApi.version(client, call) as Promise<AuditEvidence['version']>),
    api('containers', () => engineApi.listContainers(client, call)),
    api('images', () => engineApi.listImages(client, call)),
    api('networks', () => engineApi.listNetworks(client, call) as Promise<AuditEvidence['networks']>),
  ]);
  progress('Inspecting containers and images', 25);
  const [containers, images] = await Promise.all([
    pool(list ?? [], 16, (c) => api(`inspect container ${c.Id.slice(0, 12)}`, async () => (await engineApi.inspectContainer(client, c.Id, call)) as AuditEvidence['containers'][number])),
    pool(imageList ?? [], 16, async (i) => {
      const [inspect, history] = await Promise.all([
        api(`inspect image ${i.Id.slice(7, 19)}`, () => engineApi.inspectImage(client, i.Id, call)),
        api(`history ${i.Id.slice(7, 19)}`, () => engineApi.imageHistory(client, i.Id, call)),
      ]);
      return { Id: i.Id, RepoTags: i.RepoTags, Created: inspect?.Created, Config: inspect?.Config as AuditEvidence['images'][number]['Config'], history: history?.map((h) => ({ CreatedBy: h.CreatedBy })) };
    }),
  ]);
  const inspected = containers.filter((c): c is NonNullable<typeof c> => !!c);
  const execIds = inspected.flatMap((c) => (Array.isArray(c.ExecIDs) ? c.ExecIDs : []).filter((id): id is string => typeof id === 'string').map((id) => ({ id, container: c.Id })));
  const execs = (
    await pool(execIds, 16, (e) =>
      api(`exec ${e.id.slice(0, 12)}`, async () => {
        const x = await engineApi.inspectExec(client, e.id, call);
        return { ID: x.ID, ContainerID: x.ContainerID ?? e.container, Privileged: x.Privileged ?? x.ProcessConfig?.privileged, User: x.ProcessConfig?.user };
      }),
    )
  ).filter((x): x is NonNullable<typeof x> => !!x);

  let swarm: AuditEvidence['swarm'];
  if (info?.Swarm?.LocalNodeState === 'active' && info.Swarm.ControlAvailable) {
    progress('Reading the swarm', 10);
    const [nodes, services, spec, secrets] = await Promise.all([
      api('nodes', () => engineApi.listNodes(client, call)),
      api('services', () => engineApi.listServices(client, call)),
      api('swarm', () => engineApi.swarmInspect(client, call)),
      api('secrets', () => engineApi.listSecrets(client, call)),
    ]);
    swarm = { nodes: nodes as never, services: services as never, spec: spec?.Spec as never, secrets: secrets?.length };
  }

  const flavor = engineFlavor(info, version);
  const socket = unixSocketPath(target.host);
  const local = !options.forceRemote && !!socket && (await probe.exists(socket));
  check();
  let host: HostEvidence | undefined;
  if (local && socket) {
    progress('Reading host configuration', 30);
    host = await gatherHostEvidence(probe, socket, inspected, info, { noExec: options.noExec ?? !hostProgramsAllowed });
  }
  progress('Checking', 20);
  return {
    engine: { host: target.host, local, flavor },
    apiCalls,
    info,
    version,
    containers: inspected,
    execs,
    images,
    networks: networks ?? [],
    swarm,
    clientEnv: { DOCKER_CONTENT_TRUST: env.DOCKER_CONTENT_TRUST },
    errors,
    host,
  };
}

export function engineFlavor(info: AuditEvidence['info'], version: AuditEvidence['version']): EngineFlavor {
  if (version?.Components?.some((c) => /podman/i.test(c.Name))) return 'podman';
  if (!info && !version) return 'unknown';
  if (info?.SecurityOptions?.includes('name=rootless')) return 'rootless-docker';
  return 'docker';
}

// /var/run is a symlink to /run on every current distribution.
const sameSocket = (a: string, b: string) => a.replace(/^\/var\/run\//, '/run/') === b.replace(/^\/var\/run\//, '/run/');

async function dockerdArgv(probe: HostProbe, pid: string): Promise<string[] | undefined> {
  const raw = await probe.readFile(`/proc/${pid}/cmdline`).catch(() => '');
  const argv = raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
  return argv.length && /(^|\/)dockerd$/.test(argv[0]) ? argv : undefined;
}

async function findDaemon(probe: HostProbe, socket: string): Promise<DaemonEvidence> {
  // Fast path: the default pidfile names the system engine's dockerd (one read instead of a /proc scan).
  const pidfile = (await probe.readFile('/var/run/docker.pid').catch(() => '')).trim();
  const fromPidfile = /^\d+$/.test(pidfile) ? await dockerdArgv(probe, pidfile) : undefined;
  if (fromPidfile) {
    const found = await daemonServing(probe, socket, [{ pid: Number(pidfile), argv: fromPidfile }]);
    if (found) return found;
  }
  let pids: string[];
  try {
    pids = (await probe.readdir('/proc')).filter((n) => /^\d+$/.test(n));
  } catch (e) {
    return { configPath: '/etc/docker/daemon.json', error: `cannot list processes: ${errMsg(e)}` };
  }
  const candidates: { pid: number; argv: string[] }[] = [];
  await pool(pids, 32, async (pid) => {
    const argv = await dockerdArgv(probe, pid);
    if (argv) candidates.push({ pid: Number(pid), argv });
  });
  return (
    (await daemonServing(probe, socket, candidates.sort((a, b) => a.pid - b.pid))) ?? {
      configPath: '/etc/docker/daemon.json',
      error: candidates.length ? `no dockerd process serves ${socket}` : 'dockerd process not found (rootless engines run under another user; Podman has none)',
    }
  );
}

/** The first candidate whose flags + daemon.json make it listen on `socket`. */
async function daemonServing(probe: HostProbe, socket: string, candidates: { pid: number; argv: string[] }[]): Promise<DaemonEvidence | undefined> {
  for (const c of candidates) {
    const flags = parseDockerdFlags(c.argv);
    // Rootless dockerd (under rootlesskit) defaults to the user's runtime and config directories.
    const environ = await probe.readFile(`/proc/${c.pid}/environ`).catch(() => '');
    const penv = Object.fromEntries(environ.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const rootless = flags.get('rootless') === true || !!penv.ROOTLESSKIT_STATE_DIR;
    const defaultConfig = rootless && (penv.XDG_CONFIG_HOME || penv.HOME) ? `${penv.XDG_CONFIG_HOME || `${penv.HOME}/.config`}/docker/daemon.json` : '/etc/docker/daemon.json';
    const defaultSocket = rootless && penv.XDG_RUNTIME_DIR ? `${penv.XDG_RUNTIME_DIR}/docker.sock` : '/var/run/docker.sock';
    const configPath = typeof flags.get('config-file') === 'string' ? (flags.get('config-file') as string) : defaultConfig;
    let configText: string | undefined;
    let configError: string | undefined;
    try {
      configText = await probe.readFile(configPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') configError = errMsg(e);
    }
    const merged = effectiveDaemonConfig(c.argv, configText);
    const hosts = ([] as unknown[]).concat(merged.settings.get('hosts')?.value ?? []).map(String);
    const sockets = hosts.length ? hosts.map((h) => unixSocketPath(h) ?? (h.startsWith('fd://') ? defaultSocket : '')).filter(Boolean) : [defaultSocket];
    if (sockets.some((s) => sameSocket(s, socket))) {
      const binary = await probe.readlink(`/proc/${c.pid}/exe`).catch(() => undefined);
      return { pid: c.pid, cmdline: c.argv, binary: binary?.replace(/ \(deleted\)$/, ''), configPath, configText, configError };
    }
  }
  return undefined;
}

function parseColonFile(text: string): string[][] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
}

export function parseMountInfo(text: string): MountEntry[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (f.length < 10 || dash < 6) continue;
    out.push({ device: f[2], root: unescape(f[3]), mountPoint: unescape(f[4]), fsType: f[dash + 1], source: unescape(f[dash + 2] ?? '') });
  }
  return out;
}

async function firstExisting(probe: HostProbe, paths: string[]): Promise<string | undefined> {
  for (const p of paths) if (await probe.exists(p)) return p;
  return undefined;
}

async function processNames(probe: HostProbe, rootPid: number): Promise<string[]> {
  const names: string[] = [];
  const queue = [rootPid];
  while (queue.length && names.length < 200) {
    const pid = queue.shift() as number;
    names.push((await probe.readFile(`/proc/${pid}/comm`).catch(() => '')).trim());
    const tasks = await probe.readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
    for (const t of tasks) {
      const children = await probe.readFile(`/proc/${pid}/task/${t}/children`).catch(() => '');
      queue.push(...children.split(/\s+/).filter(Boolean).map(Number));
    }
  }
  return names.filter(Boolean);
}

async function listeners(probe: HostProbe, port: number): Promise<string[] | undefined> {
  const out: string[] = [];
  let any = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await probe.readFile(file).catch(() => undefined);
    if (text === undefined) continue;
    any = true;
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || f[3] !== '0A') continue;
      const [addrHex, portHex] = f[1].split(':');
      if (parseInt(portHex, 16) !== port) continue;
      const addr = addrHex.length === 8 ? addrHex.match(/../g)!.reverse().map((h) => parseInt(h, 16)).join('.') : /^0+$/.test(addrHex) ? '::' : addrHex;
      out.push(`${addr}:${port}`);
    }
  }
  return any ? out : undefined;
}

/** The host half of the evidence, for an engine whose socket is on this machine. */
export async function gatherHostEvidence(
  probe: HostProbe,
  socket: string,
  containers: AuditEvidence['containers'],
  info: AuditEvidence['info'],
  options: { noExec?: boolean } = {},
): Promise<HostEvidence> {
  const [passwd, group] = await Promise.all([probe.readFile('/etc/passwd').catch(() => ''), probe.readFile('/etc/group').catch(() => '')]);
  const users = new Map(parseColonFile(passwd).map((f) => [Number(f[2]), f[0]]));
  const groups = new Map(parseColonFile(group).map((f) => [Number(f[2]), f[0]]));
  const dockerGroup = parseColonFile(group).find((f) => f[0] === 'docker');
  const dockerGroupMembers = dockerGroup
    ? [...new Set([...(dockerGroup[3] ?? '').split(',').filter(Boolean), ...parseColonFile(passwd).filter((f) => f[3] === dockerGroup[2]).map((f) => f[0])])]
    : undefined;

  const daemon = await findDaemon(probe, socket);
  const unitDirs = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];
  const [service, unitSocket, containerdSocket] = await Promise.all([
    firstExisting(probe, unitDirs.map((d) => `${d}/docker.service`)),
    firstExisting(probe, unitDirs.map((d) => `${d}/docker.socket`)),
    firstExisting(probe, ['/run/containerd/containerd.sock', '/var/run/docker/containerd/containerd.sock']),
  ]);
  const merged = daemon.cmdline ? effectiveDaemonConfig(daemon.cmdline, daemon.configText) : undefined;
  const tlsFiles = ['tlscacert', 'tlscert', 'tlskey'].map((k) => merged?.settings.get(k)?.value).filter((v): v is string => typeof v === 'string' && v !== '');

  const stat = async (path: string): Promise<FileEvidence> => {
    try {
      const s = await probe.stat(path);
      return { path, exists: true, type: s.type, mode: s.mode, uid: s.uid, gid: s.gid, owner: users.get(s.uid), group: groups.get(s.gid) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR' ? { path, exists: false } : { path, exists: false, error: errMsg(e) };
    }
  };
  const paths = [...new Set([...FIXED_HOST_PATHS, daemon.configPath, socket, info?.DockerRootDir ?? '/var/lib/docker', daemon.binary ?? (daemon.cmdline?.[0]?.startsWith('/') ? daemon.cmdline[0] : '/usr/bin/dockerd'), ...tlsFiles, ...[service, unitSocket, containerdSocket].filter((p): p is string => !!p)])];
  const files = Object.fromEntries((await Promise.all(paths.map(stat))).map((f) => [f.path, f]));

  // /etc/docker/certs.d/<registry>/<file>
  let registryCertFiles: FileEvidence[] | undefined;
  const registries = await probe.readdir('/etc/docker/certs.d').catch(() => undefined);
  if (registries) {
    const nested = await Promise.all(registries.map(async (r) => (await probe.readdir(`/etc/docker/certs.d/${r}`).catch(() => [] as string[])).map((f) => `/etc/docker/certs.d/${r}/${f}`)));
    registryCertFiles = await Promise.all(nested.flat().map(stat));
  }

  // Audit rules: the loaded set (`auditctl -l`) is what the kernel enforces; the files under
  // /etc/audit/rules.d (and audit.rules) only say what would load at the next boot or reload.
  const onDisk = { rules: [] as string[], files: [] as string[] };
  const ruleFiles = ((await probe.readdir('/etc/audit/rules.d').catch(() => [] as string[])).filter((f) => f.endsWith('.rules')).map((f) => `/etc/audit/rules.d/${f}`)).concat('/etc/audit/audit.rules');
  for (const f of ruleFiles) {
    const text = await probe.readFile(f).catch(() => undefined);
    if (text === undefined) continue;
    onDisk.files.push(f);
    onDisk.rules.push(...text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
  }
  const rules: string[] = [];
  const sources: string[] = [];
  let auditError: string | undefined;
  if (options.noExec) {
    auditError = 'not run: the workspace is not trusted, so the audit runs no programs (auditctl)';
  } else {
    try {
      const live = await probe.run('auditctl', ['-l']);
      sources.push('auditctl -l');
      rules.push(...live.split('\n').map((l) => l.trim()).filter((l) => l && l !== 'No rules'));
    } catch (e) {
      auditError = errMsg(e);
    }
  }

  let mounts: MountEntry[] | undefined;
  let mountsError: string | undefined;
  try {
    mounts = parseMountInfo(await probe.readFile('/proc/self/mountinfo'));
  } catch (e) {
    mountsError = errMsg(e);
  }

  const apparmorEnabled = await probe.readFile('/sys/module/apparmor/parameters/enabled').then((t) => t.trim(), () => undefined);
  const apparmorFs = await probe.exists('/sys/kernel/security/apparmor');
  const apparmor: HostEvidence['apparmor'] = apparmorFs && apparmorEnabled !== 'N' ? 'enabled' : apparmorEnabled === 'N' ? 'disabled' : 'absent';
  const enforce = await probe.readFile('/sys/fs/selinux/enforce').then((t) => t.trim(), () => undefined);
  const selinux: HostEvidence['selinux'] = enforce === '1' ? 'enforcing' : enforce === '0' ? 'permissive' : 'absent';

  const containerProcesses: Record<string, string[]> = {};
  await pool(containers.filter((c) => c.State?.Running && c.State.Pid), 8, async (c) => {
    containerProcesses[c.Id] = await processNames(probe, c.State!.Pid as number);
  });

  return {
    isRoot: probe.isRoot(),
    daemon,
    files,
    registryCertFiles,
    auditRules: { rules, sources, error: auditError, onDisk },
    mounts,
    mountsError,
    apparmor,
    selinux,
    dockerGroupMembers,
    units: { service, socket: unitSocket, containerdSocket, dockerSocket: socket },
    containerProcesses,
    swarmListeners: info?.Swarm?.LocalNodeState === 'active' ? await listeners(probe, 2377) : undefined,
  };
}
