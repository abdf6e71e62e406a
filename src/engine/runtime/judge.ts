// The judgements shared by compose services and containers' inspect data, so one rule id means
// the same thing whichever target it looks at. Inputs are plain strings/numbers, already
// extracted from YAML nodes or inspect JSON. Secret names and values: secrets.ts; engine
// defaults (capabilities, ulimits per engine): engine-defaults.ts.

import { DEFAULT_CAPABILITIES, type EngineKind } from './engine-defaults';

/** Capabilities that amount to root on the host (or close) when granted: never carried over. */
export const DANGEROUS_CAPABILITIES: readonly string[] = [
  'ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_PTRACE', 'SYS_RAWIO', 'DAC_READ_SEARCH', 'SYS_BOOT', 'NET_ADMIN', 'BPF', 'PERFMON', 'SYS_TIME', 'MAC_ADMIN', 'MAC_OVERRIDE',
  // Host-wide kernel state: the audit rules, process accounting, the kernel log, immutable files, other processes' memory images.
  'AUDIT_CONTROL', 'SYS_PACCT', 'SYSLOG', 'LINUX_IMMUTABLE', 'CHECKPOINT_RESTORE',
];

/** `cap_sys_admin`, `CAP_SYS_ADMIN`, `sys_admin` → `SYS_ADMIN`. */
export function normalizeCapability(cap: string): string {
  return cap.trim().toUpperCase().replace(/^CAP_/, '');
}

/** Added capabilities outside the engine's default set (ALL included). */
export function capabilitiesBeyondDefault(capAdd: readonly string[], engine: EngineKind = 'docker'): string[] {
  return capAdd.map(normalizeCapability).filter((c) => c && !DEFAULT_CAPABILITIES[engine].includes(c));
}

export function isDangerousCapability(cap: string): boolean {
  return DANGEROUS_CAPABILITIES.includes(normalizeCapability(cap));
}

export function dropsAllCapabilities(capDrop: readonly string[]): boolean {
  return capDrop.some((c) => normalizeCapability(c) === 'ALL');
}

/** Effective capability set: the engine's default + added − dropped; privileged or ALL means every one. */
export function effectiveCapabilities(privileged: boolean, capAdd: readonly string[], capDrop: readonly string[], engine: EngineKind = 'docker'): 'ALL' | string[] {
  const add = capAdd.map(normalizeCapability);
  if (privileged || add.includes('ALL')) return 'ALL';
  const drop = new Set(capDrop.map(normalizeCapability));
  const base = drop.has('ALL') ? [] : DEFAULT_CAPABILITIES[engine].filter((c) => !drop.has(c));
  return [...new Set([...base, ...add])].sort();
}

/** A security option as compose or the engine writes it: `seccomp=unconfined`, `seccomp:unconfined`, `label:disable`. */
function parseSecurityOpt(opt: string): { name: string; value: string } {
  // [\s\S]: an inlined seccomp profile spans lines.
  const m = /^([a-z-]+)(?:[=:]([\s\S]*))?$/i.exec(opt.trim());
  return m ? { name: m[1].toLowerCase(), value: (m[2] ?? '').trim() } : { name: opt.trim(), value: '' };
}

export type Confinement = 'seccomp' | 'apparmor' | 'selinux';

/** Which confinement a security option switches off, if it does. */
export function unconfinedBy(opt: string): Confinement | undefined {
  const { name, value } = parseSecurityOpt(opt);
  if (name === 'seccomp' && value === 'unconfined') return 'seccomp';
  if (name === 'apparmor' && value === 'unconfined') return 'apparmor';
  if (name === 'label' && (value === 'disable' || value === 'type:spc_t' || value === 'type=spc_t')) return 'selinux';
  return undefined;
}

export const CONFINEMENT_CIS: Record<Confinement, string> = { seccomp: '5.22', apparmor: '5.2', selinux: '5.3' };

/** true when an option enables no-new-privileges, false when it explicitly disables it, else undefined. */
export function noNewPrivilegesOption(opt: string): boolean | undefined {
  const { name, value } = parseSecurityOpt(opt);
  if (name !== 'no-new-privileges') return undefined;
  return value === '' || /^true$/i.test(value);
}

/** Seccomp state from the options: default (no option), custom profile, or unconfined. */
export function seccompState(opts: readonly string[]): 'default' | 'custom' | 'unconfined' {
  for (const o of opts) {
    const { name, value } = parseSecurityOpt(o);
    if (name === 'seccomp') return value === 'unconfined' ? 'unconfined' : 'custom';
  }
  return 'default';
}

export type HostNamespace = 'network' | 'pid' | 'ipc' | 'uts' | 'userns';
export const NAMESPACE_CIS: Record<HostNamespace, string> = { network: '5.10', pid: '5.16', ipc: '5.17', uts: '5.21', userns: '5.31' };

/** `host` (and for network also `host` spelled any case) shares the host's namespace. */
export function sharesHostNamespace(mode: string | undefined): boolean {
  return !!mode && mode.trim().toLowerCase() === 'host';
}

const SENSITIVE_DIRECTORIES = ['/', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/proc', '/sys', '/usr', '/bin', '/sbin', '/root', '/var/lib/docker', '/var/lib/kubelet', '/var/lib/containerd', '/var/log'];

function normalizePath(path: string): string {
  const p = path.replace(/\/+/g, '/').replace(/\/\.$/, '');
  return p.length > 1 ? p.replace(/\/$/, '') : p;
}

/**
 * A host path that exposes the host when mounted: the sensitive directory itself (`root`), or a
 * path below one. undefined for anything else (named volumes, project-relative paths, /srv/app…).
 */
export function sensitiveHostPath(source: string): { directory: string; whole: boolean } | undefined {
  if (!source.startsWith('/')) return undefined;
  const p = normalizePath(source);
  if (p === '/') return { directory: '/', whole: true };
  for (const dir of SENSITIVE_DIRECTORIES) {
    if (dir === '/') continue;
    if (p === dir) return { directory: dir, whole: true };
    if (p.startsWith(dir + '/')) return { directory: dir, whole: false };
  }
  return undefined;
}

/**
 * What a host bind mount (by its source) is, for the rules and the hardened command alike:
 * a container engine's API socket (docker-socket: Docker, containerd, CRI-O, Podman — the same
 * root-equivalent power), another host service's socket (host-socket: the display, audio, the
 * system bus, a database, an SSH agent — a door into that service, not root on the host), a
 * sensitive host directory (sensitive-mount: an error read-write, a warning read-only when it is
 * the whole directory), or undefined when harmless (a read-only file below /etc such as
 * localtime, a project directory, a named volume). `:ro` changes nothing for a socket: connecting
 * to it is not a write to the mount.
 */
export type HostMountVerdict =
  | { rule: 'docker-socket' }
  | { rule: 'host-socket'; service: HostSocketService }
  | { rule: 'sensitive-mount'; directory: string; whole: boolean; severity: 'error' | 'warning' };

export function judgeHostMount(source: string, readOnly: boolean): HostMountVerdict | undefined {
  if (isEngineSocket(source)) return { rule: 'docker-socket' };
  const service = hostSocketService(source);
  if (service) return { rule: 'host-socket', service };
  const sensitive = sensitiveHostPath(source);
  if (!sensitive || (readOnly && !sensitive.whole)) return undefined;
  return { rule: 'sensitive-mount', ...sensitive, severity: readOnly ? 'warning' : 'error' };
}

/** The Docker (or containerd/CRI-O/Podman) API socket, or a directory that contains it. */
function isEngineSocket(source: string): boolean {
  if (!source.startsWith('/')) return false;
  const p = normalizePath(source);
  return (
    /(?:^|\/)(?:docker|containerd|crio|podman|dockershim|cri-dockerd)\.sock$/.test(p) ||
    ['/var/run', '/run', '/var/run/docker', '/run/docker', '/run/containerd', '/var/run/containerd', '/run/crio', '/var/run/crio', '/run/podman', '/var/run/podman'].includes(p)
  );
}

export type HostSocketService = 'x11' | 'audio' | 'wayland' | 'dbus-system' | 'dbus-session' | 'mysql' | 'postgresql' | 'ssh-agent';

/** What a container that can reach each host service's socket can do; the rule's messages say it. */
export const HOST_SOCKET_POWER: Record<HostSocketService, string> = {
  x11: "the host's X display: read keystrokes, take screenshots and type into other windows",
  audio: "the host's sound server: record the microphone",
  wayland: "the host's Wayland compositor: see and drive the user's session",
  'dbus-system': "the host's system bus: ask systemd, polkit and NetworkManager to act on the host",
  'dbus-session': "the user's session bus: start programs and read secrets as that user",
  mysql: "the host's MySQL server: socket logins trust the caller's uid, and root in the container is uid 0",
  postgresql: "the host's PostgreSQL server: peer logins trust the caller's uid",
  'ssh-agent': "an SSH agent: sign in anywhere the agent's keys are accepted",
};

/** Sockets (or the directories holding them) of host services other than a container engine. */
const HOST_SOCKETS: [RegExp, HostSocketService][] = [
  [/^\/tmp\/\.X11-unix(?:\/X\d+)?$/, 'x11'],
  [/^\/(?:var\/)?run\/user\/\d+\/(?:pulse(?:\/native)?|pipewire-\d+)$/, 'audio'],
  [/^\/(?:var\/)?run\/pulse(?:\/native)?$/, 'audio'],
  [/^\/(?:var\/)?run\/user\/\d+\/wayland-\d+$/, 'wayland'],
  [/^\/(?:var\/)?run\/dbus(?:\/system_bus_socket)?$/, 'dbus-system'],
  [/^\/(?:var\/)?run\/user\/\d+\/bus$/, 'dbus-session'],
  [/(?:^|\/)mysqld?\.sock$|^\/(?:var\/)?run\/mysqld$/, 'mysql'],
  [/(?:^|\/)\.s\.PGSQL\.\d+$|^\/(?:var\/)?run\/postgresql$/, 'postgresql'],
  [/(?:^|\/)ssh-auth\.sock$|^\/tmp\/ssh-[^/]+\/agent\.\d+$/, 'ssh-agent'],
];

function hostSocketService(source: string): HostSocketService | undefined {
  if (!source.startsWith('/')) return undefined;
  const p = normalizePath(source);
  return HOST_SOCKETS.find(([pattern]) => pattern.test(p))?.[1];
}

export function isSharedPropagation(propagation: string | undefined): boolean {
  return !!propagation && /^r?shared$/i.test(propagation.trim());
}

/** `''`, `0.0.0.0`, `::`, `[::]`: a published port listening on every interface. */
export function bindsAllInterfaces(hostIp: string | undefined): boolean {
  const ip = (hostIp ?? '').trim().replace(/^\[|\]$/g, '');
  return ip === '' || ip === '0.0.0.0' || ip === '::';
}

/** The lowest port of `80`, `8000-8010`; undefined for empty or random ports. */
function lowestPort(ports: string | number | undefined): number | undefined {
  if (ports === undefined || ports === '') return undefined;
  const m = /^(\d+)(?:-(\d+))?$/.exec(String(ports).trim());
  return m ? Number(m[1]) : undefined;
}

/** Host ports below 1024 need privileges on the host (CIS 5.8); port 0 means "any". */
export function isPrivilegedHostPort(ports: string | number | undefined): boolean {
  const low = lowestPort(ports);
  return low !== undefined && low > 0 && low < 1024;
}

export interface PortSpec {
  hostIp?: string;
  hostPort?: string;
  containerPort: string;
  protocol: string;
}

/** Compose short syntax: `80`, `8080:80`, `127.0.0.1:8080:80`, `127.0.0.1::80`, `[::1]:80:80/udp`, `8000-8010:8000-8010`. */
export function parseShortPort(spec: string): PortSpec | undefined {
  const m = /^(?:(?:(\[[^\]]*\]|[^:[\]]*):)?([\d-]*):)?([\d-]+)(?:\/(\w+))?$/.exec(spec.trim());
  if (!m) return undefined;
  const [, hostIp, hostPort, containerPort, protocol] = m;
  return { hostIp: hostIp?.replace(/^\[|\]$/g, ''), hostPort: hostPort === undefined || hostPort === '' ? undefined : hostPort, containerPort, protocol: (protocol ?? 'tcp').toLowerCase() };
}

/** Whether a TCP port range (`22`, `20-25`) includes port 22 (SSH). */
export function includesSshPort(ports: string | undefined, protocol = 'tcp'): boolean {
  const m = /^(\d+)(?:-(\d+))?$/.exec((ports ?? '').trim());
  if (!m || protocol.toLowerCase() !== 'tcp') return false;
  const low = Number(m[1]);
  const high = m[2] ? Number(m[2]) : low;
  return low <= 22 && 22 <= high;
}

/** CIS 5.15: `always`/`unless-stopped` restart forever; on-failure should cap retries (5). */
export function restartPolicyProblem(name: string | undefined, maxRetries?: number): string | undefined {
  const n = (name ?? '').trim().toLowerCase();
  if (n === 'always' || n === 'unless-stopped') return `restart policy "${n}" restarts a crashing container forever`;
  if (n === 'on-failure' && maxRetries !== undefined && (maxRetries <= 0 || maxRetries > 5)) {
    return maxRetries <= 0 ? 'restart policy "on-failure" has no retry limit' : `restart policy "on-failure" allows ${maxRetries} retries (more than 5)`;
  }
  return undefined;
}

/** `root`, `0`, `0:0`, `root:wheel`, or nothing set (the image's default, root unless it says otherwise). */
export function isRootUser(user: string | undefined): boolean {
  const name = (user ?? '').trim().split(':')[0];
  return name === '' || name === 'root' || name === '0';
}

/** A reference's tag/digest state: `latest`, `untagged`, `tagged` (no digest) or `pinned`. */
export function imagePinning(reference: string): { state: 'latest' | 'untagged' | 'tagged' | 'pinned'; tag?: string } {
  const ref = reference.trim();
  if (/@sha256:[0-9a-f]{64}$/i.test(ref)) return { state: 'pinned' };
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash + 1);
  if (colon === -1) return { state: 'untagged' };
  const tag = ref.slice(colon + 1);
  return tag === 'latest' ? { state: 'latest', tag } : { state: 'tagged', tag };
}

/**
 * Protections a tmpfs mount's options switch off. The engine mounts every tmpfs (`--tmpfs`,
 * compose `tmpfs:`, `--mount type=tmpfs`) noexec,nosuid,nodev unless an option says `exec`,
 * `suid` or `dev` (seen on the real engine: /proc/mounts), so only those are findings.
 */
export function tmpfsProtectionsOff(options: string): string[] {
  const opts = options.split(',').map((o) => o.trim().toLowerCase());
  return ['exec', 'suid', 'dev'].filter((o) => opts.includes(o)).map((o) => `no${o}`);
}
