/**
 * Seccomp profiles in Docker's JSON format (moby profiles/seccomp/default.json): deny by default
 * with EPERM, allow a sorted list of names, the same architecture map as Docker's default.
 */

export interface SeccompRule {
  names: string[];
  action: string;
  args?: { index: number; value: number; valueTwo?: number; op: string }[];
  errnoRet?: number;
  comment?: string;
  includes?: Record<string, unknown>;
  excludes?: Record<string, unknown>;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  archMap?: { architecture: string; subArchitectures: string[] | null }[];
  architectures?: string[];
  syscalls?: SeccompRule[];
}

const ARCH_MAP: SeccompProfile['archMap'] = [
  { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
  { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
];

/**
 * What runc itself does after it has loaded the container's filter and before (and while)
 * exec'ing the process, so no observed workload shows them. Without no-new-privileges runc
 * loads the filter before dropping privileges, so the user/capability switch is in here too.
 *
 * Found by experiment on runc 1.1.5 (Docker 20.10.24, x86_64): start `docker run --cap-drop ALL
 * --security-opt seccomp=P local/busybox:test true` with a generous list and remove one name at
 * a time; each of these broke the start when removed (twice in a row), as did `docker exec`.
 */
const RUNC_SYSCALLS: readonly string[] = [
  'capget', 'capset', 'chdir', 'close', 'execve', 'exit_group', 'faccessat2', 'fstat', 'fstatfs', 'futex',
  'getcwd', 'getdents64', 'getppid', 'mmap', 'mprotect', 'newfstatat', 'openat', 'prctl', 'read',
  'sched_yield', 'set_robust_list', 'setgid', 'setgroups', 'setuid', 'stat', 'statfs', 'tgkill', 'write',
];

/**
 * runc is a Go program: its runtime threads make these at unpredictable moments (scheduling,
 * signals, memory). Rarely seen in one start, fatal when missing; kept for a stable start.
 */
const GO_RUNTIME_SYSCALLS: readonly string[] = [
  'brk', 'clone', 'epoll_ctl', 'epoll_pwait', 'exit', 'fcntl', 'getpid', 'gettid', 'madvise', 'munmap', 'nanosleep',
  'restart_syscall', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'sigaltstack',
];

/** Everything a container start needs whatever the workload (aarch64 lacks some names; libseccomp skips unknown names). */
export const RUNTIME_SYSCALLS: readonly string[] = [...new Set([...RUNC_SYSCALLS, ...GO_RUNTIME_SYSCALLS])].sort();

const SYSCALL_NAME = /^[a-z_][a-z0-9_]*$/;

export interface ProfileOptions {
  /** Add RUNTIME_SYSCALLS (default true): without them the container cannot start. */
  includeRuntime?: boolean;
  /** Extra names the user knows the application needs. */
  extra?: Iterable<string>;
}

export interface BuiltProfile {
  profile: SeccompProfile;
  /** Allowed names, sorted. */
  allowed: string[];
  /** Names added for the runtime only (not observed). */
  runtimeOnly: string[];
  /** Names that are not syscall names and were left out. */
  rejected: string[];
}

/** A deny-by-default profile allowing the observed names (plus the runtime's); deterministic. */
export function buildSeccompProfile(observed: Iterable<string>, options: ProfileOptions = {}): BuiltProfile {
  const seen = new Set<string>();
  const rejected = new Set<string>();
  for (const name of [...observed, ...(options.extra ?? [])]) {
    if (SYSCALL_NAME.test(name) && !name.startsWith('syscall_')) seen.add(name);
    else rejected.add(name);
  }
  const runtimeOnly = options.includeRuntime === false ? [] : RUNTIME_SYSCALLS.filter((n) => !seen.has(n));
  const allowed = [...seen, ...runtimeOnly].sort();
  return {
    profile: {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      archMap: ARCH_MAP,
      syscalls: [{ names: allowed, action: 'SCMP_ACT_ALLOW' }],
    },
    allowed,
    runtimeOnly: [...runtimeOnly].sort(),
    rejected: [...rejected].sort(),
  };
}

/** Stable text: two-space JSON, fixed key order, trailing newline. */
export function serializeSeccompProfile(profile: SeccompProfile): string {
  return `${JSON.stringify(profile, null, 2)}\n`;
}

const ACTIONS = new Set(['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY']);
const OPS = new Set(['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']);
const ARCH = /^SCMP_ARCH_[A-Z0-9_]+$/;

/**
 * Problems Docker would refuse a profile for (or silently misread), in words a user can act on.
 * Mirrors moby's loader: JSON object, known defaultAction and actions, archMap/architectures
 * shapes, syscalls[].names (or the legacy name) as strings, args with known ops.
 */
export function validateSeccompProfile(text: string): { profile?: SeccompProfile; problems: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { problems: [`not valid JSON: ${(e as Error).message}`] };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { problems: ['not a JSON object'] };
  const p = data as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof p.defaultAction !== 'string') problems.push('"defaultAction" is missing');
  else if (!ACTIONS.has(p.defaultAction)) problems.push(`"defaultAction" ${JSON.stringify(p.defaultAction)} is not a seccomp action`);
  if (p.defaultErrnoRet !== undefined && !Number.isInteger(p.defaultErrnoRet)) problems.push('"defaultErrnoRet" must be an integer');
  if (p.architectures !== undefined && p.archMap !== undefined) problems.push('"architectures" and "archMap" cannot both be set');
  if (p.architectures !== undefined && (!Array.isArray(p.architectures) || p.architectures.some((a) => typeof a !== 'string' || !ARCH.test(a)))) {
    problems.push('"architectures" must be a list of SCMP_ARCH_* names');
  }
  if (p.archMap !== undefined) {
    if (!Array.isArray(p.archMap)) problems.push('"archMap" must be a list');
    else
      p.archMap.forEach((entry, i) => {
        const e = entry as Record<string, unknown> | null;
        if (!e || typeof e.architecture !== 'string' || !ARCH.test(e.architecture)) problems.push(`archMap[${i}].architecture must be an SCMP_ARCH_* name`);
        const subs = e?.subArchitectures;
        if (subs !== undefined && subs !== null && (!Array.isArray(subs) || subs.some((s) => typeof s !== 'string' || !ARCH.test(s)))) {
          problems.push(`archMap[${i}].subArchitectures must be a list of SCMP_ARCH_* names`);
        }
      });
  }
  if (p.syscalls !== undefined && p.syscalls !== null) {
    if (!Array.isArray(p.syscalls)) problems.push('"syscalls" must be a list');
    else
      p.syscalls.forEach((rule, i) => {
        const r = rule as Record<string, unknown> | null;
        if (!r || typeof r !== 'object') {
          problems.push(`syscalls[${i}] must be an object`);
          return;
        }
        const names = r.names ?? (r.name !== undefined ? [r.name] : undefined);
        if (r.name !== undefined && r.names !== undefined) problems.push(`syscalls[${i}] sets both "name" and "names"`);
        if (!Array.isArray(names) || names.length === 0) problems.push(`syscalls[${i}].names must be a non-empty list`);
        else if (names.some((n) => typeof n !== 'string' || !SYSCALL_NAME.test(n))) problems.push(`syscalls[${i}].names has an entry that is not a syscall name`);
        if (typeof r.action !== 'string' || !ACTIONS.has(r.action)) problems.push(`syscalls[${i}].action ${JSON.stringify(r.action)} is not a seccomp action`);
        if (r.args !== undefined && r.args !== null) {
          if (!Array.isArray(r.args)) problems.push(`syscalls[${i}].args must be a list`);
          else if (r.args.some((a) => !a || typeof a !== 'object' || !Number.isInteger((a as { index?: unknown }).index) || !OPS.has(String((a as { op?: unknown }).op)))) {
            problems.push(`syscalls[${i}].args needs an integer index and an SCMP_CMP_* op in each entry`);
          }
        }
      });
  }
  return problems.length ? { problems } : { profile: p as unknown as SeccompProfile, problems };
}
