import { readFileSync } from 'node:fs';

/** Linux capability names by bit number (include/uapi/linux/capability.h), without the CAP_ prefix. */
const CAPABILITY_NAMES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID',
  'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];

/** Decodes a /proc status capability mask (hex, e.g. "00000000a80425fb") into names; unknown bits as CAP_<n>. */
export function decodeCapabilityMask(hex: string): string[] | undefined {
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex.trim())) return undefined;
  const mask = BigInt(`0x${hex.trim()}`);
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((mask >> BigInt(bit)) & 1n) names.push(CAPABILITY_NAMES[bit] ?? `CAP_${bit}`);
  }
  return names;
}

/** The capability sets of a live process, as the kernel applies them. */
export interface LiveCapabilities {
  pid: number;
  effective: string[];
  permitted: string[];
  bounding: string[];
  /** Seccomp mode from /proc: 0 disabled, 1 strict, 2 filter. */
  seccomp?: number;
  noNewPrivs?: boolean;
}

/** Parses the text of /proc/<pid>/status; undefined when it lacks the capability lines. */
export function parseProcStatus(pid: number, text: string): LiveCapabilities | undefined {
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(text)?.[1];
  const effective = decodeCapabilityMask(field('CapEff') ?? '');
  const permitted = decodeCapabilityMask(field('CapPrm') ?? '');
  const bounding = decodeCapabilityMask(field('CapBnd') ?? '');
  if (!effective || !permitted || !bounding) return undefined;
  const seccomp = field('Seccomp');
  const nnp = field('NoNewPrivs');
  return {
    pid,
    effective,
    permitted,
    bounding,
    ...(seccomp !== undefined ? { seccomp: Number(seccomp) } : {}),
    ...(nnp !== undefined ? { noNewPrivs: nnp === '1' } : {}),
  };
}

/**
 * Reads the capability sets of a container's main process from /proc, when this machine can see
 * it: the pid must belong to the container (its cgroup names the container id), which rules out
 * engines in a VM or another pid namespace. Undefined when not visible.
 */
export async function readLiveCapabilities(pid: number | undefined, containerId: string, procRoot = '/proc'): Promise<LiveCapabilities | undefined> {
  if (!pid || pid <= 0 || process.platform !== 'linux') return undefined;
  try {
    // /proc reads are in-kernel and take microseconds: synchronous beats a thread-pool hop each.
    const cgroup = readFileSync(`${procRoot}/${pid}/cgroup`, 'utf8');
    if (!cgroup.includes(containerId)) return undefined;
    return parseProcStatus(pid, readFileSync(`${procRoot}/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}
