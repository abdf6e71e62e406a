import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { docker, dockerTestOptions, uniqueName } from '../support/docker';
import { fixturePath, repoPath } from '../support/paths';
import { fixAll } from '../../src/engine/fix';
import { checkContainer, lintText } from '../../src/engine/lint';
import type { ContainerInspect } from '../../src/engine/runtime/container';

const COMPOSE = existsSync('/usr/bin/docker-compose') ? '/usr/bin/docker-compose' : 'docker-compose';

function compose(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(COMPOSE, args, {
    cwd,
    encoding: 'utf8',
    timeout: 180000,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
}

/** Every compose file the suite fixes: test fixtures and the demo examples. */
const FILES = [
  fixturePath('compose', 'compose-startable.yaml'),
  fixturePath('compose', 'compose-long-syntax.yaml'),
  repoPath('examples', 'compose', 'webapp', 'compose.yaml'),
  repoPath('examples', 'compose', 'monitoring', 'compose.yaml'),
];

/** Fixes the file with every fix (safe and unsafe) into a scratch copy of its directory. */
function fixedCopy(file: string): { dir: string; path: string; text: string; original: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-compose-'));
  // Files the compose file refers to (env_file, bind-mounted configs) come along.
  for (const sibling of ['.env', 'nginx.conf', 'prometheus.yml']) {
    const from = join(dirname(file), sibling);
    if (existsSync(from)) copyFileSync(from, join(dir, sibling));
  }
  const original = readFileSync(file, 'utf8');
  const text = fixAll(original, { file, unsafe: true }).text;
  const path = join(dir, 'compose.yaml');
  writeFileSync(path, text);
  return { dir, path, text, original };
}

test('every fixed compose file still passes docker-compose config, and means what the fixes intended', dockerTestOptions(), () => {
  for (const file of FILES) {
    const { dir, path, text, original } = fixedCopy(file);
    try {
      assert.notEqual(text, original, `${file} changed`);
      assert.deepEqual(lintText(text, { file: path }).errors, [], `${file} fixed text parses`);
      // Before and after: both must be valid for the real tool.
      compose(dirname(file), ['-f', file, '-p', 'bulkheadcfg', 'config', '-q']);
      const out = compose(dir, ['-f', path, '-p', 'bulkheadcfg', 'config']);
      const resolved = parse(out) as { services: Record<string, Record<string, unknown>> };
      for (const [name, service] of Object.entries(resolved.services)) {
        assert.notEqual(service.privileged, true, `${file}: ${name} is no longer privileged`);
        // docker-compose 1.29 prints ports in the short syntax, newer versions in the long one.
        const ports = (service.ports ?? []) as (string | { host_ip?: string })[];
        for (const p of ports) {
          const hostIp = typeof p === 'string' ? p.split(':')[0] : p.host_ip;
          assert.equal(hostIp, '127.0.0.1', `${file}: ${name} port ${JSON.stringify(p)} bound to 127.0.0.1`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a fixed compose file really starts, and the engine applied the hardening', dockerTestOptions(), () => {
  const { dir, path, text } = fixedCopy(fixturePath('compose', 'compose-startable.yaml'));
  const project = uniqueName('compose').replace(/[^a-z0-9]/g, '');
  try {
    assert.match(text, /^# A deliberately weak service/, 'comments survive the fixes');
    assert.match(text, /- "127\.0\.0\.1::80" # random host port/);
    compose(dir, ['-f', path, '-p', project, 'up', '-d']);
    const ids = compose(dir, ['-f', path, '-p', project, 'ps', '-q']).trim().split('\n').filter(Boolean);
    assert.equal(ids.length, 1);
    const inspect = (JSON.parse(docker(['inspect', ids[0]])) as ContainerInspect[])[0];
    const hc = inspect.HostConfig!;
    assert.equal(inspect.State?.Running, true, 'running');
    assert.equal(hc.Privileged, false);
    assert.deepEqual(hc.CapDrop, ['ALL']);
    assert.deepEqual(hc.CapAdd, ['CHOWN']);
    assert.equal(hc.ReadonlyRootfs, true);
    assert.ok(hc.SecurityOpt?.includes('no-new-privileges:true'), `SecurityOpt ${JSON.stringify(hc.SecurityOpt)}`);
    assert.ok(!hc.SecurityOpt?.some((o) => o.includes('unconfined')));
    assert.equal(inspect.Config?.User, '10001:10001');
    // Limits are a snippet to fill in: `fix` never writes a guessed number.
    assert.ok(!hc.Memory && !hc.NanoCpus, 'no guessed memory or CPU limit');
    assert.deepEqual(hc.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 5 });
    assert.equal(hc.PortBindings?.['80/tcp']?.[0]?.HostIp, '127.0.0.1');
    assert.ok(inspect.Mounts?.some((m) => m.Source === '/etc' && m.RW === false), '/etc mounted read-only');
    // The process really runs as the unprivileged user with no capabilities.
    const status = docker(['exec', ids[0], 'cat', '/proc/1/status']);
    // Non-root: nothing effective; the bounding set holds only CHOWN (bit 0).
    assert.match(status, /^CapEff:\s+0000000000000000$/m);
    assert.match(status, /^CapBnd:\s+0000000000000001$/m, 'bounding set is CHOWN only');
    assert.match(status, /^NoNewPrivs:\s+1$/m);
    assert.match(status, /^Uid:\s+10001\s/m);
    assert.throws(() => docker(['exec', ids[0], 'touch', '/x']), 'root filesystem is read-only');
    // And the engine-side judgement agrees: none of the hardening findings the fixes addressed.
    const left = new Set(checkContainer({ inspect }).findings.map((f) => f.ruleId));
    for (const id of ['privileged', 'cap-add', 'cap-drop-all', 'no-new-privileges', 'security-unconfined', 'read-only-rootfs', 'restart-policy', 'port-all-interfaces', 'user-root']) {
      assert.ok(!left.has(id), `${id} fixed in the running container`);
    }
    assert.ok(left.has('resource-limits'), 'limits stay for the user to choose');
  } finally {
    try {
      compose(dir, ['-f', path, '-p', project, 'down', '-v', '--remove-orphans']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
