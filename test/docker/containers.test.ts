import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { checkContainer } from '../../src/engine/lint';
import type { ContainerInspect } from '../../src/engine/runtime/container';
import { connectEngine, createClient, resolveDefaultEngine, type EngineTarget } from '../../src/docker/connection';
import { analyseEngine } from '../../src/docker/containers';
import { locateComposeService } from '../../src/docker/compose-source';
import { hardenedRunArgs, hardenedSpec } from '../../src/engine/runtime/hardened';
import { EngineWatcher, type WatcherTiming } from '../../src/extension/containers/events';
import { allContainerNodes, childrenOf, rootNodes, singleEngineProblem, type EngineSnapshot } from '../../src/extension/containers/model';
import { DOCKER_CLI, TEST_IMAGE, docker, dockerTestOptions, uniqueName } from '../support/docker';
import { REPO_ROOT } from '../support/paths';
import { waitFor } from '../support/wait';

const options = dockerTestOptions();
const RUN = uniqueName('ctr');
const NETWORK = `${RUN}-net`;

/**
 * Containers in known configurations. `create` ones are created, not started (a privileged
 * container cannot start in this sandbox, and created containers must be audited too).
 */
const FIXTURES: Record<string, { args: string[]; create?: boolean }> = {
  capadmin: { args: ['--cap-add', 'SYS_ADMIN'] },
  seccomp: { args: ['--security-opt', 'seccomp=unconfined'] },
  socket: { args: ['-v', '/var/run/docker.sock:/var/run/docker.sock'] },
  pidhost: { args: ['--pid', 'host'] },
  nethost: { args: ['--network', 'host'] },
  privileged: { args: ['--privileged', '-v', '/:/host'], create: true },
  hardened: {
    args: [
      '--user', '1000:1000', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--read-only', '--tmpfs', '/tmp:rw,noexec,nosuid,size=16m',
      '--memory', '64m', '--cpus', '0.5', '--pids-limit', '64', '--restart', 'on-failure:3', '--network', NETWORK,
      '--health-cmd', 'true', '--health-interval', '30s',
    ],
  },
};
const nameOf = (key: string) => `${RUN}-${key}`;

/** The hardening concerns each fixture is built to show (rule ids). */
const EXPECTED: Record<string, string[]> = {
  capadmin: ['cap-add'],
  seccomp: ['security-unconfined'],
  socket: ['docker-socket'],
  pidhost: ['host-namespace'],
  nethost: ['host-network'],
  privileged: ['privileged', 'sensitive-mount'],
  hardened: [],
};

/** What any container started with no hardening flags from the test image shows (busybox: root, no healthcheck). */
const UNHARDENED = ['cap-drop-all', 'default-bridge', 'healthcheck-missing', 'no-new-privileges', 'read-only-rootfs', 'resource-limits', 'user-root'];

/** The exact findings of each fixture: its own concerns plus the unhardened defaults it does not change. */
const EXACT: Record<string, string[]> = {
  capadmin: [...UNHARDENED, 'cap-add'],
  seccomp: [...UNHARDENED, 'security-unconfined'],
  socket: [...UNHARDENED, 'docker-socket'],
  pidhost: [...UNHARDENED, 'host-namespace'],
  // Host networking replaces the default bridge.
  nethost: [...UNHARDENED.filter((id) => id !== 'default-bridge'), 'host-network'],
  privileged: [...UNHARDENED, 'privileged', 'sensitive-mount'],
  hardened: [],
};

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

interface CliContainer {
  id: string;
  name: string;
  image: string;
  state: string;
  engine: string;
  findings: { ruleId: string; severity: string; message: string; evidence?: string; refs: Record<string, string[]> }[];
}

const FAST: WatcherTiming = { debounceMs: 200, backoffMs: 300, maxBackoffMs: 1500, pollMs: 30000, requestTimeoutMs: 5000 };


describe('containers on the real engine', options, () => {
  before(() => {
    docker(['network', 'create', NETWORK]);
    for (const [key, f] of Object.entries(FIXTURES)) {
      docker([f.create ? 'create' : 'run', ...(f.create ? [] : ['-d']), '--name', nameOf(key), '--label', `bulkhead.test=${RUN}`, ...f.args, TEST_IMAGE, 'sleep', '600']);
    }
  });
  after(() => {
    const ids = docker(['ps', '-aq', '--filter', `label=bulkhead.test=${RUN}`]).split('\n').filter(Boolean);
    if (ids.length) spawnSync(DOCKER_CLI, ['rm', '-f', ...ids]);
    spawnSync(DOCKER_CLI, ['network', 'rm', NETWORK]);
  });

  test('bulkhead audit containers --format json lists every fixture, running or created, with the expected findings', async () => {
    const { code, out, err } = await cli(['audit', 'containers', '--format', 'json']);
    assert.equal(err, '');
    assert.ok(code === 0 || code === 1);
    const containers = (JSON.parse(out) as { containers: CliContainer[] }).containers;
    const byName = new Map(containers.map((c) => [c.name, c]));
    for (const key of Object.keys(FIXTURES)) {
      const c = byName.get(nameOf(key));
      assert.ok(c, `${key} listed`);
      assert.deepEqual(Object.keys(c).sort(), ['engine', 'findings', 'id', 'image', 'name', 'state'].sort());
      assert.equal(c.image, TEST_IMAGE);
      assert.equal(c.engine, 'unix:///var/run/docker.sock');
      assert.equal(c.state, FIXTURES[key].create ? 'created' : 'running', key);
      for (const f of c.findings) {
        assert.ok(['error', 'warning', 'info'].includes(f.severity));
        assert.ok(f.message.length > 0);
        assert.deepEqual(Object.keys(f.refs).sort(), ['checkov', 'cis', 'hadolint', 'kics', 'trivy']);
      }
    }
    const ruleIds = (key: string) => new Set(byName.get(nameOf(key))!.findings.map((f) => f.ruleId));
    for (const [key, exact] of Object.entries(EXACT)) assert.deepEqual([...ruleIds(key)].sort(), [...exact].sort(), `exact findings of ${key}`);
    for (const [key, expected] of Object.entries(EXPECTED)) {
      for (const id of expected) assert.ok(ruleIds(key).has(id), `${key} reports ${id}; got ${[...ruleIds(key)].join(', ')}`);
    }
    // The hardened container has none of the concerns the others were built to show.
    const shown = new Set(Object.values(EXPECTED).flat());
    const hardened = [...ruleIds('hardened')];
    assert.deepEqual(hardened.filter((id) => shown.has(id)), [], `hardened reports ${hardened.join(', ')}`);
    assert.deepEqual(hardened, [], `hardened container has no findings at all; got ${hardened.join(', ')}`);
    // A concern shows on the fixture built for it, and not on a fixture built for another one.
    assert.ok(!ruleIds('seccomp').has('cap-add'));
    assert.ok(!ruleIds('capadmin').has('security-unconfined'));
    assert.ok(!ruleIds('nethost').has('docker-socket'));
  });

  test('text and sarif formats; --fail-on decides the exit code', async () => {
    const text = await cli(['audit', 'containers']);
    assert.match(text.out, new RegExp(`${nameOf('privileged')} \\(${TEST_IMAGE.replace(/[/.]/g, '\\$&')}, created\\)`));
    assert.match(text.out, /container\(s\) on unix:\/\/\/var\/run\/docker\.sock/);
    assert.equal(text.code, 1, 'the privileged fixture is an error');
    const sarif = await cli(['audit', 'containers', '--format', 'sarif']);
    const log = JSON.parse(sarif.out) as { version: string; runs: { results: { ruleId: string; message: { text: string } }[] }[] };
    assert.equal(log.version, '2.1.0');
    assert.ok(log.runs[0].results.some((r) => r.ruleId === 'privileged' && r.message.text.startsWith(nameOf('privileged'))));
    const usage = await cli(['audit', 'containers', '--format', 'xml']);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--format must be one of/);
    const stray = await cli(['audit', 'containers', 'web']);
    assert.equal(stray.code, 2);
    assert.match(stray.err, /usage: bulkhead audit containers/);
    const help = await cli(['audit', 'containers', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /--fail-on/);
  });

  test('the tree model shows the same findings, grouped, with live capabilities of running containers', async () => {
    const target = resolveDefaultEngine();
    const watcher = new EngineWatcher(target, () => undefined, () => ({}), FAST);
    watcher.start();
    try {
      await watcher.waitSettled();
      const snapshot = watcher.snapshot;
      assert.equal(snapshot.status, 'ready');
      const nodes = allContainerNodes([snapshot]);
      const { out } = await cli(['audit', 'containers', '--format', 'json']);
      const fromCli = new Map((JSON.parse(out) as { containers: CliContainer[] }).containers.map((c) => [c.name, c.findings.map((f) => f.ruleId).sort()]));
      for (const key of Object.keys(FIXTURES)) {
        const node = nodes.find((n) => n.container.name === nameOf(key));
        assert.ok(node, `${key} in the tree`);
        assert.equal(node.label, `${nameOf(key)} (${TEST_IMAGE})`);
        assert.match(node.description, new RegExp(`^${FIXTURES[key].create ? 'created' : 'running'} · `));
        const findingRuleIds = childrenOf(node, [snapshot]).map((n) => (n.kind === 'finding' ? n.finding.ruleId : n.kind)).sort();
        assert.deepEqual(findingRuleIds, fromCli.get(nameOf(key)), `${key}: tree and CLI agree`);
        if (EXPECTED[key].length) assert.ok(node.worst, `${key} has a worst severity for its icon`);
      }
      const capadmin = nodes.find((n) => n.container.name === nameOf('capadmin'))!.container;
      assert.ok(capadmin.live, 'live capability sets read from /proc');
      assert.ok(capadmin.live.effective.includes('SYS_ADMIN'));
      assert.ok(capadmin.live.bounding.includes('SYS_ADMIN'));
      const hardened = nodes.find((n) => n.container.name === nameOf('hardened'))!.container;
      assert.deepEqual(hardened.live?.effective, [], 'cap-drop ALL and a non-root user leave no effective capabilities');
      assert.equal(hardened.live?.noNewPrivs, true);
      assert.equal(nodes.find((n) => n.container.name === nameOf('privileged'))!.container.live, undefined, 'created: no process');
      const seccomp = nodes.find((n) => n.container.name === nameOf('seccomp'))!.container;
      assert.equal(seccomp.live?.seccomp, 0, 'seccomp=unconfined really leaves the process unfiltered');
      assert.equal(capadmin.live?.seccomp, 2);
    } finally {
      watcher.stop();
    }
  });

  test('the hardened docker run arguments, created for real, drop the findings of the original', async () => {
    const client = createClient(resolveDefaultEngine());
    for (const key of ['capadmin', 'seccomp', 'socket', 'pidhost', 'nethost', 'privileged']) {
      const inspect = (await client.getContainer(nameOf(key)).inspect()) as unknown as ContainerInspect;
      const args = hardenedRunArgs({ ...hardenedSpec(inspect), name: `${nameOf(key)}-h` });
      assert.deepEqual(args.slice(0, 2), ['run', '-d']);
      docker(['create', '--label', `bulkhead.test=${RUN}`, ...args.slice(2)]);
      const again = (await client.getContainer(`${nameOf(key)}-h`).inspect()) as unknown as ContainerInspect;
      const before = new Set(checkContainer({ inspect }).findings.map((f) => f.ruleId));
      const afterIds = checkContainer({ inspect: again }).findings.map((f) => f.ruleId);
      for (const id of EXPECTED[key]) assert.ok(before.has(id), `${key}: original reports ${id}`);
      for (const id of EXPECTED[key]) assert.ok(!afterIds.includes(id), `${key}: hardened still reports ${id}: ${afterIds.join(', ')}`);
      // What is left needs the user's input, and the command's notes say so.
      assert.deepEqual(afterIds.sort(), ['default-bridge', 'healthcheck-missing'], `${key} after hardening`);
      assert.ok(hardenedSpec(inspect).notes.some((n) => /docker network create/.test(n)));
      assert.ok(hardenedSpec(inspect).notes.some((n) => /health/.test(n)));
    }
  });

  test('a compose project becomes a group, and its service is found in the compose file', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'bulkhead-compose-'));
    const project = `${RUN}-proj`.toLowerCase().replace(/[^a-z0-9_-]/g, '');
    writeFileSync(join(dir, 'compose.yml'), `version: "2.4"\nservices:\n  # the web tier\n  web:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "600"]\n    cap_add: [SYS_ADMIN]\n    labels: { bulkhead.test: "${RUN}" }\n`);
    t.after(() => {
      spawnSync('/usr/bin/docker-compose', ['-p', project, '-f', join(dir, 'compose.yml'), 'down', '-t', '0'], { cwd: dir });
      rmSync(dir, { recursive: true, force: true });
    });
    const up = spawnSync('/usr/bin/docker-compose', ['-p', project, '-f', join(dir, 'compose.yml'), 'up', '-d'], { cwd: dir, encoding: 'utf8', timeout: 120000 });
    assert.equal(up.status, 0, up.stderr);
    const target = resolveDefaultEngine();
    const connection = await connectEngine(target);
    assert.ok(connection.ok);
    const snapshot: EngineSnapshot = { target, status: 'ready', containers: await analyseEngine(connection.client, target) };
    const group = rootNodes([snapshot]).find((n) => n.kind === 'project' && n.label === project);
    assert.ok(group, 'project group');
    const members = childrenOf(group, [snapshot]);
    assert.equal(members.length, 1);
    const web = members[0].kind === 'container' ? members[0].container : undefined;
    assert.equal(web?.compose?.service, 'web');
    const where = locateComposeService(web);
    assert.ok(!('error' in where), JSON.stringify(where));
    assert.equal(where.file, join(dir, 'compose.yml'));
    assert.equal(readFileSync(where.file, 'utf8').split('\n')[where.line], '  web:');
  });

  test('starting and removing a container updates the snapshot from engine events, without a refresh', async () => {
    const changes: EngineSnapshot[] = [];
    const watcher = new EngineWatcher(resolveDefaultEngine(), (s) => changes.push(s), () => ({}), FAST);
    watcher.start();
    const name = nameOf('live');
    try {
      await watcher.waitSettled();
      await waitFor('event stream', () => watcher.snapshot.updates === 'events');
      assert.ok(!watcher.snapshot.containers.some((c) => c.name === name));
      docker(['run', '-d', '--name', name, '--label', `bulkhead.test=${RUN}`, '--cap-add', 'SYS_ADMIN', TEST_IMAGE, 'sleep', '600']);
      const seen = await waitFor('the new container', () => watcher.snapshot.containers.find((c) => c.name === name && c.state === 'running'), 10000);
      assert.ok(seen.findings.some((f) => f.ruleId === 'cap-add'));
      docker(['rm', '-f', name]);
      await waitFor('the container to go', () => !watcher.snapshot.containers.some((c) => c.name === name), 10000);
    } finally {
      watcher.stop();
      spawnSync(DOCKER_CLI, ['rm', '-f', name]);
    }
  });

  test('permission denied on the socket (CLI run as nobody) is a clear message with the fix, exit 2', (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to switch to nobody');
    const out = mkdtempSync(join(tmpdir(), 'bulkhead-nobody-'));
    chmodSync(out, 0o755);
    const cliJs = join(__dirname, '..', '..', 'src', 'cli', 'main.js');
    const r = spawnSync('/usr/bin/setpriv', ['--reuid', 'nobody', '--regid', 'nogroup', '--clear-groups', process.execPath, cliJs, 'audit', 'containers'], {
      encoding: 'utf8',
      cwd: out,
      env: { PATH: process.env.PATH, HOME: out, NODE_PATH: join(REPO_ROOT, 'node_modules') },
      timeout: 30000,
    });
    rmSync(out, { recursive: true, force: true });
    assert.equal(r.status, 2, r.stderr + r.stdout);
    assert.match(r.stderr, /Permission denied on the Docker socket \/var\/run\/docker\.sock/);
    assert.match(r.stderr, /docker group/);
    assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/);
  });
});

/** A separate dockerd with its own sockets, state, network namespace and containerd namespace; never the main engine. */
class IsolatedDockerd {
  readonly dir = mkdtempSync(join(tmpdir(), 'bh-dk-'));
  readonly socket = join(this.dir, 'docker.sock');
  private process: ChildProcess | undefined;

  get target(): EngineTarget {
    return { host: `unix://${this.socket}`, source: 'isolated test engine' };
  }

  async start(): Promise<void> {
    mkdirSync(join(this.dir, 'root'), { recursive: true });
    mkdirSync(join(this.dir, 'exec'), { recursive: true });
    const ns = `bulkhead-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
    // Its own network namespace: a dockerd started with --bridge none deletes the host's docker0
    // (the main engine's bridge) on start-up; inside a fresh netns there is nothing to delete.
    this.process = spawn(
      '/usr/bin/unshare',
      [
        '--net', '/usr/sbin/dockerd',
        '--data-root', join(this.dir, 'root'), '--exec-root', join(this.dir, 'exec'), '--pidfile', join(this.dir, 'dockerd.pid'),
        '-H', `unix://${this.socket}`, '--bridge', 'none', '--iptables=false', '--ip-masq=false',
        '--containerd-namespace', ns, '--containerd-plugins-namespace', `${ns}-plugins`,
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if ((await connectEngine(this.target, 1000)).ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('isolated dockerd did not start');
  }

  async stop(): Promise<void> {
    const p = this.process;
    this.process = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
      setTimeout(() => p.kill('SIGKILL'), 15000).unref();
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    spawnSync('umount', ['-R', join(this.dir, 'exec')]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('engine going away and coming back (isolated dockerd)', options, () => {
  test('the watcher shows notRunning while the engine is down and recovers by itself; the CLI exits 2', async (t) => {
    const engine = new IsolatedDockerd();
    t.after(() => engine.dispose());
    await engine.start();
    const watcher = new EngineWatcher(engine.target, () => undefined, () => ({}), FAST);
    t.after(() => watcher.stop());
    watcher.start();
    await watcher.waitSettled();
    assert.equal(watcher.snapshot.status, 'ready');
    assert.deepEqual(rootNodes([watcher.snapshot]).map((n) => n.kind), ['empty']);
    await waitFor('event stream', () => watcher.snapshot.updates === 'events');

    await engine.stop();
    const problem = await waitFor('problem state', () => watcher.snapshot.status === 'problem' && watcher.snapshot.problem, 15000);
    assert.equal(problem.kind, 'notRunning');
    // Alone, the engine's problem is the view's welcome content; beside another engine, a problem row.
    assert.deepEqual(rootNodes([watcher.snapshot]), []);
    assert.equal(singleEngineProblem([watcher.snapshot])?.kind, 'notRunning');
    assert.deepEqual(childrenOf(rootNodes([watcher.snapshot, watcher.snapshot])[0], [watcher.snapshot]).map((n) => n.kind), ['problem']);
    const down = await cli(['audit', 'containers', '--engine', engine.target.host]);
    assert.equal(down.code, 2);
    assert.match(down.err, /No Docker engine answers at unix:.*docker\.sock/);

    await engine.start();
    await waitFor('recovery without retry', () => watcher.snapshot.status === 'ready', 20000);
    await waitFor('events again', () => watcher.snapshot.updates === 'events', 10000);
    const up = await cli(['audit', 'containers', '--engine', engine.target.host, '--format', 'json']);
    assert.equal(up.code, 0);
    assert.deepEqual(JSON.parse(up.out), { containers: [] });
  });
});
