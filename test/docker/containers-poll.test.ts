import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineWatcher } from '../../src/extension/containers/events';
import { DOCKER_CLI, TEST_IMAGE, docker, dockerTestOptions, uniqueName } from '../support/docker';
import { waitFor } from '../support/wait';

// An engine whose event stream fails (some Podman versions, proxies that cut long requests): the
// real engine behind a pass-through proxy that refuses /events. The watcher must fall back to a
// slow poll, keep trying events on every poll, and still see containers come and go.


test('when events fail the watcher polls slowly, retries events on each poll, and still follows containers', dockerTestOptions(), async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-poll-'));
  const socket = join(dir, 'engine.sock');
  let eventRequests = 0;
  const proxy = http.createServer((req, res) => {
    if ((req.url ?? '').includes('/events')) {
      eventRequests++;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"message":"events are disabled on this engine"}');
      return;
    }
    const upstream = http.request({ socketPath: '/var/run/docker.sock', path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(socket, resolve));
  const name = uniqueName('poll');
  const watcher = new EngineWatcher({ host: `unix://${socket}`, source: 'test proxy' }, () => undefined, () => ({ readLive: false }), {
    debounceMs: 100,
    backoffMs: 300,
    maxBackoffMs: 1000,
    pollMs: 1000,
    requestTimeoutMs: 5000,
  });
  t.after(() => {
    watcher.stop();
    spawnSync(DOCKER_CLI, ['rm', '-f', name]);
    proxy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  watcher.start();
  await watcher.waitSettled();
  assert.equal(watcher.snapshot.status, 'ready');
  await waitFor('the poll fallback', () => watcher.snapshot.updates === 'poll');

  docker(['create', '--name', name, TEST_IMAGE, 'sleep', '60']);
  await waitFor('the new container through polling', () => watcher.snapshot.containers.some((c) => c.name === name), 10000);
  docker(['rm', '-f', name]);
  await waitFor('the removed container through polling', () => !watcher.snapshot.containers.some((c) => c.name === name), 10000);
  assert.ok(eventRequests >= 2, `events are retried on every poll (${eventRequests} attempts)`);
  assert.equal(watcher.snapshot.status, 'ready');
});
