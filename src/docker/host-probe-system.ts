// The host side of the audit's evidence: a small HostProbe interface (so tests can replay a
// recorded host) and its implementation over the real file system. Files are read directly;
// the only program run is `auditctl -l`, with an argument array (no shell).
import { execFile } from 'node:child_process';
import { promises as fs, constants as fsConstants } from 'node:fs';

/** Largest host file the audit reads (daemon.json, audit rules, /etc/group, mountinfo): real ones are KiBs. */
export const MAX_HOST_FILE_BYTES = 4 * 1024 * 1024;

/**
 * A regular file's text, at most MAX_HOST_FILE_BYTES. Opened non-blocking and checked on the
 * descriptor, so a FIFO or device put where a config file should be is refused, never waited on;
 * /proc and /sys files (size 0 until read) are read to the cap like any other.
 */
async function readHostFile(path: string): Promise<string> {
  const file = await fs.open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    if (!(await file.stat()).isFile()) throw Object.assign(new Error(`${path} is not a regular file: not read`), { code: 'EINVAL' });
    const buffer = Buffer.alloc(64 * 1024);
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > MAX_HOST_FILE_BYTES) throw Object.assign(new Error(`${path} is larger than ${MAX_HOST_FILE_BYTES / 1048576} MiB: not read`), { code: 'EFBIG' });
      chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
    }
    return Buffer.concat(chunks, size).toString('utf8');
  } finally {
    await file.close();
  }
}

export interface StatResult {
  mode: number;
  uid: number;
  gid: number;
  type: 'file' | 'dir' | 'socket' | 'symlink' | 'other';
}

export interface HostProbe {
  readFile(path: string): Promise<string>;
  stat(path: string): Promise<StatResult>;
  readdir(path: string): Promise<string[]>;
  /** Runs a program without a shell; rejects when it cannot run or exits non-zero. */
  run(file: string, args: string[]): Promise<string>;
  isRoot(): boolean;
  exists(path: string): Promise<boolean>;
  readlink(path: string): Promise<string>;
}

export const systemProbe: HostProbe = {
  readFile: readHostFile,
  async stat(p) {
    const s = await fs.stat(p);
    return { mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, type: s.isFile() ? 'file' : s.isDirectory() ? 'dir' : s.isSocket() ? 'socket' : s.isSymbolicLink() ? 'symlink' : 'other' };
  },
  readdir: (p) => fs.readdir(p),
  run: (file, args) =>
    new Promise((resolve, reject) => {
      execFile(file, args, { encoding: 'utf8', timeout: 5000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${file} ${args.join(' ')}: ${(stderr || err.message).trim().split('\n')[0]}`));
        else resolve(stdout);
      });
    }),
  isRoot: () => typeof process.getuid === 'function' && process.getuid() === 0,
  exists: (p) => fs.access(p, fsConstants.F_OK).then(() => true, () => false),
  readlink: (p) => fs.readlink(p),
};

/**
 * The same probe over a directory standing in for "/" (a recorded or constructed host tree):
 * real files, real modes, no programs: a program's recorded output is the file
 * `<root>/.run/<program and arguments joined by spaces>` (e.g. `.run/auditctl -l`).
 */
export function probeUnder(root: string): HostProbe {
  const at = (p: string) => root.replace(/\/+$/, '') + p;
  return {
    readFile: (p) => systemProbe.readFile(at(p)),
    stat: (p) => systemProbe.stat(at(p)),
    readdir: (p) => systemProbe.readdir(at(p)),
    run: (file, args) => systemProbe.readFile(`${root.replace(/\/+$/, '')}/.run/${[file, ...args].join(' ')}`).catch(() => Promise.reject(new Error(`${file}: not available on a recorded host`))),
    isRoot: systemProbe.isRoot,
    exists: (p) => systemProbe.exists(at(p)),
    readlink: (p) => systemProbe.readlink(at(p)),
  };
}
