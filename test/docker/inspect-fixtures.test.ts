import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { docker, dockerTestOptions, TEST_IMAGE, uniqueName } from '../support/docker';
import { fixturePath } from '../support/paths';
import { checkContainer } from '../../src/engine/lint';
import type { ContainerInspect } from '../../src/engine/runtime/container';

/**
 * Containers in known configurations, created on the real engine. With BULKHEAD_RECORD_INSPECT=1
 * their `docker inspect` JSON is (re)written to test/fixtures/inspect/NAME.json (the unit tests in
 * test/unit/container-rules.test.ts assert the exact findings of those recordings); otherwise the
 * live inspect must give the same rule ids as the recording, so fixtures never drift from the engine.
 */
export const CONFIGURATIONS: { name: string; start: boolean; args: (network: string) => string[] }[] = [
  { name: 'baseline', start: true, args: () => [] },
  { name: 'cap-add-sys-admin', start: true, args: () => ['--cap-add', 'SYS_ADMIN'] },
  { name: 'seccomp-unconfined', start: true, args: () => ['--security-opt', 'seccomp=unconfined'] },
  { name: 'docker-socket', start: true, args: () => ['-v', '/var/run/docker.sock:/var/run/docker.sock'] },
  { name: 'pid-host', start: true, args: () => ['--pid', 'host'] },
  { name: 'network-host', start: true, args: () => ['--network', 'host'] },
  // The sandbox refuses to start privileged containers; created is enough for inspect.
  { name: 'privileged-root-mount', start: false, args: () => ['--privileged', '-v', '/:/host'] },
  {
    name: 'misc-created',
    start: false,
    args: () => [
      '--device', '/dev/zero:/dev/zero', '--tmpfs', '/scratch:exec', '--log-driver', 'none', '--restart', 'always',
      '-e', 'DB_PASSWORD=hunter2-recorded', '-e', 'DATABASE_URL=postgres://app:s3cret@db:5432/app',
      '-v', '/etc:/host-etc', '-p', '80', '-p', '127.0.0.1:8022:22', '--cgroup-parent', '/bulkhead-test',
    ],
  },
  {
    name: 'hardened',
    start: true,
    args: (network) => [
      '--cap-drop', 'ALL', '--read-only', '--security-opt', 'no-new-privileges', '--user', '10001:10001',
      '--memory', '64m', '--pids-limit', '100', '--cpus', '0.5', '--restart', 'on-failure:3', '--health-cmd', 'true',
      '--network', network,
    ],
  },
];

const RECORD = process.env.BULKHEAD_RECORD_INSPECT === '1';

function ruleIds(inspect: ContainerInspect): string[] {
  const r = checkContainer({ inspect });
  assert.deepEqual(r.errors, []);
  return r.findings.map((f) => f.ruleId).sort();
}

test('containers created on the real engine match their recorded inspect fixtures', dockerTestOptions(), () => {
  const network = uniqueName('net');
  const created: string[] = [];
  docker(['network', 'create', network]);
  try {
    for (const c of CONFIGURATIONS) {
      const name = uniqueName(c.name);
      const args = [c.start ? 'run' : 'create', '--name', name, ...(c.start ? ['-d'] : []), ...c.args(network), TEST_IMAGE, 'sleep', '300'];
      docker(args);
      created.push(name);
      const inspect = (JSON.parse(docker(['inspect', name])) as ContainerInspect[])[0];
      if (c.start) assert.equal(inspect.State?.Running, true, `${c.name} runs`);
      const file = fixturePath('inspect', `${c.name}.json`);
      if (RECORD) {
        mkdirSync(fixturePath('inspect'), { recursive: true });
        writeFileSync(file, JSON.stringify(inspect, null, 2) + '\n');
        continue;
      }
      assert.ok(existsSync(file), `fixture ${c.name}.json exists (record with BULKHEAD_RECORD_INSPECT=1)`);
      const recorded = JSON.parse(readFileSync(file, 'utf8')) as ContainerInspect;
      assert.deepEqual(ruleIds(inspect), ruleIds(recorded), `live ${c.name} gives the recorded findings`);
    }
  } finally {
    for (const name of created) {
      try {
        docker(['rm', '-f', '-v', name]);
      } catch {
        /* already gone */
      }
    }
    docker(['network', 'rm', network]);
  }
});
