// Fake Docker engines on 127.0.0.1 for fault cases (slow, stalled, garbage, huge answers), and the
// built CLI run as its own process against them. Never a substitute for the real engine elsewhere.
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { EngineTarget } from '../../src/docker/connection';
import { repoPath } from './paths';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Closes a server and every connection it still holds. */
function closeAll(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A raw TCP listener; `onConnection` decides what the "engine" sends back. */
export async function rawEngine(onConnection: (socket: Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  const port = await listen(server);
  return { port, close: () => closeAll(server, sockets) };
}

export const tcp = (port: number): EngineTarget => ({ host: `tcp://127.0.0.1:${port}`, source: 'test' });

/** A fake Engine API: routes by path (API version prefix removed); records every path asked. */
export async function fakeApi(routes: (path: string, res: ServerResponse) => void): Promise<{ port: number; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    paths.push(req.url ?? '');
    routes((req.url ?? '').replace(/^\/v[\d.]+/, ''), res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return { port, paths, close: () => closeAll(server, sockets) };
}

export const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

export const VERSION = { Version: '20.10.24', ApiVersion: '1.41', Components: [{ Name: 'Engine', Version: '20.10.24' }] };

/**
 * Streams `head`, then `unit` repeated until `bytes` were sent (Infinity: forever), chunked or with
 * a Content-Length, with
 * backpressure and one reused buffer, so the fake engine itself stays small in memory. `sent()`
 * tells how far it got before the client hung up.
 */
export function streamBody(res: ServerResponse, head: string, unit: string, bytes: number, status = 200, options: { chunked?: boolean } = {}): { sent(): number } {
  const chunk = Buffer.from(unit.repeat(Math.max(1, Math.floor(65536 / unit.length))));
  const sized = Number.isFinite(bytes) && !options.chunked;
  res.writeHead(status, { 'Content-Type': 'application/json', ...(sized ? { 'Content-Length': String(bytes) } : {}) });
  let sent = Buffer.byteLength(head);
  res.write(head);
  const more = () => {
    while (!res.destroyed && sent < bytes) {
      const part = bytes - sent >= chunk.length ? chunk : chunk.subarray(0, bytes - sent);
      sent += part.length;
      if (!res.write(part)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  res.on('error', () => {});
  more();
  return { sent: () => sent };
}

export interface CliRun {
  code: number | null;
  stderr: string;
  ms: number;
  /** The CLI process's peak resident set size, in bytes. */
  maxRssBytes: number;
}

// Preloaded into the CLI process: reports its peak RSS on exit (stderr is a pipe: written synchronously).
const REPORT_MAX_RSS = `data:text/javascript,${encodeURIComponent("process.on('exit', () => process.stderr.write(`\\nmax-rss-kib=${process.resourceUsage().maxRSS}\\n`));")}`;

/** Runs the built CLI as its own process: it must report and EXIT (no dangling socket or timer). */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', REPORT_MAX_RSS, repoPath('dist/cli.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.on('close', (code) => {
      clearTimeout(kill);
      const rss = /\nmax-rss-kib=(\d+)\n$/.exec(stderr);
      resolve({ code, stderr: rss ? stderr.slice(0, rss.index) : stderr, ms: Date.now() - started, maxRssBytes: rss ? Number(rss[1]) * 1024 : NaN });
    });
  });
}
