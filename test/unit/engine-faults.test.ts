// Engines that misbehave, played by small fake listeners on 127.0.0.1: slow, stalled, wrong
// shapes, HTTP 500s, the wrong protocol. Every case is bounded in time and must end in a clear
// message, never a hang, a TypeError with a stack, or an unhandled 'error' event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import type { Socket } from 'node:net';
import { connectEngine, createClient, resolveDefaultEngine } from '../../src/docker/connection';
import { analyseEngine } from '../../src/docker/containers';
import { engineApi, engineGet, pathSegment, parseEngineEvent, shapeProblem, SHAPES } from '../../src/docker/engine-api';
import { gatherEvidence } from '../../src/docker/host-probe';
import { observeContainer } from '../../src/docker/profile';
import { main } from '../../src/cli/main';
import { cli, fakeApi, json, rawEngine, tcp, VERSION } from '../support/fake-engine';
import { githubSarifProblems } from '../support/sarif-github';

/** Answers one byte every 2 s, forever: never idle long enough for an idle timeout. */
const dripping = (socket: Socket) => {
  socket.once('data', () => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n');
    const timer = setInterval(() => socket.write(' '), 2000);
    socket.on('close', () => clearInterval(timer));
  });
};

/** Sends the headers, then nothing. */
const stalling = (socket: Socket) => {
  socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n'));
};

test('engineGet: an overall deadline, not an idle timeout: a dripping engine is cut off and the request destroyed', async () => {
  let open = 0;
  const engine = await rawEngine((socket) => {
    open++;
    socket.on('close', () => open--);
    dripping(socket);
  });
  try {
    const client = createClient(tcp(engine.port), { timeoutMs: 5000 });
    const started = Date.now();
    await assert.rejects(engineGet(client, '/version', () => undefined, { deadlineMs: 1500 }), (e: Error & { code?: string }) => e.code === 'ETIMEDOUT' && /longer than 1500 ms/.test(e.message));
    const took = Date.now() - started;
    assert.ok(took < 3000, `gave up after ${took} ms`);
    // The request's socket is gone (destroyed), not left dripping.
    for (let i = 0; i < 50 && open > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(open, 0);
  } finally {
    await engine.close();
  }
});

test('engineGet: headers then silence hits the deadline too', async () => {
  const engine = await rawEngine(stalling);
  try {
    const client = createClient(tcp(engine.port), { timeoutMs: 60000 });
    await assert.rejects(engineGet(client, '/info', () => undefined, { deadlineMs: 800 }), { code: 'ETIMEDOUT' });
  } finally {
    await engine.close();
  }
});

for (const [name, behaviour] of [['one byte every 2 s', dripping], ['headers then silence', stalling]] as const) {
  test(`CLI: audit containers and audit host against an engine sending ${name} finish within the deadline and exit`, async () => {
    const engine = await rawEngine(behaviour);
    try {
      const [containers, host] = await Promise.all([
        cli(['audit', 'containers', '--engine', `tcp://127.0.0.1:${engine.port}`]),
        cli(['audit', 'host', '--host', `tcp://127.0.0.1:${engine.port}`]),
      ]);
      for (const [what, r] of [['containers', containers], ['host', host]] as const) {
        assert.equal(r.code, 2, `${what}: ${r.stderr}`);
        assert.match(r.stderr, /did not answer in time/, what);
        assert.doesNotMatch(r.stderr, /TypeError|    at /, what);
        // The connect deadline is 10 s; the process exits right after reporting.
        assert.ok(r.ms < 20000, `${what} took ${r.ms} ms`);
      }
    } finally {
      await engine.close();
    }
  });
}

test('shapes: a 200 with a non-JSON body or JSON of the wrong shape is "an unexpected response", not a TypeError', async () => {
  let mode: 'text' | 'shape' | 'list' = 'text';
  const api = await fakeApi((path, res) => {
    if (path === '/version') return mode === 'text' ? json(res, 200, '<html>hello</html>') : mode === 'shape' ? json(res, 200, { Version: 42 }) : json(res, 200, VERSION);
    if (path.startsWith('/containers/json')) return json(res, 200, [{ Id: 7 }]);
    json(res, 404, { message: 'no' });
  });
  try {
    for (const m of ['text', 'shape'] as const) {
      mode = m;
      const c = await connectEngine(tcp(api.port), 3000);
      assert.equal(c.ok, false);
      if (!c.ok) assert.match(c.problem.message, /returned an unexpected response: GET \/version: (expected a JSON object, got non-JSON text|Version is number, expected string)/, m);
    }
    mode = 'list';
    const err: string[] = [];
    const code = await main(['audit', 'containers', '--engine', `tcp://127.0.0.1:${api.port}`], { out: () => {}, err: (t) => err.push(t) });
    assert.equal(code, 2);
    assert.match(err.join(''), /unexpected response: GET \/containers\/json: item 0: Id is number, expected string/);
  } finally {
    await api.close();
  }
});

test('one container whose inspect fails (HTTP 500) is reported on its own; the others are judged', async () => {
  const good = { Id: 'a'.repeat(64), Name: '/good', State: { Status: 'running', Running: false }, Config: { Image: 'x' }, HostConfig: { Privileged: true } };
  const api = await fakeApi((path, res) => {
    if (path === '/version') return json(res, 200, VERSION);
    if (path.startsWith('/containers/json')) return json(res, 200, [{ Id: 'b'.repeat(64), Names: ['/broken\u001b[2J'], Image: 'y', State: 'running' }, { Id: good.Id, Names: ['/good'] }]);
    if (path.startsWith(`/containers/${good.Id}/json`)) return json(res, 200, good);
    json(res, 500, { message: 'boom \u001b]0;title\u0007' });
  });
  try {
    const out: string[] = [];
    const code = await main(['audit', 'containers', '--engine', `tcp://127.0.0.1:${api.port}`], { out: (t) => out.push(t), err: () => {} });
    const text = out.join('');
    assert.equal(code, 1, 'the judged container has findings');
    assert.match(text, /^broken\\e\[2J \(y, running\): not judged\n  error cannot inspect this container: .*HTTP code 500.*boom \\e\]0;title\\x07/m);
    assert.match(text, /^good \(x, running\): .*error/m);
    assert.match(text, /2 container\(s\) on .*, 1 container\(s\) could not be inspected/);
    assert.doesNotMatch(text, /\u001b/);
    const sarif: string[] = [];
    await main(['audit', 'containers', '--format', 'sarif', '--engine', `tcp://127.0.0.1:${api.port}`], { out: (t) => sarif.push(t), err: () => {} });
    assert.deepEqual(githubSarifProblems(JSON.parse(sarif.join(''))), [], 'every container finding has a location GitHub accepts');
    const containers = await analyseEngine(createClient(tcp(api.port)), tcp(api.port), { readLive: false });
    assert.deepEqual(containers.map((c) => [c.name, c.errors.length > 0]), [['broken\u001b[2J', true], ['good', false]]);
  } finally {
    await api.close();
  }
});

test("ids and names are path segments: profile '../info?x=' reaches no other endpoint and raises no unhandled error", async () => {
  const api = await fakeApi((path, res) => (path.startsWith('/containers/') ? json(res, 404, { message: 'No such container' }) : json(res, 200, { ID: 'leak' })));
  try {
    assert.equal(pathSegment('../info?x='), '%2E%2E%2Finfo%3Fx%3D');
    const observed = await observeContainer(createClient(tcp(api.port)), '../info?x=', { seconds: 1 });
    assert.equal(observed.error, 'no container "../info?x="');
    assert.deepEqual(api.paths, ['/containers/%2E%2E%2Finfo%3Fx%3D/json']);
    await engineApi.inspectExec(createClient(tcp(api.port)), '..');
    assert.equal(api.paths[1], '/exec/%2E%2E/json', 'a ".." id stays one segment');
    assert.ok(!api.paths.some((p) => p.startsWith('/info') || p === '/json'), api.paths.join(' '));
  } finally {
    await api.close();
  }
});

test('audit host: an engine whose list calls fail with HTTP 500 still audits what it can, with the errors as notes', async () => {
  const api = await fakeApi((path, res) => {
    if (path === '/version') return json(res, 200, VERSION);
    if (path === '/info') return json(res, 200, { ServerVersion: '20.10.24', SecurityOptions: ['name=seccomp,profile=default'] });
    json(res, 500, { message: 'server broke' });
  });
  try {
    const ev = await gatherEvidence(createClient(tcp(api.port)), tcp(api.port), { deadlineMs: 3000 });
    assert.ok(ev.info);
    assert.ok(ev.errors.some((e) => /containers: .*HTTP code 500/.test(e)), ev.errors.join('\n'));
    assert.deepEqual(ev.containers, []);
  } finally {
    await api.close();
  }
});

test('events and other shapes: small schemas accept real answers and reject wrong ones', () => {
  assert.equal(shapeProblem({ Id: 'x', Name: '/n', State: { Running: true }, Mounts: null }, SHAPES.containerInspect), undefined);
  assert.match(shapeProblem({ Id: 'x', Mounts: 'no' }, SHAPES.containerInspect) ?? '', /Mounts is string, expected array/);
  assert.match(shapeProblem([], SHAPES.info) ?? '', /expected a JSON object, got array/);
  assert.deepEqual(parseEngineEvent({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'n' } } })?.Action, 'start');
  assert.equal(parseEngineEvent({ Type: 'container', Actor: 'nope' }), undefined);
  assert.equal(parseEngineEvent('garbage'), undefined);
});

test('messages name the real cause: TLS to a plain port', async () => {
  const api = await fakeApi((_p, res) => json(res, 200, VERSION));
  try {
    const c = await connectEngine({ ...tcp(api.port), tls: { verify: false } }, 3000);
    assert.equal(c.ok, false);
    if (!c.ok) {
      assert.equal(c.problem.kind, 'tls');
      assert.match(c.problem.message, /TLS handshake with tcp:\/\/127\.0\.0\.1:\d+ failed: the port answers without TLS/);
      assert.doesNotMatch(`${c.problem.message} ${c.problem.hint}`, /socket does not exist|Start the engine/);
    }
  } finally {
    await api.close();
  }
});

test('messages name the real cause: plain HTTP to a TLS port (dockerd answers 400, other TLS servers hang up)', async () => {
  // What Go's TLS server (dockerd) sends to a plain HTTP request.
  const goTls = await rawEngine((socket) => socket.once('data', () => socket.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n')));
  const hangUp = await rawEngine((socket) => socket.once('data', () => socket.destroy()));
  try {
    for (const port of [goTls.port, hangUp.port]) {
      const c = await connectEngine(tcp(port), 3000);
      assert.equal(c.ok, false);
      if (!c.ok) {
        assert.equal(c.problem.kind, 'tls', c.problem.message);
        assert.match(c.problem.message, /TLS/);
        assert.match(c.problem.hint ?? '', /DOCKER_TLS_VERIFY/);
        assert.doesNotMatch(c.problem.hint ?? '', /Start the engine/);
      }
    }
  } finally {
    await goTls.close();
    await hangUp.close();
  }
});

test('messages name the real cause: a DNS failure', async () => {
  const c = await connectEngine({ host: 'tcp://bulkhead-no-such-host.invalid:2375', source: 'DOCKER_HOST' }, 5000);
  assert.equal(c.ok, false);
  if (!c.ok) {
    assert.match(c.problem.message, /host name bulkhead-no-such-host\.invalid .* does not resolve \(DNS/);
    assert.doesNotMatch(c.problem.hint ?? '', /Start the engine/);
  }
});

test('messages name the real cause: a missing certificate directory', async () => {
  const target = resolveDefaultEngine({ DOCKER_HOST: 'tcp://127.0.0.1:1', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent/bulkhead-certs', HOME: '/nonexistent' });
  const c = await connectEngine(target, 3000);
  assert.equal(c.ok, false);
  if (!c.ok) assert.match(c.problem.message, /TLS certificate directory \/nonexistent\/bulkhead-certs \(DOCKER_CERT_PATH\) does not exist/);
});

test('an ssh address without a user uses the local user, as the docker CLI does', () => {
  const client = createClient({ host: 'ssh://build.example', source: 'test' });
  assert.equal((client.modem as unknown as { username?: string }).username, userInfo().username);
  const explicit = createClient({ host: 'ssh://deploy@build.example', source: 'test' });
  assert.equal((explicit.modem as unknown as { username?: string }).username, 'deploy');
});
