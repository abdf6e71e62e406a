import { profileFromStrace, type ObservedProfile } from '../profile';
import type { SyscallEvent } from '../profile/strace';
import type { Evidence } from './evidence';

/**
 * From what one service did in a trial run to its least-privilege compose settings. Every
 * change carries the evidence it rests on; what was left alone says why in `notes`.
 */

/** A group of changes that is kept or relaxed as a whole (cap_drop goes with cap_add). */
export type Control = 'capabilities' | 'read_only' | 'no_new_privileges' | 'user' | 'limits' | 'seccomp' | 'healthcheck' | 'ports';

/** The order controls are tried in when a regression is bisected: the most valuable first. */
export const CONTROL_ORDER: readonly Control[] = ['capabilities', 'read_only', 'no_new_privileges', 'user', 'limits', 'seccomp', 'ports', 'healthcheck'];

export type ChangeValue = string | number | boolean | string[] | Record<string, unknown>;

export interface HardenChange {
  control: Control;
  /** The compose key: cap_add, read_only, security_opt, volumes… */
  key: string;
  value: ChangeValue;
  evidence: string;
}

export interface Derivation {
  changes: HardenChange[];
  /** Controls not applied, with the evidence why. */
  notes: { control: Control; why: string }[];
  /** Named volumes the `volumes` changes refer to (top-level `volumes:` entries). */
  namedVolumes: string[];
  profile: ObservedProfile;
}

export interface DeriveOptions {
  /** How the compose file names the seccomp profile: `./web.seccomp.json`. */
  seccompPath: string;
  /** The service already has a healthcheck. */
  hasHealthcheck?: boolean;
}

const MIB = 1024 * 1024;
/** Limits are the observed peak times this factor, and never below the floors (start-up spikes vary). */
const HEADROOM = 2;
const MIN_MEMORY_BYTES = 32 * MIB;
const MIN_PIDS = 16;
/** Where files are scratch by convention: a tmpfs is right for them. */
const TEMP_DIRS = ['/tmp', '/var/tmp', '/run', '/var/run', '/var/cache', '/var/log', '/dev/shm'];
/** Top-level directories whose children, not themselves, become mount points. */
const SYSTEM_PARENTS = new Set(['/var', '/usr', '/home', '/opt', '/srv', '/usr/local', '/var/lib']);

/**
 * The directory to mount over a written path: a conventional scratch directory, or the
 * shallowest directory under / (two levels under /var, /usr…). Undefined for a file directly
 * under / or /etc-like directories where a mount would hide the image's own files.
 */
export function mountPointFor(path: string): string | undefined {
  for (const dir of TEMP_DIRS) if (path === dir || path.startsWith(`${dir}/`)) return dir;
  const parts = path.split('/').filter(Boolean);
  let mount = '';
  for (let i = 0; i < parts.length - 1; i++) {
    mount += `/${parts[i]}`;
    if (!SYSTEM_PARENTS.has(mount)) break;
  }
  if (!mount || SYSTEM_PARENTS.has(mount) || mount === '/etc' || mount === '/bin' || mount === '/sbin' || mount === '/lib' || mount === '/usr/bin') return undefined;
  return mount;
}

/** Written paths (files and created directories), without the parents Docker lists as changed. */
export function writtenPaths(changes: Evidence['changes']): string[] {
  const paths = changes.map((c) => c.path).sort();
  return paths.filter((p, i) => !(paths[i + 1]?.startsWith(`${p}/`)));
}

const pathArg = (c: SyscallEvent) => /^(?:AT_FDCWD,\s*)?"((?:[^"\\]|\\.)*)"/.exec(c.args)?.[1];

/** uids a process switched to (setuid family, succeeded, not root). */
function userSwitches(calls: readonly SyscallEvent[]): number[] {
  const uids = new Set<number>();
  for (const c of calls) {
    if (c.errno || !/^set(res|re)?uid(32)?$/.test(c.name)) continue;
    for (const arg of c.args.split(',')) {
      const uid = Number(arg.trim());
      if (Number.isInteger(uid) && uid > 0) uids.add(uid);
    }
  }
  return [...uids].sort((a, b) => a - b);
}

/** Peers of accepted connections (IPv4-mapped IPv6 written as IPv4). */
function acceptedPeers(calls: readonly SyscallEvent[]): string[] {
  const peers = new Set<string>();
  for (const c of calls) {
    if (c.errno || (c.name !== 'accept' && c.name !== 'accept4')) continue;
    const v4 = /inet_addr\("([^"]+)"\)/.exec(c.args)?.[1];
    const v6 = /inet_pton\(AF_INET6,\s*"([^"]+)"/.exec(c.args)?.[1];
    const peer = v4 ?? v6?.replace(/^::ffff:/, '');
    if (peer) peers.add(peer);
  }
  return [...peers].sort();
}

/** A short-syntax port with a host address: `IP:HOST:CONTAINER` or `[v6]:…`. */
export const hasHostIp = (port: string) => port.startsWith('[') || port.split(':').length > 2;
/** The same port published on 127.0.0.1 only. */
const loopbackPort = (port: string) => `127.0.0.1:${port.includes(':') ? '' : ':'}${port}`;

const SET_ID_CALLS: Record<string, RegExp> = { SETUID: /^set(res|re|fs)?uid(32)?$/, SETGID: /^set(res|re|fs)?gid(32)?$|^setgroups(32)?$/ };

/**
 * A root process setting its ids to root again (runc's \`docker exec\` set-up, busybox's privilege
 * drop) needs no capability: the kernel allows setuid(0) when the real uid is 0 already. Only
 * setgroups to something other than root's group counts.
 */
function rootNoOp(calls: readonly SyscallEvent[], capability: string): boolean {
  const pattern = SET_ID_CALLS[capability];
  if (!pattern) return false;
  return calls.filter((c) => !c.errno && pattern.test(c.name)).every((c) => {
    const ids = (c.name.startsWith('setgroups') ? c.args.replace(/^\s*\d+\s*,?/, '') : c.args).match(/-?\d+/g) ?? [];
    return ids.every((id) => id === '0' || id === '-1');
  });
}

const isRoot = (user: string) => user === '' || /^(0|root)(:.*)?$/.test(user);
const mib = (bytes: number) => Math.ceil(bytes / MIB);

export function deriveHardening(evidence: Evidence, options: DeriveOptions): Derivation {
  const profile = profileFromStrace(evidence.trace);
  const calls = profile.log.calls;
  const changes: HardenChange[] = [];
  const notes: Derivation['notes'] = [];
  const namedVolumes: string[] = [];
  const seconds = `${evidence.observedSeconds} s`;

  // Capabilities: Docker's default 14 down to what the trace shows was used.
  const capAdd = profile.capAdd.filter((c) => !(isRoot(evidence.configuredUser) && rootNoOp(calls, c)));
  const capEvidence = profile.capabilities
    .filter((c) => capAdd.includes(c.capability))
    .map((c) => `${c.capability}: ${c.reason} (${c.calls} call${c.calls === 1 ? '' : 's'})`);
  changes.push({ control: 'capabilities', key: 'cap_drop', value: ['ALL'], evidence: `no capability outside cap_add was used in ${seconds} of observation from start-up on` });
  changes.push({ control: 'capabilities', key: 'cap_add', value: capAdd, evidence: capEvidence.length ? capEvidence.join('; ') : 'no call that needs a capability succeeded' });
  const likely = profile.capabilities.filter((c) => !capAdd.includes(c.capability));
  if (likely.length) notes.push({ control: 'capabilities', why: `not added (denied or uncertain): ${likely.map((c) => `${c.capability} (${c.reason})`).join('; ')}` });

  // Root filesystem: read-only, with a tmpfs or a volume for each place that was written.
  const written = writtenPaths(evidence.changes);
  const unmountable = written.filter((p) => !mountPointFor(p));
  if (unmountable.length) {
    notes.push({ control: 'read_only', why: `not read-only: it writes ${unmountable.slice(0, 3).join(', ')}, where a mount would hide files of the image` });
  } else {
    const mounts = new Map<string, string[]>();
    for (const p of written) mounts.set(mountPointFor(p)!, [...(mounts.get(mountPointFor(p)!) ?? []), p]);
    changes.push({ control: 'read_only', key: 'read_only', value: true, evidence: written.length ? `writes only under ${[...mounts.keys()].join(', ')}` : `wrote nothing to its filesystem in ${seconds}` });
    const tmpfs: string[] = [];
    for (const [dir, paths] of mounts) {
      const example = paths.slice(0, 2).join(', ');
      const temp = TEMP_DIRS.includes(dir);
      const prefilled = evidence.prefilledDirs.includes(dir);
      if (temp && !prefilled) {
        tmpfs.push(dir);
        changes.push({ control: 'read_only', key: 'tmpfs', value: [dir], evidence: `wrote ${example}; ${dir} is scratch space by convention and empty in the image: tmpfs (lost on restart)` });
      } else {
        const name = `${evidence.service}${dir.replace(/[^A-Za-z0-9]+/g, '-')}`.toLowerCase();
        namedVolumes.push(name);
        const why = prefilled ? `${dir} holds files of the image, which a tmpfs would hide (a new volume starts with a copy of them)` : `${dir} is not a scratch directory, so what is written there likely must survive a restart`;
        changes.push({ control: 'read_only', key: 'volumes', value: [`${name}:${dir}`], evidence: `wrote ${example}; ${why}: named volume ${name}` });
      }
    }
  }

  // no-new-privileges: only when nothing gained privileges through a setuid/setgid file.
  const setuid = new Set(evidence.setuidFiles);
  const setuidRuns = [...new Set(calls.filter((c) => !c.errno && (c.name === 'execve' || c.name === 'execveat')).map(pathArg).filter((p): p is string => !!p && setuid.has(p)))];
  if (setuidRuns.length) notes.push({ control: 'no_new_privileges', why: `not set: it executed setuid/setgid ${setuidRuns.join(', ')}, which would run without its privileges` });
  else changes.push({ control: 'no_new_privileges', key: 'security_opt', value: ['no-new-privileges:true'], evidence: `no setuid/setgid file was executed (${evidence.setuidFiles.length} in the image)` });

  // User: non-root when root was never needed.
  const switches = userSwitches(calls);
  if (!isRoot(evidence.configuredUser)) {
    notes.push({ control: 'user', why: `already runs as ${evidence.configuredUser}` });
  } else if (switches.length) {
    notes.push({ control: 'user', why: `starts as root and switches to uid ${switches.join(', ')} itself: root is needed at start-up (${capAdd.join(', ') || 'to switch'})` });
  } else if (capAdd.some((c) => c !== 'NET_BIND_SERVICE')) {
    notes.push({ control: 'user', why: `root used ${capAdd.filter((c) => c !== 'NET_BIND_SERVICE').join(', ')} after start-up` });
  } else if (setuidRuns.length) {
    notes.push({ control: 'user', why: 'kept: it relies on setuid files' });
  } else if (namedVolumes.length) {
    // A new volume over a directory the image lacks (or owns as root) is root's: another user could not write there.
    notes.push({ control: 'user', why: `kept: it writes to ${changes.filter((c) => c.key === 'volumes').map((c) => String((c.value as string[])[0]).split(':')[1]).join(', ')} as root, and a new volume there belongs to root` });
  } else {
    const own = evidence.imageUsers.filter((u) => u.uid >= 1000 && u.uid < 65534).sort((a, b) => a.uid - b.uid)[0];
    const user = own ?? evidence.imageUsers.find((u) => u.uid === 65534) ?? { name: 'nobody', uid: 65534, gid: 65534 };
    changes.push({
      control: 'user',
      key: 'user',
      value: `${user.uid}:${user.gid}`,
      evidence: `ran as root but no call needed root${capAdd.includes('NET_BIND_SERVICE') ? ' (ports below 1024 are open to any user in Docker >= 20.10 containers)' : ''}; ${own ? `the image's own user ${user.name}` : `${user.name} (the image has no other non-root user)`}`,
    });
  }

  // Limits from the observed peaks.
  if (evidence.peakPids !== undefined && evidence.peakPids > 0) {
    const limit = Math.max(MIN_PIDS, evidence.peakPids * HEADROOM);
    changes.push({ control: 'limits', key: 'pids_limit', value: limit, evidence: `peak ${evidence.peakPids} processes/threads; ${HEADROOM}× headroom, at least ${MIN_PIDS}` });
  }
  if (evidence.peakMemoryBytes !== undefined && evidence.peakMemoryBytes > 0) {
    const limit = Math.max(mib(MIN_MEMORY_BYTES), mib(evidence.peakMemoryBytes * HEADROOM));
    changes.push({ control: 'limits', key: 'mem_limit', value: `${limit}m`, evidence: `peak memory ${(evidence.peakMemoryBytes / MIB).toFixed(1)} MiB; ${HEADROOM}× headroom, at least ${mib(MIN_MEMORY_BYTES)} MiB` });
  }

  // Seccomp: the observed calls plus the runtime's (src/engine/profile builds it).
  changes.push({
    control: 'seccomp',
    key: 'security_opt',
    value: [`seccomp=${options.seccompPath}`],
    evidence: `${profile.counts.size} distinct system calls observed from start-up on (${calls.length} calls), ${profile.seccomp.runtimeOnly.length} added for the container runtime; everything else fails with EPERM`,
  });

  // Healthcheck for the observed listener.
  const listener = [...evidence.listeners].sort((a, b) => Number(b.http) - Number(a.http) || a.port - b.port)[0];
  const tool = (name: string) => evidence.tools.find((t) => t.endsWith(`/${name}`));
  if (options.hasHealthcheck) notes.push({ control: 'healthcheck', why: 'the service has a healthcheck already' });
  else if (!listener) notes.push({ control: 'healthcheck', why: `nothing listened on a TCP port in ${seconds}` });
  else {
    const timing = { interval: '10s', timeout: '3s', retries: 3, start_period: '5s' };
    const okHttp = listener.http && listener.status !== undefined && listener.status < 400;
    const httpTool = tool('wget') ? ['wget', '-q', '-O', '/dev/null'] : tool('curl') ? ['curl', '-fsS', '-o', '/dev/null'] : undefined;
    if (okHttp && httpTool) {
      changes.push({ control: 'healthcheck', key: 'healthcheck', value: { test: ['CMD', ...httpTool, `http://127.0.0.1:${listener.port}/`], ...timing }, evidence: `port ${listener.port} answered HTTP ${listener.status} to GET /; ${httpTool[0]} is in the image` });
    } else if (tool('nc')) {
      changes.push({
        control: 'healthcheck',
        key: 'healthcheck',
        value: { test: ['CMD', 'nc', '-w', '2', '127.0.0.1', String(listener.port)], ...timing },
        evidence: `port ${listener.port} ${listener.http ? `answered HTTP ${listener.status ?? '?'} to GET /` : 'does not speak HTTP'}: a TCP connect probe with nc (in the image)`,
      });
    } else notes.push({ control: 'healthcheck', why: `port ${listener.port} listens, but the image has no ${listener.http ? 'wget, curl or nc' : 'nc'} to probe it with` });
  }

  // Published ports: loopback only when only the host connected.
  const peers = acceptedPeers(calls);
  const outside = peers.filter((p) => !evidence.hostAddresses.includes(p) && !/^127\.|^::1$/.test(p));
  const open = evidence.ports.filter((p) => !hasHostIp(p.text));
  if (open.length && outside.length) notes.push({ control: 'ports', why: `kept open to the network: ${outside.slice(0, 3).join(', ')} connected` });
  else if (open.length) {
    changes.push({
      control: 'ports',
      key: 'ports',
      value: open.map((p) => loopbackPort(p.text)),
      evidence: peers.length ? `only the host (${peers.join(', ')}) connected in ${seconds}` : `nothing connected from outside in ${seconds}`,
    });
  }
  return { changes, notes, namedVolumes, profile };
}
