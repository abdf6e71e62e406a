import * as http from 'node:http';
import { join } from 'node:path';

/**
 * The harness that started VS Code (scripts/integration.mjs) listens on BULKHEAD_HARNESS_URL:
 * it takes screenshots of the real window and echoes the suite's output to its terminal.
 * Under a host without it (test-electron), screenshots are skipped with a note.
 */
const HARNESS = process.env.BULKHEAD_HARNESS_URL;
export const OUTPUT_DIR = process.env.BULKHEAD_TEST_OUTPUT ?? join(__dirname, '..', '..', '..', 'test-output');

function post(path: string, body: string): Promise<string> {
  if (!HARNESS) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, HARNESS), { method: 'POST', headers: { 'content-type': 'text/plain' } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(data) : reject(new Error(`harness ${path}: ${res.statusCode} ${data}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Saves a PNG of the whole VS Code window as test-output/screenshots/<name>.png; returns its path. */
export async function screenshot(name: string): Promise<string | undefined> {
  if (!HARNESS) {
    console.log(`(screenshot "${name}" skipped: no harness page in this host)`);
    return undefined;
  }
  return post('/screenshot', name.replace(/[^\w.-]+/g, '-'));
}

/** Mirrors console output of the extension host to the harness terminal. */
export function forwardConsole(): void {
  if (!HARNESS) return;
  const original = console.log.bind(console);
  let queue = Promise.resolve();
  console.log = (...args: unknown[]) => {
    original(...args);
    const line = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    // Sequential, so the harness prints lines in the order they were logged.
    queue = queue.then(() => post('/log', line).then(() => undefined, () => undefined));
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` returns a truthy value or the time runs out (then throws with `what`). */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
