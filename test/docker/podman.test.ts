// Podman, for real: its Docker-compatible API socket (rootful, `podman system service`), started
// by scripts/ensure-podman.sh, read by the same code as the Containers view and `audit containers`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { main } from '../../src/cli/main';
import { connectEngine, type EngineTarget } from '../../src/docker/connection';
import { analyseEngine } from '../../src/docker/containers';
import { allContainerNodes, type EngineSnapshot } from '../../src/extension/containers/model';
import { uniqueName } from '../support/docker';
import { repoPath } from '../support/paths';

const SOCKET = '/tmp/bulkhead-podman.sock';
const IMAGE = 'localhost/local/busybox:test';
const RUN = uniqueName('podman');
const target: EngineTarget = { host: `unix://${SOCKET}`, source: 'test' };

/** Why Podman tests cannot run: the script installs podman (as root) and starts its service. */
function podmanUnavailable(): string | undefined {
  const r = spawnSync('bash', [repoPath('scripts/ensure-podman.sh'), '--service', SOCKET], { encoding: 'utf8', timeout: 600000 });
  return r.status === 0 ? undefined : `scripts/ensure-podman.sh failed: ${(r.stdout + r.stderr).trim().split('\n').pop()}`;
}

const why = podmanUnavailable();
const options = why && process.env.BULKHEAD_ALLOW_NO_DOCKER === '1' ? { skip: why } : {};
if (why && !options.skip) throw new Error(`Podman tests need Podman: ${why}`);

const podman = (args: string[]) => execFileSync('podman', args, { encoding: 'utf8', timeout: 120000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

describe('Podman engine (Docker-compatible API)', options, () => {
  // A created container keeps Podman's defaults (its capability set, its ulimits): nothing was asked.
  const DEFAULTS = `${RUN}-defaults`;
  // A running one: `podman run` needs lower ulimits in this sandbox, which are then real overrides.
  const RUNNING = `${RUN}-running`;

  before(() => {
    podman(['create', '--name', DEFAULTS, '--label', `bulkhead.test=${RUN}`, IMAGE, 'sleep', '600']);
    podman(['run', '-d', '--name', RUNNING, '--label', `bulkhead.test=${RUN}`, '--ulimit', 'nofile=16384:16384', '--ulimit', 'nproc=4096:4096', IMAGE, 'sleep', '600']);
  });

  after(() => {
    spawnSync('podman', ['rm', '-f', '-t', '0', DEFAULTS, RUNNING], { timeout: 120000 });
  });

  test('the engine is detected as Podman from /version', async () => {
    const connection = await connectEngine(target);
    assert.ok(connection.ok, connection.ok ? '' : connection.problem.message);
    assert.equal(connection.engineKind, 'podman');
  });

  test('the Containers view model lists and judges Podman containers', async () => {
    const connection = await connectEngine(target);
    assert.ok(connection.ok);
    const snapshot: EngineSnapshot = { target, status: 'ready', containers: await analyseEngine(connection.client, target) };
    const nodes = allContainerNodes([snapshot]).filter((n) => n.container.name.startsWith(RUN));
    assert.deepEqual(nodes.map((n) => [n.container.name, n.container.state]).sort(), [[DEFAULTS, 'created'], [RUNNING, 'running']]);
    for (const n of nodes) {
      assert.deepEqual(n.container.errors, [], n.container.name);
      assert.ok(n.container.findings.some((f) => f.ruleId === 'user-root'), `${n.container.name} is judged (runs as root)`);
    }
    const running = nodes.find((n) => n.container.name === RUNNING)!.container;
    assert.ok(running.findings.some((f) => f.ruleId === 'ulimits'), 'explicit --ulimit flags are real overrides and are reported');
  });

  test("audit containers: Podman's default capability set and ulimits are not deviations", async () => {
    const out: string[] = [];
    const err: string[] = [];
    await main(['audit', 'containers', '--engine', target.host, '--format', 'json'], { out: (t) => out.push(t), err: (t) => err.push(t) });
    assert.deepEqual(err, []);
    const report = JSON.parse(out.join('')) as { containers: { name: string; state: string; findings: { ruleId: string; message: string }[]; errors?: string[] }[] };
    const defaults = report.containers.find((c) => c.name === DEFAULTS);
    assert.ok(defaults, 'the created Podman container is audited');
    assert.equal(defaults.errors, undefined);
    assert.ok(defaults.findings.some((f) => f.ruleId === 'user-root'));
    // DEPENDS ON helper "judge" (engineKind-aware cap-drop-all and ulimits in src/engine/runtime/**
    // and the rules): this branch only detects Podman and passes engineKind: 'podman' in the
    // container context. Until both branches are merged these two assertions fail.
    assert.ok(!defaults.findings.some((f) => f.ruleId === 'cap-drop-all' && /Docker's default capabilities/.test(f.message)), "Podman's default set (already without AUDIT_WRITE, MKNOD, NET_RAW) is not called Docker's");
    assert.ok(!defaults.findings.some((f) => f.ruleId === 'ulimits'), "Podman's own default ulimits are not overrides");
  });
});
