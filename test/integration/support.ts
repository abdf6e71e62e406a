import * as http from 'node:http';
import { join } from 'node:path';
import { format } from 'node:util';

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

/** The text a user can read in the window (or in the first element matching a CSS selector). */
export async function windowText(selector = ''): Promise<string | undefined> {
  if (!HARNESS) return undefined;
  return post('/text', selector);
}

let logQueue = Promise.resolve();

/**
 * Prints a line in the extension host and in the harness terminal. (VS Code pins the extension
 * host's console.log, so assigning it does nothing: output is forwarded explicitly.)
 */
export function log(...args: unknown[]): void {
  const line = format(...args);
  console.log(line);
  if (!HARNESS) return;
  // Sequential, so the harness prints lines in the order they were logged.
  logQueue = logQueue.then(() => post('/log', line).then(() => undefined, () => undefined));
}

/** Waits until every forwarded line has reached the harness. */
export function flushLog(): Promise<void> {
  return logQueue;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the window shows `text` (in the element matching `selector`), before a screenshot; no-op without a harness. */
export async function shown(text: string, selector = ''): Promise<void> {
  if (!HARNESS) return;
  await waitFor(`"${text}" in the window`, async () => ((await windowText(selector)) ?? '').includes(text));
}

import { waitFor } from '../support/wait';
export { waitFor };
