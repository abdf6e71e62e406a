// Engines that answer too much: a 64 MiB container list, an endless chunked body, a 100 MB
// /version, a 10 MiB event line without a newline. Every read stops at its documented cap with a
// clear message, in bounded time, and memory grows by far less than the body (fake engines on
// 127.0.0.1; the CLI runs as its own process so its peak RSS can be read).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine, createClient } from '../../src/docker/connection';
import { engineEvents, engineGet, EngineResponseTooLarge, MAX_EVENT_BYTES, MAX_LIST_BYTES, MAX_OBJECT_BYTES, readBody } from '../../src/docker/engine-api';
import { listLocalImages } from '../../src/docker/image-list';
import { gatherEvidence } from '../../src/docker/host-probe';
import { MAX_HOST_FILE_BYTES, probeUnder, systemProbe } from '../../src/docker/host-probe-system';
import { EngineWatcher, type WatcherTiming } from '../../src/extension/containers/events';
import { singleEngineProblem } from '../../src/extension/containers/model';
import { cli, fakeApi, json, streamBody, tcp, VERSION } from '../support/fake-engine';
import { waitFor } from '../support/wait';

const MIB = 1024 * 1024;
const SUMMARY = `{"Id":"${'a'.repeat(64)}","Names":["/x"],"Image":"busybox","State":"running"},`;

type Route = (path: string, res: ServerResponse) => boolean;
/** /version, an empty container list and an empty /events unless `route` answers first. */
function engineWith(route: Route) {
  return fakeApi((path, res) => {
    if (route(path, res)) return;
    if (path === '/version') return json(res, 200, VERSION);
    if (path.startsWith('/containers/json') || path.startsWith('/images/json')) return json(res, 200, []);
    if (path.startsWith('/events')) return void res.writeHead(200, { 'Content-Type': 'application/json' });
    json(res, 404, { message: 'no such thing' });
  });
}

/**
 * `body`: what the engine would send. `cap`: the limit of that call. Memory grows by about twice
 * what was read before the cut (the socket's buffers wait for the collector: 8 MiB read, ~17 MiB
 * peak), never by the body: less than three times the cap, and less than a third of the body.
 */
const CASES: { name: string; route: Route; body: number; cap: number; message: RegExp }[] = [
  {
    name: 'a /containers/json of 64 MiB (its Content-Length refused before reading)',
    route: (path, res) => path.startsWith('/containers/json') && (streamBody(res, '[', SUMMARY, 64 * MIB), true),
    body: 64 * MIB,
    cap: MAX_LIST_BYTES,
    message: /answer to GET \/containers\/json at tcp:\/\/127\.0\.0\.1:\d+ was larger than 8 MiB; Bulkhead stopped reading it/,
  },
  {
    name: 'a chunked /containers/json of 64 MiB',
    route: (path, res) => path.startsWith('/containers/json') && (streamBody(res, '[', SUMMARY, 64 * MIB, 200, { chunked: true }), true),
    body: 64 * MIB,
    cap: MAX_LIST_BYTES,
    message: /answer to GET \/containers\/json at .* was larger than 8 MiB/,
  },
  {
    name: 'an endless chunked /containers/json',
    route: (path, res) => path.startsWith('/containers/json') && (streamBody(res, '[', SUMMARY, Infinity), true),
    body: Infinity,
    cap: MAX_LIST_BYTES,
    message: /answer to GET \/containers\/json at .* was larger than 8 MiB/,
  },
  {
    name: 'a chunked /version of 100 MB',
    route: (path, res) => path === '/version' && (streamBody(res, '{"Version":"', 'x', 100_000_000, 200, { chunked: true }), true),
    body: 100_000_000,
    cap: MAX_OBJECT_BYTES,
    message: /answer to GET \/version at .* was larger than 4 MiB; Bulkhead stopped reading it/,
  },
];

/** What memory may grow by for one case (see CASES). */
const allowedGrowth = (c: (typeof CASES)[number]) => Math.min(c.body / 3, 3 * c.cap);

test('the caps are what the docs say: 4 MiB for one object, 8 MiB for a list, 256 KiB for one event', () => {
  assert.deepEqual([MAX_OBJECT_BYTES, MAX_LIST_BYTES, MAX_EVENT_BYTES], [4 * MIB, 8 * MIB, 256 * 1024]);
});

test('CLI: audit containers against engines that answer too much reports the cap, exits 2, and stays small', async (t) => {
  const normal = await engineWith(() => false);
  let baseline: number;
  try {
    const r = await cli(['audit', 'containers', '--engine', `tcp://127.0.0.1:${normal.port}`]);
    assert.equal(r.code, 0, r.stderr);
    baseline = r.maxRssBytes;
    assert.ok(baseline > 0, 'the peak RSS was reported');
  } finally {
    await normal.close();
  }
  for (const c of CASES) {
    const engine = await engineWith(c.route);
    try {
      const r = await cli(['audit', 'containers', '--engine', `tcp://127.0.0.1:${engine.port}`]);
      assert.equal(r.code, 2, `${c.name}: ${r.stderr}`);
      assert.match(r.stderr, c.message, c.name);
      assert.doesNotMatch(r.stderr, /TypeError|RangeError|    at /, c.name);
      assert.ok(r.ms < 20000, `${c.name}: took ${r.ms} ms`);
      const growth = r.maxRssBytes - baseline;
      t.diagnostic(`${c.name}: ${r.ms} ms, peak RSS +${(growth / MIB).toFixed(1)} MiB`);
      assert.ok(growth < allowedGrowth(c), `${c.name}: peak RSS grew by ${(growth / MIB).toFixed(1)} MiB over a normal run`);
    } finally {
      await engine.close();
    }
  }
});

/** Runs `work` while sampling this process's RSS; resolves with its result and the peak growth. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ value: T; growth: number }> {
  global.gc?.();
  const start = process.memoryUsage.rss();
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  try {
    const value = await work();
    return { value, growth: Math.max(peak, process.memoryUsage.rss()) - start };
  } finally {
    clearInterval(sampler);
  }
}

const FAST: WatcherTiming = { debounceMs: 50, backoffMs: 60000, maxBackoffMs: 60000, pollMs: 60000, requestTimeoutMs: 15000 };

for (const c of CASES) {
  test(`Containers view: ${c.name} gives the engine-error state with the cap, in bounded time and memory`, async (t) => {
    const engine = await engineWith(c.route);
    const log: string[] = [];
    const watcher = new EngineWatcher(tcp(engine.port), () => undefined, () => ({ readLive: false }), FAST, (m) => log.push(m));
    try {
      const started = Date.now();
      const { growth } = await peakGrowth(async () => {
        watcher.start();
        await waitFor('the engine-error state', () => watcher.snapshot.status === 'problem', 20000);
      });
      const problem = singleEngineProblem([watcher.snapshot]);
      assert.equal(problem?.kind, 'error');
      assert.match(problem?.message ?? '', c.message);
      assert.match(problem?.hint ?? '', /Engine API/);
      assert.ok(log.some((m) => c.message.test(m)), log.join('\n'));
      assert.ok(Date.now() - started < 15000, `took ${Date.now() - started} ms`);
      t.diagnostic(`${Date.now() - started} ms, RSS +${(growth / MIB).toFixed(1)} MiB`);
      assert.ok(growth < allowedGrowth(c), `RSS grew by ${(growth / MIB).toFixed(1)} MiB`);
    } finally {
      watcher.stop();
      await engine.close();
    }
  });
}

test('Containers view: an event line of 10 MiB without a newline stops the event stream at 256 KiB; the view polls instead and stays ready', async () => {
  let events: { sent(): number } | undefined;
  let eventRequests = 0;
  const engine = await engineWith((path, res) => {
    if (!path.startsWith('/events')) return false;
    eventRequests++;
    events = streamBody(res, '{"Type":"container","Action":"start","Actor":{"Attributes":{"name":"', 'x', 10 * MIB);
    return true;
  });
  const log: string[] = [];
  const watcher = new EngineWatcher(tcp(engine.port), () => undefined, () => ({ readLive: false }), FAST, (m) => log.push(m));
  try {
    const { growth } = await peakGrowth(async () => {
      watcher.start();
      await waitFor('the poll fallback', () => watcher.snapshot.updates === 'poll', 20000);
    });
    assert.equal(watcher.snapshot.status, 'ready', 'the containers were read; only events are refused');
    assert.equal(eventRequests, 1, 'no reconnect loop reading the same oversized event again');
    assert.ok(log.some((m) => /answer to one GET \/events event was larger than 256 KiB; reading stopped; polling every 60 s/.test(m)), log.join('\n'));
    assert.ok((events?.sent() ?? 0) < 10 * MIB, `the engine was cut off (${events?.sent()} bytes sent)`);
    assert.ok(growth < (10 * MIB) / 4, `RSS grew by ${(growth / MIB).toFixed(1)} MiB`);
  } finally {
    watcher.stop();
    await engine.close();
  }
});

test('events: lines split across chunks and several events per chunk are parsed; non-events are skipped', async () => {
  const engine = await engineWith((path, res) => {
    if (!path.startsWith('/events')) return false;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"Type":"container","Action":"start","id":"a1"}\n{"Type":"contai');
    setTimeout(() => res.write('ner","Action":"die","id":"a2"}\nnot json\n[1]\n{"Type":"container","Action":"stop","id":"a3"}\n'), 20);
    return true;
  });
  try {
    const stream = await engineEvents(createClient(tcp(engine.port), { timeoutMs: 0 }), {});
    const seen: string[] = [];
    stream.on('data', (e: { Action?: string }) => seen.push(e.Action ?? ''));
    await waitFor('three events', () => seen.length >= 3, 5000);
    assert.deepEqual(seen, ['start', 'die', 'stop']);
    stream.destroy();
  } finally {
    await engine.close();
  }
});

test('audit host and the Images view: a too-large answer is that call\'s error; the other calls are still made', async () => {
  const engine = await engineWith((path, res) => {
    if (path === '/info') return json(res, 200, { ServerVersion: '20.10.24' }), true;
    return path.startsWith('/images/json') && (streamBody(res, '[', '{"Id":"sha256:1"},', 20 * MIB), true);
  });
  try {
    const client = createClient(tcp(engine.port));
    const ev = await gatherEvidence(client, tcp(engine.port), { deadlineMs: 10000, forceRemote: true });
    assert.ok(ev.info, 'info was read');
    assert.ok(ev.errors.some((e) => /^images: ETOOLARGE: the engine's answer to GET \/images\/json was larger than 8 MiB; reading stopped$/.test(e)), ev.errors.join('\n'));
    await assert.rejects(listLocalImages(client), (e) => e instanceof EngineResponseTooLarge && e.maxBytes === MAX_LIST_BYTES);
  } finally {
    await engine.close();
  }
});

test('an HTTP error with an endless body is reported by its status, without reading the body', async () => {
  const engine = await engineWith((path, res) => {
    if (!path.startsWith('/containers/x/json')) return false;
    streamBody(res, '', 'boom ', Infinity, 500);
    return true;
  });
  try {
    const started = Date.now();
    await assert.rejects(engineGet(createClient(tcp(engine.port)), '/containers/x/json', () => undefined), (e: Error & { statusCode?: number }) => e.statusCode === 500 && /^\(HTTP code 500\) server error - \(error body larger than 64 KiB, not read\)/.test(e.message));
    assert.ok(Date.now() - started < 5000);
    const c = await connectEngine(tcp(engine.port), 3000);
    assert.equal(c.ok, true, 'the engine itself is usable');
  } finally {
    await engine.close();
  }
});

test('readBody: exactly the cap is read; one byte more fails', async () => {
  const { Readable } = await import('node:stream');
  const at = await readBody(Readable.from([Buffer.alloc(3), Buffer.alloc(2)]), 5, 'x');
  assert.equal(at.length, 5);
  await assert.rejects(readBody(Readable.from([Buffer.alloc(3), Buffer.alloc(3)]), 5, 'x'), EngineResponseTooLarge);
});

test('every dockerode call of a client from createClient is bounded too: a huge answer, and an endless error body of a stream', async () => {
  const engine = await engineWith((path, res) => {
    if (path.startsWith('/networks')) return streamBody(res, '[', '{"Name":"n"},', 64 * MIB, 200, { chunked: true }), true;
    if (path.startsWith('/images/x/get')) return streamBody(res, '', 'boom ', Infinity, 500), true;
    return false;
  });
  try {
    const client = createClient(tcp(engine.port));
    await assert.rejects(client.listNetworks(), (e) => e instanceof EngineResponseTooLarge && /GET \/networks was larger than 8 MiB/.test(e.message));
    await assert.rejects(client.getImage('x').get(), (e: Error & { statusCode?: number }) => e.statusCode === 500 && /error body larger than 64 KiB, not read/.test(e.message));
    // Ordinary answers and statuses come back as dockerode expects them.
    assert.equal((await client.version()).Version, VERSION.Version);
    await assert.rejects(client.getContainer('nope').inspect(), { statusCode: 404, message: '(HTTP code 404) no such container - no such thing ' });
  } finally {
    await engine.close();
  }
});

test('host audit files: a FIFO is refused without waiting, a file past 4 MiB is not read, /proc files are read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-hostfiles-'));
  try {
    mkdirSync(join(dir, 'etc', 'docker'), { recursive: true });
    execFileSync('mkfifo', [join(dir, 'etc', 'docker', 'daemon.json')]);
    writeFileSync(join(dir, 'etc', 'group'), Buffer.alloc(MAX_HOST_FILE_BYTES + 1, 'a'));
    const probe = probeUnder(dir);
    await assert.rejects(probe.readFile('/etc/docker/daemon.json'), /not a regular file: not read/);
    await assert.rejects(probe.readFile('/etc/group'), /larger than 4 MiB: not read/);
    assert.match(await systemProbe.readFile('/proc/self/status'), /^Name:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
