import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import type { ImageUser } from '../../engine/harden/evidence';

/**
 * What the host can read about a container from /proc/PID (we run as root on the engine's
 * machine): its filesystem through /proc/PID/root, its listening sockets through /proc/PID/net,
 * its peaks through the cgroup files. Every walk and read is bounded.
 */

const MAX_ENTRIES = 50000;
const SKIP = new Set(['proc', 'sys', 'dev', '.bulkhead']);
const PROBE_TOOLS = ['wget', 'curl', 'nc'];

export interface RootfsFacts {
  setuidFiles: string[];
  users: ImageUser[];
  tools: string[];
  /** Directories (up to three levels deep) that hold anything. */
  nonEmptyDirs: string[];
}

/** Setuid/setgid files, users, probe tools and non-empty directories of a container's filesystem. */
export function scanRootfs(pid: number): RootfsFacts {
  const root = `/proc/${pid}/root`;
  const facts: RootfsFacts = { setuidFiles: [], users: [], tools: [], nonEmptyDirs: [] };
  let seen = 0;
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(root + dir);
    } catch {
      return;
    }
    if (names.length && dir !== '/' && depth <= 4) facts.nonEmptyDirs.push(dir);
    for (const name of names) {
      if (++seen > MAX_ENTRIES) return;
      if (dir === '/' && SKIP.has(name)) continue;
      const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
      let st;
      try {
        st = lstatSync(root + path);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(path, depth + 1);
      // 0o6000: setuid or setgid, on a regular file that someone may execute.
      else if (st.isFile() && st.mode & 0o6000 && st.mode & 0o111) facts.setuidFiles.push(path);
    }
  };
  walk('/', 1);
  try {
    const passwd = readFileSync(`${root}/etc/passwd`, 'utf8').slice(0, 256 * 1024);
    for (const line of passwd.split('\n')) {
      const [name, , uid, gid] = line.split(':');
      if (name && /^\d+$/.test(uid ?? '') && /^\d+$/.test(gid ?? '')) facts.users.push({ name, uid: Number(uid), gid: Number(gid) });
    }
  } catch {
    // No /etc/passwd: numeric users only.
  }
  for (const dir of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    for (const tool of PROBE_TOOLS) {
      if (facts.tools.some((t) => t.endsWith(`/${tool}`))) continue;
      try {
        if (readdirSync(root + dir).includes(tool)) facts.tools.push(`${dir}/${tool}`);
      } catch {
        // Directory missing.
      }
    }
  }
  facts.setuidFiles.sort();
  return facts;
}

const DOCKER_DNS = '0B00007F';

/** TCP ports in LISTEN state in the network namespace of the process (IPv4 and IPv6). */
export function listeningPorts(pid: number): number[] {
  const ports = new Set<number>();
  for (const file of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${file}`, 'utf8').slice(0, 4 * 1024 * 1024);
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols[1] = local address:port (hex), cols[3] = state; 0A is LISTEN. 127.0.0.11 is
      // Docker's embedded DNS server (a new random port in every container), not the service.
      if (cols[3] === '0A' && !cols[1].startsWith(`${DOCKER_DNS}:`)) ports.add(parseInt(cols[1].split(':').pop() ?? '', 16));
    }
  }
  return [...ports].filter((p) => p > 0).sort((a, b) => a - b);
}

/** Whether the port answers an HTTP request (and its status), within the deadline. */
export function probeHttp(host: string, port: number, timeoutMs = 2000): Promise<{ http: boolean; status?: number }> {
  return new Promise((resolve) => {
    let data = '';
    const socket = connect({ host, port });
    const done = () => {
      socket.destroy();
      const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(data);
      resolve(m ? { http: true, status: Number(m[1]) } : { http: false });
    };
    socket.setTimeout(timeoutMs, done);
    socket.on('connect', () => socket.write(`GET / HTTP/1.0\r\nHost: ${host}:${port}\r\nUser-Agent: bulkhead-harden\r\n\r\n`));
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (data.length > 4096 || data.includes('\r\n')) done();
    });
    socket.on('end', done);
    socket.on('error', done);
  });
}

function readNumber(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Peak memory and processes of a container while it runs: memory from the cgroup's own
 * high-water mark, pids by sampling every 100 ms (cgroup v1 cgroupfs or systemd driver, v2).
 */
export function watchPeaks(id: string): { stop(): { peakMemoryBytes?: number; peakPids?: number } } {
  const bases = [
    { mem: `/sys/fs/cgroup/memory/docker/${id}/memory.max_usage_in_bytes`, pids: `/sys/fs/cgroup/pids/docker/${id}/pids.current` },
    { mem: `/sys/fs/cgroup/memory/system.slice/docker-${id}.scope/memory.max_usage_in_bytes`, pids: `/sys/fs/cgroup/pids/system.slice/docker-${id}.scope/pids.current` },
    { mem: `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.peak`, pids: `/sys/fs/cgroup/system.slice/docker-${id}.scope/pids.current` },
  ];
  let peakMemoryBytes: number | undefined;
  let peakPids: number | undefined;
  const sample = () => {
    for (const b of bases) {
      const mem = readNumber(b.mem);
      const pids = readNumber(b.pids);
      if (mem !== undefined) peakMemoryBytes = Math.max(peakMemoryBytes ?? 0, mem);
      if (pids !== undefined) peakPids = Math.max(peakPids ?? 0, pids);
      if (mem !== undefined || pids !== undefined) return;
    }
  };
  sample();
  const timer = setInterval(sample, 100);
  return {
    stop() {
      sample();
      clearInterval(timer);
      return { peakMemoryBytes, peakPids };
    },
  };
}
