/**
 * Parser for strace output (`strace -f [-o FILE] [-tt] [-T] -p PID…`), as a list of completed
 * system calls per process. Pure: it never throws; lines it cannot read are counted and sampled.
 *
 * Shapes handled (strace 4.x to 6.x):
 *   [pid  123] openat(AT_FDCWD, "/x", O_RDONLY) = 3        stderr output with -f
 *   123   openat(AT_FDCWD, "/x", O_RDONLY) = 3             -o FILE with -f
 *   12:00:01.123456 read(0, "", 4096) = 0 <0.000010>        -tt / -ttt timestamps, -T durations
 *   123 wait4(-1,  <unfinished ...>  …  123 <... wait4 resumed>[…], 0, NULL) = 25
 *   123 --- SIGCHLD {si_signo=SIGCHLD, …} ---                signals
 *   123 +++ exited with 0 +++ / +++ killed by SIGKILL +++    process exits
 *   123 bind(3, …) = -1 EACCES (Permission denied)           errors
 *   strace: Process 123 attached                              strace's own messages
 */

export interface SyscallEvent {
  /** Process (thread) id; undefined when strace traced a single process without -f. */
  pid?: number;
  name: string;
  /** The argument text as strace printed it (abbreviated strings and structures). */
  args: string;
  /** The return value text: "0", "3", "0x7f…", "?" (no return: exit, execve replaced it). */
  result: string;
  /** The error name when the call failed: EPERM, EACCES, ENOENT… */
  errno?: string;
}

export interface SignalEvent {
  pid?: number;
  signal: string;
}

export interface StraceLog {
  calls: SyscallEvent[];
  signals: SignalEvent[];
  /** Process ids seen anywhere in the log. */
  pids: number[];
  exits: { pid?: number; status: string }[];
  /** Calls strace printed by number only (`syscall_0x1b6`): not in the profile, reported. */
  unknownSyscalls: string[];
  /** Lines that are not strace output (a few kept for the message) and their count. */
  unparsed: { count: number; samples: string[] };
  warnings: string[];
}

const PREFIX = /^(?:\[pid\s+(\d+)\]\s*|(\d+)\s+)?(?:(?:\d{2}:\d{2}:\d{2}(?:\.\d+)?|\d{9,}\.\d+)\s+)?/;
const DURATION = /\s+<\d+\.\d+>$/;
const NAME = /^([a-z_][a-z0-9_]*)\(/;
const RESUMED = /^<\.\.\. ([a-z_][a-z0-9_]*) resumed>\s?(.*)$/;
// `<detached ...>`: tracing stopped in the middle of the call; it was made all the same.
const UNFINISHED = / ?<(?:unfinished|detached) \.\.\.>$/;
const RESULT = /^(0x[0-9a-f]+|-?\d+|\?)(?:\s+([A-Z][A-Z0-9_]+))?/;
const MAX_SAMPLES = 3;

export function parseStraceLog(text: string): StraceLog {
  const log: StraceLog = { calls: [], signals: [], pids: [], exits: [], unknownSyscalls: [], unparsed: { count: 0, samples: [] }, warnings: [] };
  const pids = new Set<number>();
  const unknown = new Set<string>();
  // Calls interrupted by another process's line, keyed by pid (-1 when there is no pid).
  const pending = new Map<number, { name: string; args: string }>();

  const unparsed = (line: string) => {
    log.unparsed.count++;
    if (log.unparsed.samples.length < MAX_SAMPLES) log.unparsed.samples.push(line.length > 120 ? `${line.slice(0, 117)}...` : line);
  };

  /** Splits `args) = result [ERRNO (text)]`; the result follows the last " = " (args come first). */
  const split = (rest: string): SyscallEvent | undefined => {
    const eq = rest.lastIndexOf(' = ');
    if (eq < 0) return undefined;
    let argsEnd = eq;
    while (argsEnd > 0 && rest.charCodeAt(argsEnd - 1) === 32) argsEnd--;
    if (rest.charCodeAt(argsEnd - 1) !== 41 /* ) */) return undefined;
    const m = RESULT.exec(rest.slice(eq + 3).trimStart());
    if (!m) return undefined;
    const call: SyscallEvent = { name: '', args: rest.slice(0, argsEnd - 1), result: m[1] };
    if (m[2] && m[1].startsWith('-')) call.errno = m[2];
    return call;
  };

  const complete = (pid: number | undefined, name: string, rest: string, line: string) => {
    const call = split(rest);
    if (!call) {
      unparsed(line);
      return;
    }
    if (name.startsWith('syscall_')) {
      unknown.add(name);
      return;
    }
    call.pid = pid;
    call.name = name;
    log.calls.push(call);
  };

  // Without -o, strace's own "Process N attached" can land inside a half-printed call line
  // (`clone(…SIGCHLDstrace: Process 7 attached\n <unfinished ...>`): cut it out, rejoining the line.
  const cleaned = text.replace(/strace: Process \d+ (?:attached|detached)(?: \(waiting for parent\))?\r?\n/g, '');
  for (const raw of cleaned.split('\n')) {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.endsWith('>')) line = line.replace(DURATION, '');
    if (!line.trim()) continue;
    if (line.startsWith('strace: ')) {
      if (!/Process \d+ (attached|detached)/.test(line)) log.warnings.push(line);
      continue;
    }
    const prefix = PREFIX.exec(line)!;
    const pidText = prefix[1] ?? prefix[2];
    const pid = pidText ? Number(pidText) : undefined;
    if (pid !== undefined) pids.add(pid);
    const body = line.slice(prefix[0].length);
    const key = pid ?? -1;

    if (body.startsWith('--- ')) {
      const sig = /^--- (SIG[A-Z0-9+-]+|[A-Z]+)\b/.exec(body);
      if (sig) log.signals.push({ pid, signal: sig[1] });
      else unparsed(line);
      continue;
    }
    if (body.startsWith('+++ ')) {
      const exit = /^\+\+\+ (exited with \d+|killed by \S+(?: \(core dumped\))?) \+\+\+$/.exec(body);
      if (exit) log.exits.push({ pid, status: exit[1] });
      else unparsed(line);
      continue;
    }
    if (body.startsWith('[ Process PID=')) {
      log.warnings.push(`${body.replace(/^\[\s*|\s*\]$/g, '')}: its calls use another table; names were recorded as strace printed them`);
      continue;
    }
    const resumed = RESUMED.exec(body);
    if (resumed) {
      // Without -o the prefix is missing while only one process is alive: fall back to the name.
      let startedKey: number | undefined = pending.get(key)?.name === resumed[1] ? key : undefined;
      if (startedKey === undefined) for (const [k, v] of pending) if (v.name === resumed[1]) { startedKey = k; break; }
      const started = startedKey === undefined ? undefined : pending.get(startedKey);
      if (startedKey !== undefined) pending.delete(startedKey);
      const args = started && started.name === resumed[1] ? started.args : '';
      if (UNFINISHED.test(resumed[2])) {
        // Resumed and interrupted again (long calls under heavy -f tracing).
        pending.set(key, { name: resumed[1], args: args + resumed[2].replace(UNFINISHED, '') });
        continue;
      }
      complete(pid, resumed[1], args + resumed[2], line);
      continue;
    }
    const named = NAME.exec(body);
    if (!named) {
      unparsed(line);
      continue;
    }
    const afterParen = body.slice(named[0].length);
    if (UNFINISHED.test(afterParen)) {
      pending.set(key, { name: named[1], args: afterParen.replace(UNFINISHED, '') });
      continue;
    }
    // Calls that never return (exit_group: `= ?`) still happened; complete() reads both.
    complete(pid, named[1], afterParen, line);
  }
  // Calls still unfinished when tracing stopped were made; they are part of what the process needs.
  for (const [key, call] of pending) {
    if (call.name.startsWith('syscall_')) unknown.add(call.name);
    else log.calls.push({ pid: key === -1 ? undefined : key, name: call.name, args: call.args, result: '?' });
  }
  log.pids = [...pids].sort((a, b) => a - b);
  log.unknownSyscalls = [...unknown].sort();
  if (log.unknownSyscalls.length) log.warnings.push(`strace printed ${log.unknownSyscalls.length} call(s) by number only (${log.unknownSyscalls.join(', ')}); add them by name if the application needs them`);
  return log;
}

/** Syscall names and how often each was made, sorted by name. */
export function syscallCounts(calls: readonly SyscallEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Whether the text looks like strace output at all (for a clear message on a wrong file). */
export function looksLikeStrace(log: StraceLog): boolean {
  return log.calls.length > 0 && log.calls.length >= log.unparsed.count;
}

const EXEC_DONE = /^\d+\s+(?:execve\(.*|<\.\.\. execve resumed>.*)\)\s+=\s+0\s*$/;

/**
 * The part of a log made from the traced process's first successful `execve` on: a `docker exec`
 * seen by the tracer while still the container runtime's init (`runc:[2:INIT]`) first makes the
 * runtime's own calls (setgroups, setresuid, capset… on every Go thread), which are neither the
 * workload's nor limited by its capabilities. A log without a successful `execve` is returned
 * whole: the init had exec'd by the time strace attached (it was seen as init a moment before), so
 * everything in it is the command's.
 */
export function afterRuntimeInit(text: string): string {
  const lines = text.split('\n');
  const exec = lines.findIndex((l) => EXEC_DONE.test(l.endsWith('\r') ? l.slice(0, -1) : l));
  return exec < 0 ? text : lines.slice(exec).join('\n');
}
