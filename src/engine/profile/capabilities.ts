import type { SyscallEvent } from './strace';

/**
 * Which Linux capabilities the observed calls need, so a container can run with
 * `--cap-drop ALL --cap-add <these>`.
 *
 * Limits of the heuristic (say them to users; it is a starting point, not a proof):
 * - It sees only calls made while observed. A code path that ran before (startup) or did not run
 *   (error handling, a monthly job) is missing: run the real workload while profiling.
 * - A cap is "required" when a call that only a privileged process may make succeeded; a call
 *   denied with EPERM makes it "likely" (the process went on without it). It cannot tell whether the call
 *   would have needed the cap at all (chown to the file's own owner, setuid to the current uid).
 * - DAC_OVERRIDE, FOWNER, KILL, SYS_RESOURCE, IPC_LOCK are inferred from EACCES/EPERM results
 *   only ("likely"): which uid owns a file or a process is not in the trace. The observed
 *   container usually had Docker's default caps, so these calls succeeded silently and the
 *   need is invisible; test the hardened container.
 * - Non-root processes have no effective capabilities anyway (unless file caps or ambient caps).
 */
export type Confidence = 'required' | 'likely';

export interface CapabilityNeed {
  /** Without the CAP_ prefix, as docker --cap-add and compose cap_add spell it. */
  capability: string;
  confidence: Confidence;
  /** Why, from one example call: `bind(… port 80 …)`. */
  reason: string;
  /** How many observed calls gave this reason. */
  calls: number;
}

type Rule = (call: SyscallEvent) => { capability: string; confidence: Confidence; why: string } | undefined;

const succeededOrDenied = (c: SyscallEvent) => !c.errno || c.errno === 'EPERM' || c.errno === 'EACCES';
// A denied call means the observed container ran without the capability and went on: maybe not needed.
const confidenceOf = (c: SyscallEvent): Confidence => (c.errno ? 'likely' : 'required');
const named = (...names: string[]) => new Set(names);
const byName = (names: Set<string>, capability: string, why: string): Rule => (c) =>
  names.has(c.name) && succeededOrDenied(c) ? { capability, confidence: confidenceOf(c), why } : undefined;

const CHOWN_CALLS = named('chown', 'fchown', 'lchown', 'fchownat', 'chown32', 'fchown32', 'lchown32');
const SETUID_CALLS = named('setuid', 'setreuid', 'setresuid', 'setfsuid', 'setuid32', 'setreuid32', 'setresuid32', 'setfsuid32');
const SETGID_CALLS = named('setgid', 'setregid', 'setresgid', 'setfsgid', 'setgroups', 'setgid32', 'setregid32', 'setresgid32', 'setfsgid32', 'setgroups32');
const KILL_CALLS = named('kill', 'tkill', 'tgkill', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'pidfd_send_signal');
const SYS_ADMIN_CALLS = named('mount', 'umount', 'umount2', 'pivot_root', 'sethostname', 'setdomainname', 'setns', 'swapon', 'swapoff', 'quotactl', 'fsopen', 'fsmount', 'move_mount', 'open_tree', 'fspick', 'fsconfig', 'mount_setattr', 'lookup_dcookie', 'fanotify_init');
const FILE_ACCESS_CALLS = named('open', 'openat', 'openat2', 'creat', 'access', 'faccessat', 'faccessat2', 'execve', 'execveat', 'stat', 'lstat', 'newfstatat', 'statx', 'mkdir', 'mkdirat', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2', 'truncate', 'rmdir', 'link', 'linkat', 'symlink', 'symlinkat', 'chdir');
const OWNER_CALLS = named('chmod', 'fchmod', 'fchmodat', 'utime', 'utimes', 'utimensat', 'futimesat', 'setxattr', 'lsetxattr', 'fsetxattr');

/** Every name a rule looks at when the call succeeded (failed calls are always checked). */
const CAPABLE_CALLS = new Set([
  'bind', 'chroot', 'mknod', 'mknodat', 'socket', 'unshare', 'ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'pidfd_getfd',
  'settimeofday', 'stime', 'clock_settime', 'clock_settime64', 'adjtimex', 'clock_adjtime', 'reboot', 'init_module', 'finit_module',
  'delete_module', 'iopl', 'ioperm', 'acct', 'vhangup', 'syslog', 'setpriority', 'sched_setscheduler', 'capset', 'prctl', 'setxattr',
  'lsetxattr', 'fsetxattr', 'ioctl', 'setsockopt',
  ...CHOWN_CALLS, ...SETUID_CALLS, ...SETGID_CALLS, ...SYS_ADMIN_CALLS,
]);

const RULES: Rule[] = [
  (c) => {
    if (c.name !== 'bind' || !succeededOrDenied(c)) return undefined;
    const port = /sin6?_port=htons\((\d+)\)/.exec(c.args);
    return port && Number(port[1]) > 0 && Number(port[1]) < 1024
      ? { capability: 'NET_BIND_SERVICE', confidence: confidenceOf(c), why: `bind to port ${port[1]} (< 1024)` }
      : undefined;
  },
  (c) => (CHOWN_CALLS.has(c.name) && succeededOrDenied(c) && !/,\s*-1,\s*-1(?:,\s*\w+)?$/.test(c.args) ? { capability: 'CHOWN', confidence: confidenceOf(c), why: `${c.name}` } : undefined),
  byName(SETUID_CALLS, 'SETUID', 'changes its user id'),
  byName(SETGID_CALLS, 'SETGID', 'changes its group ids'),
  byName(named('chroot'), 'SYS_CHROOT', 'chroot'),
  (c) => ((c.name === 'mknod' || c.name === 'mknodat') && succeededOrDenied(c) && /S_IF(CHR|BLK)/.test(c.args) ? { capability: 'MKNOD', confidence: confidenceOf(c), why: 'creates a device node' } : undefined),
  (c) => {
    if (c.name !== 'socket' || !succeededOrDenied(c)) return undefined;
    if (/^AF_PACKET\b/.test(c.args) || /^AF_INET6?,\s*SOCK_RAW\b/.test(c.args)) return { capability: 'NET_RAW', confidence: confidenceOf(c), why: `raw socket (${c.args.split(',').slice(0, 2).join(',')})` };
    if (/^AF_NETLINK,.*NETLINK_AUDIT/.test(c.args)) return { capability: 'AUDIT_WRITE', confidence: confidenceOf(c), why: 'audit netlink socket' };
    return undefined;
  },
  (c) => (SYS_ADMIN_CALLS.has(c.name) && succeededOrDenied(c) ? { capability: 'SYS_ADMIN', confidence: confidenceOf(c), why: c.name } : undefined),
  // unshare(CLONE_NEWUSER) alone is unprivileged; every other namespace needs SYS_ADMIN.
  (c) => (c.name === 'unshare' && succeededOrDenied(c) && /CLONE_NEW(?!USER\b)/.test(c.args) ? { capability: 'SYS_ADMIN', confidence: confidenceOf(c), why: 'unshare of a namespace' } : undefined),
  byName(named('ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'pidfd_getfd'), 'SYS_PTRACE', 'traces or reads another process'),
  byName(named('settimeofday', 'stime', 'clock_settime', 'clock_settime64'), 'SYS_TIME', 'sets the clock'),
  (c) => ((c.name === 'adjtimex' || c.name === 'clock_adjtime') && !/modes=0\b/.test(c.args) && succeededOrDenied(c) ? { capability: 'SYS_TIME', confidence: confidenceOf(c), why: 'adjusts the clock' } : undefined),
  byName(named('reboot'), 'SYS_BOOT', 'reboot'),
  byName(named('init_module', 'finit_module', 'delete_module'), 'SYS_MODULE', 'loads kernel modules'),
  byName(named('iopl', 'ioperm'), 'SYS_RAWIO', 'raw I/O ports'),
  byName(named('acct'), 'SYS_PACCT', 'process accounting'),
  byName(named('vhangup'), 'SYS_TTY_CONFIG', 'vhangup'),
  byName(named('syslog'), 'SYSLOG', 'reads the kernel log'),
  (c) => (c.name === 'setpriority' && /,\s*-\d+$/.test(c.args) && succeededOrDenied(c) ? { capability: 'SYS_NICE', confidence: confidenceOf(c), why: 'raises its priority (negative nice)' } : undefined),
  (c) => (c.name === 'sched_setscheduler' && /SCHED_(FIFO|RR)/.test(c.args) && succeededOrDenied(c) ? { capability: 'SYS_NICE', confidence: confidenceOf(c), why: 'real-time scheduling' } : undefined),
  (c) => ((c.name === 'capset' || (c.name === 'prctl' && /PR_CAPBSET_DROP|PR_CAP_AMBIENT_RAISE/.test(c.args))) && succeededOrDenied(c) ? { capability: 'SETPCAP', confidence: 'likely', why: 'changes capability sets' } : undefined),
  (c) => (/^[lf]?setxattr$/.test(c.name) && c.args.includes('security.capability') && succeededOrDenied(c) ? { capability: 'SETFCAP', confidence: confidenceOf(c), why: 'sets file capabilities' } : undefined),
  (c) => (c.name === 'ioctl' && /SIOCS(IF|ARP|RT)|SIOC(ADD|DEL)RT/.test(c.args) && succeededOrDenied(c) ? { capability: 'NET_ADMIN', confidence: confidenceOf(c), why: 'configures network interfaces or routes' } : undefined),
  (c) => (c.name === 'setsockopt' && /SO_(MARK|DEBUG)\b/.test(c.args) && succeededOrDenied(c) ? { capability: 'NET_ADMIN', confidence: confidenceOf(c), why: 'privileged socket option' } : undefined),
  // Denials: the process asked for something only a capability allows; it may or may not need it.
  (c) => (FILE_ACCESS_CALLS.has(c.name) && c.errno === 'EACCES' ? { capability: 'DAC_OVERRIDE', confidence: 'likely', why: `${c.name} denied by file permissions (EACCES)` } : undefined),
  (c) => (OWNER_CALLS.has(c.name) && c.errno === 'EPERM' ? { capability: 'FOWNER', confidence: 'likely', why: `${c.name} on a file it does not own (EPERM)` } : undefined),
  (c) => (KILL_CALLS.has(c.name) && c.errno === 'EPERM' ? { capability: 'KILL', confidence: 'likely', why: `${c.name} to another user's process (EPERM)` } : undefined),
  (c) => ((c.name === 'setrlimit' || (c.name === 'prlimit64' && !/,\s*NULL,\s*/.test(c.args))) && c.errno === 'EPERM' ? { capability: 'SYS_RESOURCE', confidence: 'likely', why: 'raises a resource limit (EPERM)' } : undefined),
  (c) => (/^mlock(2|all)?$/.test(c.name) && (c.errno === 'EPERM' || c.errno === 'ENOMEM') ? { capability: 'IPC_LOCK', confidence: 'likely', why: 'locks memory beyond its limit' } : undefined),
];

/** The capabilities the calls need, sorted by name; one entry per capability with its first reason. */
export function capabilitiesFor(calls: readonly SyscallEvent[]): CapabilityNeed[] {
  const needs = new Map<string, CapabilityNeed>();
  const add = (hit: { capability: string; confidence: Confidence; why: string }) => {
    const known = needs.get(hit.capability);
    if (!known) needs.set(hit.capability, { capability: hit.capability, confidence: hit.confidence, reason: hit.why, calls: 1 });
    else {
      known.calls++;
      if (known.confidence === 'likely' && hit.confidence === 'required') {
        known.confidence = 'required';
        known.reason = hit.why;
      }
    }
  };
  for (const call of calls) {
    // Most calls (read, write, mmap…) can never need a capability: skip the rules for them.
    if (!call.errno && !CAPABLE_CALLS.has(call.name)) continue;
    for (const rule of RULES) {
      const hit = rule(call);
      if (hit) add(hit);
    }
  }
  for (const hit of sequenceNeeds(calls)) add(hit);
  return [...needs.values()].sort((a, b) => (a.capability < b.capability ? -1 : 1));
}

const OPEN_FOR_WRITE = /O_(WRONLY|RDWR|TRUNC)\b/;
const PATH_ARG = /^(?:AT_FDCWD,\s*)?"((?:[^"\\]|\\.)*)"/;

/**
 * Needs that only show in a sequence of calls. The observed container had Docker's default
 * capabilities, so these calls succeeded silently; under `--cap-drop ALL` they fail:
 * - a file handed to another user (chown to uid != 0) and written again by a process that kept
 *   its uid needs DAC_OVERRIDE (unless the file is world-writable: the mode is not in the trace);
 * - after some process switched to another uid, a process that did not switch and signals
 *   others probably signals it: KILL ("likely": strace shows pids as the container sees them
 *   in kill() but as the host sees them in its prefixes, so targets cannot be matched).
 */
function sequenceNeeds(calls: readonly SyscallEvent[]): { capability: string; confidence: Confidence; why: string }[] {
  const out: { capability: string; confidence: Confidence; why: string }[] = [];
  const givenAway = new Map<string, string>();
  const switched = new Set<number | undefined>();
  let someoneSwitched = false;
  for (const c of calls) {
    if (c.errno) continue;
    if ((c.name === 'chown' || c.name === 'lchown' || c.name === 'fchownat' || c.name === 'chown32') && !switched.has(c.pid)) {
      const path = PATH_ARG.exec(c.args)?.[1];
      const uid = /^(?:AT_FDCWD,\s*)?"(?:[^"\\]|\\.)*",\s*(-?\d+)/.exec(c.args)?.[1];
      if (path && uid && uid !== '-1' && uid !== '0') givenAway.set(path, uid);
      else if (path && uid === '0') givenAway.delete(path);
    } else if ((c.name === 'open' || c.name === 'openat' || c.name === 'creat') && !switched.has(c.pid)) {
      const path = PATH_ARG.exec(c.args)?.[1];
      const owner = path === undefined ? undefined : givenAway.get(path);
      if (owner && (c.name === 'creat' || OPEN_FOR_WRITE.test(c.args))) {
        out.push({ capability: 'DAC_OVERRIDE', confidence: 'required', why: `writes ${path} after giving it to uid ${owner} (unless the file is world-writable)` });
      }
    } else if (c.name === 'unlink' || c.name === 'unlinkat' || c.name === 'rename' || c.name === 'renameat' || c.name === 'renameat2') {
      // Removed (or replaced): the next write creates a file of its own.
      const path = PATH_ARG.exec(c.args)?.[1];
      if (path) givenAway.delete(path);
      const target = /"(?:[^"\\]|\\.)*",\s*(?:AT_FDCWD,\s*)?"((?:[^"\\]|\\.)*)"/.exec(c.args)?.[1];
      if (target) givenAway.delete(target);
    } else if (/^set(res|re)?uid(32)?$/.test(c.name)) {
      const uids = c.args.split(',').map((a) => a.trim());
      if (uids.some((u) => u !== '0' && u !== '-1')) {
        switched.add(c.pid);
        someoneSwitched = true;
      }
    } else if ((c.name === 'kill' || c.name === 'tgkill' || c.name === 'tkill') && someoneSwitched && !switched.has(c.pid)) {
      const target = Number(c.args.split(',')[0]);
      if (target > 1 && !/SIG_0|, 0$/.test(c.args)) out.push({ capability: 'KILL', confidence: 'likely', why: `signals pid ${target} after processes switched to another uid` });
    }
  }
  return out;
}

/** The `cap_add` list: required capabilities, plus likely ones when asked. */
export function capAddList(needs: readonly CapabilityNeed[], includeLikely = false): string[] {
  return needs.filter((n) => includeLikely || n.confidence === 'required').map((n) => n.capability);
}
