import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { profileFromStrace, type ObservedProfile } from '../engine/profile';
import { afterRuntimeInit } from '../engine/profile/strace';
import type { ContainerInspect } from '../engine/runtime/container';
import { engineApi } from './engine-api';

/**
 * Observing a running container from the host: attach `strace -f` to every process (and
 * thread) of the container for N seconds, then derive the seccomp profile and capabilities.
 * Needs the engine on this machine (its pids are ours), root (ptrace of other users'
 * processes), and strace. Every failure comes back as a message, never as a throw.
 */

const STRACE_INSTALL_HINT =
  'strace is not installed on this machine. Install it: `sudo apt-get install strace` (Debian/Ubuntu), `sudo dnf install strace` (Fedora/RHEL), `sudo apk add strace` (Alpine), `sudo pacman -S strace` (Arch). Or record a log yourself (`strace -f -o app.strace -p PID`) and use "from a strace log".';

export interface ObserveOptions {
  seconds: number;
  signal?: AbortSignal;
  /** strace binary (tests, unusual installs). */
  strace?: string;
  onProgress?(message: string): void;
  /** Keep the raw log here instead of a temporary file. */
  logFile?: string;
  /**
   * The observation's seconds count from when this settles (bounded by a minute): a workload
   * held by a gate until strace is attached starts late on a loaded machine.
   */
  startAfter?: Promise<unknown>;
}

export interface ObservedContainer {
  id: string;
  name: string;
  image: string;
  inspect: ContainerInspect;
  /** Host pids (threads included) strace attached to. */
  pids: number[];
  profile?: ObservedProfile;
  /** The raw strace log text (for saving beside the profile, or debugging). */
  log?: string;
  cancelled?: boolean;
  /** Stopped early because the trace grew past the size limit. */
  truncated?: boolean;
  error?: string;
}

/** Why this process cannot observe containers with strace, or undefined when it can try. */
export async function straceProblem(strace = 'strace'): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'observing containers with strace needs Linux with the Docker engine on this machine';
  const found = await new Promise<string | undefined>((resolve) => {
    execFile(strace, ['-V'], { timeout: 10000 }, (err) => {
      if (!err) resolve(undefined);
      else resolve((err as NodeJS.ErrnoException).code === 'ENOENT' ? STRACE_INSTALL_HINT : `strace does not run: ${err.message.split('\n')[0]}`);
    });
  });
  if (found) return found;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'attaching strace to container processes needs root (they belong to other users; ptrace is refused otherwise). Run as root (e.g. `sudo bulkhead profile …`), or record a log as root and use "from a strace log".';
  }
  return undefined;
}

/** The container's processes and threads as host pids: main pid, `top`, /proc children. */
async function containerPids(docker: Docker, inspect: ContainerInspect): Promise<number[]> {
  const pids = new Set<number>();
  const main = inspect.State?.Pid;
  if (main && main > 0) pids.add(main);
  try {
    const top = await engineApi.topContainer(docker, inspect.Id, '-eo pid');
    const col = top.Titles?.findIndex((t) => t.trim().toUpperCase() === 'PID') ?? -1;
    for (const row of top.Processes ?? []) {
      const pid = Number(row[col >= 0 ? col : 0]);
      if (Number.isInteger(pid) && pid > 0) pids.add(pid);
    }
  } catch {
    // `top` needs ps in the engine's host; /proc below covers the same processes.
  }
  for (const pid of [...pids]) for (const child of descendants(pid)) pids.add(child);
  const withThreads = new Set<number>();
  for (const pid of pids) {
    withThreads.add(pid);
    for (const tid of readDirNumbers(`/proc/${pid}/task`)) withThreads.add(tid);
  }
  return [...withThreads].filter((p) => existsSync(`/proc/${p}`)).sort((a, b) => a - b);
}

function readDirNumbers(dir: string): number[] {
  try {
    return readdirSync(dir).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

function descendants(pid: number, depth = 0): number[] {
  if (depth > 32) return [];
  const out: number[] = [];
  for (const tid of readDirNumbers(`/proc/${pid}/task`)) {
    let children: number[] = [];
    try {
      children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
    } catch {
      // Kernels without CONFIG_PROC_CHILDREN: top already listed the processes.
    }
    for (const c of children) out.push(c, ...descendants(c, depth + 1));
  }
  return out;
}

/**
 * Attaches strace to the container for `seconds` (or until `signal` aborts; what was seen up to
 * then is still used), then parses the log. Processes started later through `docker exec` are
 * not children of the traced ones and are not seen.
 */
export async function observeContainer(docker: Docker, idOrName: string, options: ObserveOptions): Promise<ObservedContainer> {
  let inspect: ContainerInspect;
  try {
    inspect = (await engineApi.inspectContainer(docker, idOrName, { signal: options.signal })) as ContainerInspect;
  } catch (e) {
    const status = (e as { statusCode?: number }).statusCode;
    const error = status === 404 ? `no container "${idOrName}"` : `cannot inspect "${idOrName}": ${(e as Error).message.split('\n')[0]}`;
    return { id: idOrName, name: idOrName, image: '', inspect: { Id: idOrName, Name: idOrName }, pids: [], error };
  }
  const base: ObservedContainer = { id: inspect.Id, name: (inspect.Name ?? inspect.Id).replace(/^\//, ''), image: inspect.Config?.Image ?? '', inspect, pids: [] };
  if (!inspect.State?.Running) return { ...base, error: `container "${base.name}" is not running (${inspect.State?.Status ?? 'unknown state'}): start it, then profile it while it works` };
  const problem = await straceProblem(options.strace);
  if (problem) return { ...base, error: problem };
  const pids = await containerPids(docker, inspect);
  if (!pids.length) return { ...base, error: `no processes of "${base.name}" are visible in /proc here: is the engine on another machine or in a VM?` };
  options.onProgress?.(`tracing ${pids.length} process(es)/thread(s) of ${base.name} for ${options.seconds} s`);
  const traced = await runStrace(pids, options, inspect.State?.Pid);
  if (traced.error) return { ...base, pids, error: traced.error, log: traced.log };
  const profile = profileFromStrace(traced.log ?? '');
  if (profile.problem) return { ...base, pids, log: traced.log, cancelled: traced.cancelled, error: `nothing usable was recorded: ${profile.problem}` };
  if (traced.truncated) profile.log.warnings.push(`observation stopped early: the trace reached ${MAX_LOG_BYTES / 1048576} MiB`);
  if (traced.stuck) profile.log.warnings.push(`${traced.stuck} strace process(es) did not stop within 20 s of being asked to; their calls may be missing`);
  return { ...base, pids, log: traced.log, profile, cancelled: traced.cancelled, truncated: traced.truncated };
}

interface Tracer {
  child: ReturnType<typeof spawn>;
  logFile: string;
  /** Traces a runtime's init process (a `docker exec` not yet exec'd): its calls before the exec are dropped. */
  runtimeInit?: boolean;
  stderr: string;
  closed: Promise<void>;
}

function startTracer(strace: string, pids: number[], logFile: string, runtimeInit = false): Tracer {
  const args = ['-f', '-qq', '-e', 'trace=all', '-o', logFile];
  for (const pid of pids) args.push('-p', String(pid));
  const child = spawn(strace, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const tracer: Tracer = { child, logFile, runtimeInit, stderr: '', closed: Promise.resolve() };
  child.stderr.on('data', (d: Buffer) => {
    if (tracer.stderr.length < 8192) tracer.stderr += d.toString();
  });
  tracer.closed = new Promise((resolve) => {
    child.on('close', () => resolve());
    child.on('error', (e: NodeJS.ErrnoException) => {
      tracer.stderr += `\nspawn: ${e.code ?? e.message}`;
      resolve();
    });
  });
  return tracer;
}

/** Host pids in the same pid namespace as `main` (a container's processes, `docker exec` ones too). */
function pidsInNamespaceOf(main: number): number[] {
  let ns: string;
  try {
    ns = readlinkSync(`/proc/${main}/ns/pid`);
    // A container sharing the host's pid namespace (--pid host) has no boundary to scan by.
    if (ns === readlinkSync('/proc/self/ns/pid')) return [];
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const pid of readDirNumbers('/proc')) {
    try {
      if (readlinkSync(`/proc/${pid}/ns/pid`) === ns) out.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return out;
}

/** Observation stops early when the logs reach this size (about 10 minutes of a busy service). */
const MAX_LOG_BYTES = 200 * 1024 * 1024;

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** runc's and crun's init for `docker exec` / `podman exec`, before it execs the command. */
function isRuntimeInit(pid: number): boolean {
  try {
    return /^(runc:|runc$|crun$)/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
  } catch {
    return false;
  }
}

function tracedAlready(pid: number): boolean {
  try {
    return !/^TracerPid:\s*0$/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * One strace for the container's processes, plus one more for each process that appears
 * outside the traced tree while observing (`docker exec`, health checks): the container's pid
 * namespace is rescanned every 200 ms. Processes that start and end between two scans are missed.
 */
async function runStrace(pids: number[], options: ObserveOptions, mainPid?: number): Promise<{ log?: string; error?: string; cancelled?: boolean; truncated?: boolean; stuck?: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-strace-'));
  const strace = options.strace ?? 'strace';
  const tracers: Tracer[] = [startTracer(strace, pids, join(dir, 'trace-0.log'))];
  const seen = new Set(pids);
  let cancelled = false;
  let truncated = false;
  try {
    await new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(rescan);
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      let timer: ReturnType<typeof setTimeout> | undefined;
      const startClock = () => {
        if (!done && !timer) timer = setTimeout(finish, Math.max(0.1, options.seconds) * 1000);
      };
      if (options.startAfter) {
        void options.startAfter.then(startClock, startClock);
        // A start signal that never comes does not hold the observation forever.
        setTimeout(startClock, 60000).unref();
      } else startClock();
      const onAbort = () => {
        cancelled = true;
        finish();
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) onAbort();
      // The first strace failing to start (missing binary) ends the wait at once.
      void tracers[0].closed.then(finish);
      const rescan = setInterval(() => {
        if (done) return;
        // A busy service writes tens of MiB a minute: stop before the log outgrows memory.
        const bytes = tracers.reduce((sum, t) => sum + fileSize(t.logFile), 0);
        if (bytes > MAX_LOG_BYTES) {
          truncated = true;
          finish();
          return;
        }
        if (mainPid === undefined) return;
        const fresh = pidsInNamespaceOf(mainPid).filter((p) => !seen.has(p));
        fresh.forEach((p) => seen.add(p));
        const untraced = fresh.filter((p) => !tracedAlready(p));
        // One tracer per runtime init, so its pre-exec calls can be cut from its own log.
        const inits = untraced.filter(isRuntimeInit);
        for (const p of inits) tracers.push(startTracer(strace, [p], join(dir, `trace-${tracers.length}.log`), true));
        const others = untraced.filter((p) => !inits.includes(p));
        if (others.length) tracers.push(startTracer(strace, others, join(dir, `trace-${tracers.length}.log`)));
      }, 200);
    });
    // SIGINT makes strace detach cleanly (the traced processes go on untouched).
    for (const t of tracers) if (t.child.exitCode === null && t.child.signalCode === null) t.child.kill('SIGINT');
    const killer = setTimeout(() => tracers.forEach((t) => t.child.exitCode === null && t.child.kill('SIGKILL')), 5000);
    // A strace stuck attaching (to a process frozen mid-exec) may outlive even SIGKILL for a while:
    // what the others wrote is used, and that one is reported instead of holding the observation.
    let stuck = 0;
    await Promise.race([Promise.all(tracers.map((t) => t.closed)), new Promise((r) => setTimeout(r, 20000).unref())]);
    for (const t of tracers) if (t.child.exitCode === null && t.child.signalCode === null) stuck++;
    clearTimeout(killer);

    const first = tracers[0];
    if (/spawn: ENOENT/.test(first.stderr)) return { error: STRACE_INSTALL_HINT };
    const logs = tracers.map((t) => {
      try {
        const text = readFileSync(t.logFile, 'utf8');
        return t.runtimeInit ? afterRuntimeInit(text) : text;
      } catch {
        return '';
      }
    });
    const log = logs.filter((l) => l.trim()).map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join('');
    if (options.logFile) writeFileSync(options.logFile, log);
    const attachFailed = /attach: ptrace\(PTRACE_SEIZE, \d+\): (.*)/.exec(first.stderr);
    if (attachFailed && !logs[0].trim()) {
      return { error: `strace could not attach (${attachFailed[1]}): run as root, and check /proc/sys/kernel/yama/ptrace_scope (3 forbids attaching)` };
    }
    if (!logs[0].trim() && first.stderr.trim()) return { error: `strace: ${first.stderr.trim().split('\n')[0].replace(/^spawn: /, 'failed to start: ')}` };
    return { log, cancelled, truncated, stuck };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
