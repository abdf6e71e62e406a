import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { createClient, resolveDefaultEngine } from '../../src/docker/connection';
import { hardenComposeService, TRIAL_LABEL } from '../../src/docker/harden/trial';
import { DOCKER_CLI, TEST_IMAGE, docker, dockerTestOptions, uniqueName } from '../support/docker';
import { waitFor } from '../support/wait';

const OBSERVE_SECONDS = 3;
const DEFAULT_CAPABILITIES = 14;

/** Images built for a case, removed at the end. */
function build(dockerfile: string): string {
  const tag = `${uniqueName('harden-img')}:test`.toLowerCase();
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-harden-build-'));
  try {
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    docker(['build', '-q', '-t', tag, dir], { timeout: 300000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tag;
}

/** What one trial left behind: by its label, and the volumes by their project's name (other runs may be under way on the same engine). */
function leftovers(trialId: string): string[] {
  const label = `label=${TRIAL_LABEL}=${trialId}`;
  const by = (kind: string, args: string[]) => docker([kind, 'ls', '-q', ...args]).split('\n').filter(Boolean).map((x) => `${kind} ${x}`);
  return [
    // Name and state, so a failure says which run of the trial it was and how far it got.
    ...docker(['container', 'ls', '-a', '--format', '{{.Names}} {{.Status}}', '--filter', label]).split('\n').filter(Boolean).map((x) => `container ${x}`),
    ...by('network', ['--filter', label]),
    ...by('volume', ['--filter', label]),
    ...docker(['volume', 'ls', '-q']).split('\n').filter((v) => v.startsWith(`bulkheadharden${trialId}`)).map((v) => `volume ${v}`),
  ];
}

interface Case {
  service: Record<string, unknown>;
  exercise?: string[];
  /** The hardened file, started, must end healthy (its derived healthcheck passes). */
  healthy?: boolean;
}

/** Hardens one service, then starts the hardened file for real and runs the exercise against it. */
async function hardenCase(name: string, c: Case) {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-harden-test-'));
  const file = join(dir, 'compose.yml');
  writeFileSync(file, `# ${name}\nservices:\n  ${name}:\n${Object.entries(c.service).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join('\n')}\n`);
  try {
    const report = await hardenComposeService({
      docker: createClient(resolveDefaultEngine()),
      composeFile: file,
      service: name,
      observeSeconds: OBSERVE_SECONDS,
      exercise: c.exercise ? { argv: c.exercise } : undefined,
    });
    assert.ok(report.trialId, report.error);
    assert.deepEqual(leftovers(report.trialId), [], 'nothing of the trials is left behind');
    assert.equal(report.error, undefined, report.error);
    assert.ok(report.verified, `verified (relaxed: ${JSON.stringify(report.relaxed)})`);
    const hardened = parse(report.hardenedText!).services[name];
    assert.ok(report.hardenedText!.startsWith(`# ${name}\n`), 'the comment is kept');

    // The written result, started for real: it runs and passes the exercise.
    writeFileSync(file, report.hardenedText!);
    if (report.seccompText) writeFileSync(report.seccompFile, report.seccompText);
    const project = uniqueName('harden-final').replace(/[^a-z0-9]/g, '');
    try {
      const up = spawnSync('docker-compose', ['-p', project, '-f', file, 'up', '-d'], { cwd: dir, encoding: 'utf8', timeout: 180000 });
      assert.equal(up.status, 0, up.stderr);
      if (c.healthy) {
        const health = () => docker(['ps', '-a', '--format', '{{.Status}}', '--filter', `label=com.docker.compose.project=${project}`]).trim();
        const verdict = await waitFor('a health verdict', () => /\(healthy\)|\(unhealthy\)|Exited/.test(health()), 90000).catch(() => false);
        const probes = docker(['inspect', '-f', '{{json .State.Health}}', ...docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]).split('\n').filter(Boolean)]);
        assert.ok(verdict && /\(healthy\)/.test(health()), `the derived healthcheck passes on the hardened service: ${health()} ${probes}`);
      } else await waitFor('the hardened service to start', () => docker(['ps', '-a', '--format', '{{.Status}}', '--filter', `label=com.docker.compose.project=${project}`]).trim(), 30000);
      const id = docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`]).trim();
      const ps = docker(['ps', '-a', '--format', '{{.Status}}', '--filter', `label=com.docker.compose.project=${project}`]).trim();
      const logs = spawnSync('docker-compose', ['-p', project, '-f', file, 'logs', '--no-color', '--tail', '5'], { cwd: dir, encoding: 'utf8', timeout: 60000 }).stdout;
      assert.ok(id, `the hardened service is running: ${ps} ${logs}`);
      if (c.exercise) {
        const ex = spawnSync(c.exercise[0], c.exercise.slice(1), { encoding: 'utf8', timeout: 30000 });
        assert.equal(ex.status, 0, `the exercise passes against the hardened service: ${ex.stdout}${ex.stderr}`);
      }
    } finally {
      spawnSync('docker-compose', ['-p', project, '-f', file, 'down', '-v', '-t', '1'], { cwd: dir, timeout: 120000 });
    }
    // Strictly fewer privileges than Docker's defaults.
    assert.deepEqual(hardened.cap_drop, ['ALL'], `relaxed: ${JSON.stringify(report.relaxed)}`);
    assert.ok((hardened.cap_add ?? []).length < DEFAULT_CAPABILITIES);
    return { report, hardened };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a service that writes to /tmp and to a data directory: read-only root, tmpfs for /tmp, a volume for the data', dockerTestOptions(), async () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const { hardened, report } = await hardenCase('writer', {
    service: {
      image: TEST_IMAGE,
      command: ['sh', '-c', 'mkdir -p /data; nc -ll -p 9000 -e cat /data/log & while true; do date > /tmp/now; echo x >> /data/log; sleep 0.5; done'],
      ports: [`${port}:9000`],
    },
    exercise: ['/bin/sh', '-c', `busybox nc 127.0.0.1 ${port} </dev/null | grep -q x`],
  });
  assert.equal(hardened.read_only, true);
  assert.deepEqual(hardened.tmpfs, ['/tmp']);
  assert.deepEqual(hardened.volumes, ['writer-data:/data']);
  assert.match(report.derivation!.changes.find((c) => c.key === 'volumes')!.evidence, /\/data is not a scratch directory/);
  assert.ok((hardened.security_opt as string[]).includes('no-new-privileges:true'));
  assert.equal(report.relaxed.length, 0, 'nothing relaxed');
});

test('a service that chowns its data as root, then drops to a user: keeps CHOWN/SETUID/SETGID only, read-only, NNP', dockerTestOptions(), async () => {
  const { hardened } = await hardenCase('dropper', {
    service: { image: TEST_IMAGE, command: ['sh', '-c', 'mkdir -p /data; chown -R 65534:65534 /data; exec busybox su -s /bin/sh nobody -c "while true; do id > /data/id; sleep 0.5; done"'] },
  });
  assert.ok(hardened.cap_add.includes('CHOWN'), `CHOWN at start-up: ${hardened.cap_add}`);
  assert.equal(hardened.user, undefined, 'root is needed at start-up');
  assert.equal(hardened.read_only, true);
});

test('a non-root HTTP server on port 80: NET_BIND_SERVICE, an HTTP healthcheck, healthy when hardened', dockerTestOptions(), async () => {
  const image = build(`FROM ${TEST_IMAGE}\nRUN mkdir -p /www && echo ok > /www/index.html\n`);
  const port = 20000 + Math.floor(Math.random() * 20000);
  try {
    const { hardened, report } = await hardenCase('web', {
      service: { image, user: '65534:65534', command: ['busybox', 'httpd', '-f', '-p', '80', '-h', '/www'], ports: [`${port}:80`] },
      exercise: ['/bin/sh', '-c', `busybox wget -q -O - http://127.0.0.1:${port}/ | grep -q ok`],
      healthy: true,
    });
    assert.ok(hardened.cap_add.includes('NET_BIND_SERVICE'), `bind to port 80: ${hardened.cap_add}`);
    assert.deepEqual(hardened.healthcheck.test, ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:80/'], 'an HTTP probe');
    assert.match(report.derivation!.changes.find((c) => c.key === 'healthcheck')!.evidence, /answered HTTP 200/);
    assert.equal(hardened.read_only, true);
    assert.ok((hardened.security_opt as string[]).includes('no-new-privileges:true'));
  } finally {
    spawnSync(DOCKER_CLI, ['rmi', '-f', image], { timeout: 60000 });
  }
});

test('a TCP server that does not speak HTTP: a TCP probe with nc, healthy when hardened', dockerTestOptions(), async () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const { hardened, report } = await hardenCase('tcp', {
    service: { image: TEST_IMAGE, user: '65534:65534', command: ['nc', '-ll', '-p', '9000', '-e', 'echo', 'hello'], ports: [`${port}:9000`] },
    exercise: ['/bin/sh', '-c', `busybox nc 127.0.0.1 ${port} </dev/null | grep -q hello`],
    healthy: true,
  });
  assert.deepEqual(hardened.healthcheck.test, ['CMD', 'nc', '-w', '2', '127.0.0.1', '9000'], 'a TCP probe, not HTTP');
  assert.match(report.derivation!.changes.find((c) => c.key === 'healthcheck')!.evidence, /does not speak HTTP/);
  assert.equal(hardened.read_only, true);
  assert.ok((hardened.security_opt as string[]).includes('no-new-privileges:true'));
});

test('a service calling a setuid helper: no no-new-privileges, and says why', dockerTestOptions(), async () => {
  const image = build(`FROM ${TEST_IMAGE}\nRUN mkdir -p /opt/suid && busybox cp /bin/busybox /opt/suid/id && chmod 4755 /opt/suid/id\n`);
  try {
    const { hardened, report } = await hardenCase('suid', {
      service: { image, user: '1000', command: ['sh', '-c', 'while true; do /opt/suid/id > /dev/null; sleep 0.5; done'] },
    });
    assert.ok(!(hardened.security_opt ?? []).includes('no-new-privileges:true'));
    assert.match(report.derivation!.notes.find((n) => n.control === 'no_new_privileges')!.why, /executed setuid\/setgid \/opt\/suid\/id/);
    assert.equal(hardened.read_only, true);
  } finally {
    spawnSync(DOCKER_CLI, ['rmi', '-f', image], { timeout: 60000 });
  }
});
