import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { runHarden } from '../../src/cli/harden';
import { splitCommand } from '../../src/engine/harden/container';
import { TRIAL_LABEL } from '../../src/docker/harden/trial';
import { DOCKER_CLI, TEST_IMAGE, docker, dockerTestOptions, uniqueName } from '../support/docker';
import { waitFor } from '../support/wait';

interface ContainerJson {
  service: string;
  changes: { key: string; value: unknown; evidence: string }[];
  verification: { baseline: { exitCode: number | null; healthy: boolean | null; restarts: number } | null; hardened: unknown };
  verified: boolean;
  relaxed: unknown[];
  container: { source: unknown; compose: string | null; dockerRun: string | null };
}

test('bulkhead harden --container: a running container (not from compose) hardened into a compose service and a docker run command that both work', dockerTestOptions(), async () => {
  const name = uniqueName('harden-ctr');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
  const started: string[] = [name];
  const cwd = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-harden-ctr-'));
  try {
    docker(['run', '-d', '--name', name, '--user', '65534:65534', '-e', `API_TOKEN=${secret}`, '-p', `${port}:9000`, TEST_IMAGE, 'nc', '-ll', '-p', '9000', '-e', 'echo', 'hello']);
    let out = '';
    let err = '';
    process.chdir(dir);
    const code = await runHarden(
      // The trial publishes no host port (the container holds it): the exercise reaches the trial's copy by its address.
      ['--container', name, '--observe', '3', '--format', 'json', '--write', '--exercise', 'busybox nc "$BULKHEAD_TRIAL_HOST" 9000 </dev/null | grep -q hello'],
      { out: (t) => (out += t), err: (t) => (err += t) },
    );
    process.chdir(cwd);
    assert.equal(code, 0, err);
    const json = JSON.parse(out) as ContainerJson;
    assert.equal(json.verified, true);
    assert.equal(json.container.source, 'inspect');
    assert.ok(json.verification.baseline && json.verification.hardened);
    assert.ok(!out.includes(secret), 'the secret value is not printed');
    assert.equal(docker(['inspect', '-f', '{{.State.Running}}', name]).trim(), 'true', 'the original container is untouched');
    const trialContainers = docker(['container', 'ls', '-aq', '--filter', `label=${TRIAL_LABEL}`, '--filter', `label=com.docker.compose.service=${name}`]).trim();
    assert.equal(trialContainers, '', 'no trial container is left');

    const compose = parse(json.container.compose!) as { services: Record<string, Record<string, unknown>> };
    const service = Object.values(compose.services)[0];
    assert.deepEqual(service.cap_drop, ['ALL']);
    assert.equal(service.read_only, true);
    assert.ok((service.environment as string[]).includes('API_TOKEN'), 'the secret is passed by name');
    assert.ok((service.security_opt as string[]).some((o) => o.startsWith('seccomp=')));

    // The docker run command, run (as argv: the secret from the environment, a free port) with the profile --write saved.
    docker(['rm', '-f', name]);
    const argv = splitCommand(json.container.dockerRun!).slice(1);
    assert.equal(argv[0], 'run');
    const hardenedName = `${name}-hardened`;
    const runArgs = argv.map((a, i) => (argv[i - 1] === '--name' ? hardenedName : a.startsWith('seccomp=./') ? `seccomp=${join(dir, a.slice('seccomp=./'.length))}` : a));
    started.push(hardenedName);
    docker(runArgs, { cwd: dir });
    // Through the published port, from the host: the service itself answers (no client of ours runs under its profile).
    await waitFor('the hardened container to answer', () => spawnSync('busybox', ['nc', '127.0.0.1', String(port)], { input: '', encoding: 'utf8', timeout: 10000 }).stdout?.includes('hello'), 60000).catch((e: Error) => {
      const status = docker(['ps', '-a', '--filter', `name=${hardenedName}`, '--format', '{{.Status}}']);
      throw new Error(`${e.message}: ${status} ${json.container.dockerRun} relaxed ${JSON.stringify(json.relaxed)}`);
    });
    const inspect = JSON.parse(docker(['inspect', hardenedName]))[0] as { HostConfig: { CapDrop: string[]; ReadonlyRootfs: boolean } };
    assert.ok(inspect.HostConfig.CapDrop.includes('ALL'));
    assert.equal(inspect.HostConfig.ReadonlyRootfs, true);
  } finally {
    process.chdir(cwd);
    for (const c of started) spawnSync(DOCKER_CLI, ['rm', '-f', c], { timeout: 60000 });
    rmSync(dir, { recursive: true, force: true });
  }
});
