// A separate, isolated dockerd for tests that must configure or restart an engine: its own
// data-root, exec-root, pidfile, unix socket, containerd namespaces, and its own network namespace
// (unshare --net), so its bridge and iptables rules never touch the host's. The machine's main
// engine, which other tests use at the same time, is never touched: a dockerd with iptables
// enabled in the host namespace rewrites the shared DOCKER chains.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';

export interface IsolatedDockerd {
  /** DOCKER_HOST-style address of this engine: unix:///tmp/bhd-…/docker.sock */
  host: string;
  /** The daemon.json path it runs with. */
  configFile: string;
  /** Stops dockerd and removes its directories. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops dockerd, rewrites daemon.json with `config`, starts it again on the same socket and data. */
  restart(config: Record<string, unknown>): Promise<void>;
}

export interface IsolatedDockerdOptions {
  /** The daemon.json content. Keys set here are not also passed as flags (dockerd refuses duplicates). */
  config?: Record<string, unknown>;
  /** Milliseconds to wait for the API to answer. */
  timeoutMs?: number;
}

const DOCKERD = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find(existsSync) ?? 'dockerd';
const UNSHARE = ['/usr/bin/unshare', '/bin/unshare'].find(existsSync) ?? 'unshare';

/** Whether an engine answers /_ping on a unix socket within a second. */
export function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** dockerd bind-mounts its data-root onto itself; a crashed start can leave that behind. */
function unmountUnder(dir: string): void {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p && (p === dir || p.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
  for (const p of points) {
    try {
      execFileSync('umount', ['-l', p], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
}

export async function startIsolatedDockerd(options: IsolatedDockerdOptions = {}): Promise<IsolatedDockerd> {
  // Short path: unix socket paths (containerd's included) must stay under 108 bytes.
  const dir = mkdtempSync('/tmp/bhd-');
  const socket = join(dir, 'docker.sock');
  const configFile = join(dir, 'daemon.json');
  const logFile = join(dir, 'dockerd.log');
  const namespace = `bulkhead-${dir.slice(-6)}`;
  const timeoutMs = options.timeoutMs ?? 60_000;
  let child: ChildProcess | undefined;
  let removed = false;

  const start = async (config: Record<string, unknown>) => {
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const defaults: [string, string][] = [
      ['data-root', join(dir, 'data')],
      ['exec-root', join(dir, 'exec')],
      ['pidfile', join(dir, 'docker.pid')],
      ['ip6tables', 'false'],
      ['storage-driver', 'vfs'],
      ['containerd-namespace', namespace],
      ['containerd-plugins-namespace', `${namespace}-plugins`],
    ];
    const args = ['--config-file', configFile, '--host', `unix://${socket}`, ...defaults.filter(([k]) => !(k in config)).map(([k, v]) => `--${k}=${v}`)];
    const log = openSync(logFile, 'a');
    // unshare execs dockerd, so the child's pid is dockerd's (the audit's probe finds it in /proc).
    child = spawn(UNSHARE, ['--net', '--', DOCKERD, ...args], { stdio: ['ignore', log, log] });
    closeSync(log);
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
    const deadline = Date.now() + timeoutMs;
    while (!(await ping(socket))) {
      if (exited || Date.now() > deadline) {
        const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
        await stopProcess();
        throw new Error(`isolated dockerd did not start (${exited ?? 'timed out'}):\n${tail}`);
      }
      await sleep(100);
    }
  };

  const stopProcess = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) {
      unmountUnder(dir);
      return;
    }
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(timer);
    unmountUnder(dir);
  };

  try {
    await start(options.config ?? {});
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    host: `unix://${socket}`,
    configFile,
    async stop() {
      await stopProcess();
      if (!removed) {
        removed = true;
        rmSync(dir, { recursive: true, force: true });
      }
    },
    async restart(config) {
      await stopProcess();
      await start(config);
    },
  };
}
