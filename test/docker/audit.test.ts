import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { createClient } from '../../src/docker/connection';
import { AuditCancelled, gatherEvidence } from '../../src/docker/host-probe';
import { runAudit, type AuditReport } from '../../src/engine/audit';
import { main } from '../../src/cli/main';
import { docker, dockerTestOptions, TEST_IMAGE, uniqueName } from '../support/docker';
import { startIsolatedDockerd } from '../support/isolated-dockerd';

const MAIN = { host: 'unix:///var/run/docker.sock', source: 'test' };
const HTML_LABEL = '<img src=x onerror=alert(1)>';

async function audit(target = MAIN, only?: string[]): Promise<{ report: AuditReport; apiCalls: number; evidence: Awaited<ReturnType<typeof gatherEvidence>> }> {
  const evidence = await gatherEvidence(createClient(target), target);
  return { report: runAudit(evidence, { only }), apiCalls: evidence.apiCalls, evidence };
}
const names = (r: AuditReport, id: string) => r.checks.find((c) => c.id === id)?.containers?.map((c) => c.name) ?? [];
const status = (r: AuditReport, id: string) => r.checks.find((c) => c.id === id)?.status;

test('5.x results flip with real containers, running and created-but-privileged', dockerTestOptions(), async () => {
  const hardened = uniqueName('audit-ok');
  const privileged = uniqueName('audit-priv');
  try {
    docker(['run', '-d', '--name', hardened, '--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--memory', '64m', '--cpu-shares', '512',
      '--pids-limit', '50', '--user', '1000', '--restart', 'on-failure:5', '--health-cmd', 'true', '--network', 'none', TEST_IMAGE, 'sleep', '300']);
    docker(['create', '--name', privileged, '--privileged', '--pid', 'host', '--label', `note=${HTML_LABEL}`, '-v', '/var/run/docker.sock:/var/run/docker.sock', TEST_IMAGE, 'sleep', '300']);

    // The engine only remembers exec sessions while they run.
    docker(['exec', '-d', '-u', 'root', hardened, 'sleep', '120']);

    const before = await audit();
    // A running exec session as root: 5.24 names the container.
    assert.ok(names(before.report, '5.24').includes(hardened), '5.24 names the container exec-ed into as root');
    for (const id of ['5.5', '5.16', '5.32', '5.13', '5.11', '5.26', '5.29', '4.1']) {
      assert.ok(names(before.report, id).includes(privileged), `${id} names the created privileged container`);
      assert.equal(status(before.report, id), 'warn', id);
      assert.ok(!names(before.report, id).includes(hardened), `${id} does not name the hardened one`);
    }
    // One info, version, container/image/network list each, then one inspect per container and
    // an inspect + history per image: nothing per check.
    const e = before.evidence;
    assert.equal(before.apiCalls, 5 + e.containers.length + 2 * e.images.length + e.execs.length + (e.swarm ? 4 : 0));

    // The CLI's exit code follows --fail-on (docker-bench-security always exits 0).
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    assert.equal(await main(['audit', 'host', '--only', '5.5', '--format', 'json'], io), 1);
    const json = JSON.parse(out.join('')) as { checks: { id: string; status: string; evidence: string[] }[] };
    assert.equal(json.checks.length, 1);
    assert.ok(json.checks[0].evidence.some((l) => l.startsWith(`${privileged} (created)`)));
    assert.equal(await main(['audit', 'host', '--only', '5.5', '--fail-on', 'never'], { out: () => {}, err: () => {} }), 0);

    docker(['rm', '-f', privileged]);
    const after = await audit(MAIN, ['5']);
    for (const id of ['5.5', '5.16', '5.32']) assert.ok(!names(after.report, id).includes(privileged), `${id} no longer names it`);
    assert.ok(!names(after.report, '5.13').includes(hardened));
  } finally {
    for (const n of [hardened, privileged]) {
      try {
        docker(['rm', '-f', n]);
      } catch {
        // already removed
      }
    }
  }
});

test('daemon configuration flips results on an isolated dockerd (icc, no-new-privileges, live-restore, userland-proxy, log driver)', dockerTestOptions(), async () => {
  const engine = await startIsolatedDockerd({ config: {} });
  try {
    const target = { host: engine.host, source: 'isolated' };
    const defaults = await audit(target);
    // The probe found this dockerd by its socket and read its own daemon.json.
    assert.equal(defaults.evidence.host?.daemon?.configPath, engine.configFile);
    for (const c of ['2.2', '2.13', '2.14', '2.15', '2.16']) assert.equal(status(defaults.report, c), 'warn', `${c} with defaults`);
    assert.equal(status(defaults.report, '3.18'), 'pass');

    await engine.restart({ icc: false, 'no-new-privileges': true, 'live-restore': true, 'userland-proxy': false, 'log-driver': 'syslog', 'log-opts': { 'syslog-address': 'udp://127.0.0.1:514' } });
    const hardened = await audit(target);
    for (const c of ['2.2', '2.13', '2.14', '2.15', '2.16']) assert.equal(status(hardened.report, c), 'pass', `${c} hardened: ${hardened.report.checks.find((x) => x.id === c)?.evidence}`);

    // A world-writable daemon.json (606) must not pass "644 or stricter".
    chmodSync(engine.configFile, 0o606);
    const loose = await audit(target, ['3.18']);
    assert.equal(status(loose.report, '3.18'), 'warn');
  } finally {
    await engine.stop();
  }
});

test('cancelling stops the audit between steps', dockerTestOptions(), async () => {
  const abort = new AbortController();
  const steps: string[] = [];
  await assert.rejects(
    gatherEvidence(createClient(MAIN), MAIN, {
      signal: abort.signal,
      onProgress: (m) => {
        steps.push(m);
        if (steps.length === 2) abort.abort();
      },
    }),
    (e) => e instanceof AuditCancelled,
  );
  assert.equal(steps.length, 2, 'no step ran after the cancel');
});

test('against an engine treated as remote, only API checks run and the report says why', dockerTestOptions(), async () => {
  const evidence = await gatherEvidence(createClient(MAIN), MAIN, { forceRemote: true });
  assert.equal(evidence.host, undefined, 'no host files were read');
  const r = runAudit(evidence);
  for (const c of r.checks.filter((x) => x.section === '1' && x.id.startsWith('1.1') || x.section === '3')) {
    assert.equal(c.status, 'skip', c.id);
    assert.match(c.evidence[0], /remote engine/, c.id);
  }
  assert.notEqual(status(r, '2.15'), 'skip', 'live restore comes from the API');
  assert.notEqual(status(r, '5.5'), 'skip');
  assert.match(r.summary.notes[0], /remote engine/);
});
