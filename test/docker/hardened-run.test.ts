// "Copy Hardened docker run" on a real container: the generated argument list is run on the real
// engine (execFile, no shell) and must start the same workload, minus what the rules flag.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { checkContainer } from '../../src/engine/lint';
import type { ContainerInspect } from '../../src/engine/runtime/container';
import { hardenedRunArgs, hardenedSpec } from '../../src/engine/runtime/hardened';
import { DOCKER_CLI, TEST_IMAGE, docker, dockerTestOptions, uniqueName } from '../support/docker';
import { waitFor } from '../support/wait';

const options = dockerTestOptions();
const NAME = uniqueName('hardened');
const COMMAND = ['sh', '-c', 'echo "workload $GREETING in $(pwd) as $(id -u), secret length ${#DB_PASSWORD}"; exec sleep 300'];

const inspectOf = (name: string) => (JSON.parse(docker(['inspect', name])) as ContainerInspect[])[0];

describe('the hardened docker run command on the real engine', options, () => {
  after(() => {
    const ids = docker(['ps', '-aq', '--filter', `label=bulkhead.test=${NAME}`]).split('\n').filter(Boolean);
    if (ids.length) docker(['rm', '-f', ...ids]);
  });

  test('keeps command, env (secrets by reference), working dir and ports; the flagged /var/log mount is gone', async () => {
    docker([
      'run', '-d', '--name', NAME, '--label', `bulkhead.test=${NAME}`,
      '-e', 'GREETING=hello', '-e', 'DB_PASSWORD=hunter2', '-w', '/srv', '-p', '127.0.0.1::8080', '-p', '0.0.0.0::9090/udp', '-v', '/var/log:/hostlog',
      TEST_IMAGE, ...COMMAND,
    ]);
    const original = inspectOf(NAME);
    assert.ok(checkContainer({ inspect: original }).findings.some((f) => f.ruleId === 'sensitive-mount'), 'the original is flagged');

    const spec = { ...hardenedSpec(original), name: `${NAME}-h` };
    const args = hardenedRunArgs(spec);
    assert.ok(!args.join(' ').includes('hunter2'), 'the secret value is never in the command');
    // The user pastes the command into a shell that has the secret in its environment.
    execFileSync(DOCKER_CLI, [...args.slice(0, 2), '--label', `bulkhead.test=${NAME}`, ...args.slice(2)], { env: { ...process.env, DB_PASSWORD: 'hunter2' }, encoding: 'utf8', timeout: 60000 });

    const hardened = inspectOf(`${NAME}-h`);
    await waitFor('the hardened container prints its line', () => /workload/.test(docker(['logs', `${NAME}-h`])), 30_000);
    const state = inspectOf(`${NAME}-h`).State;
    assert.equal(state?.Running, true, `the hardened container runs (${state?.Status})`);
    assert.deepEqual(hardened.Config?.Cmd, original.Config?.Cmd, 'same command');
    assert.equal(hardened.Config?.WorkingDir, '/srv');
    assert.match(docker(['logs', `${NAME}-h`]), /workload hello in \/srv as 65534, secret length 7/);
    assert.ok(hardened.Config?.Env?.includes('GREETING=hello'));
    assert.deepEqual(Object.keys(hardened.HostConfig?.PortBindings ?? {}).sort(), ['8080/tcp', '9090/udp']);
    assert.ok(Object.values(hardened.HostConfig?.PortBindings ?? {}).flat().every((b) => b?.HostIp === '127.0.0.1'));
    assert.ok(!(hardened.Mounts ?? []).some((m) => m.Source === '/var/log'), 'the /var/log mount is gone');
    const left = checkContainer({ inspect: hardened }).findings.map((f) => f.ruleId);
    for (const id of ['sensitive-mount', 'docker-socket', 'cap-drop-all', 'user-root', 'read-only-rootfs', 'no-new-privileges', 'port-all-interfaces']) assert.ok(!left.includes(id), `hardened still reports ${id}`);
  });
});
