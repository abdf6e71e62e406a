// secret-in-env fixes, built and run on the real engine: the Dockerfile fix moves the secret from
// ENV/ARG into a BuildKit secret mount and the image works as before without holding it; the
// compose fix makes the service read it from the environment and refuse to start without it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixAll } from '../../src/engine/fix';
import { lintText } from '../../src/engine/lint';
import { DOCKER_CLI, TEST_IMAGE, docker, dockerTestOptions, uniqueName } from '../support/docker';

const options = dockerTestOptions();
const RUN = uniqueName('secretfix').toLowerCase();
const SECRET = 'ghp_' + 'Q'.repeat(36);
const dirs: string[] = [];

function build(dockerfile: string, tag: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-secretfix-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  writeFileSync(join(dir, 'token.txt'), SECRET);
  execFileSync(DOCKER_CLI, ['build', '--quiet', '--label', `bulkhead.test=${RUN}`, '-t', tag, ...extra, dir], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300000, stdio: ['ignore', 'pipe', 'pipe'] });
  return dir;
}

describe('secret-in-env fixes on the real engine', options, () => {
  after(() => {
    const images = docker(['images', '-q', '--filter', `label=bulkhead.test=${RUN}`]).split('\n').filter(Boolean);
    if (images.length) spawnSync(DOCKER_CLI, ['image', 'rm', '-f', ...new Set(images)]);
    // docker-compose run leaves the project's default network behind.
    spawnSync(DOCKER_CLI, ['network', 'rm', `${RUN}_default`]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const keyword of ['ENV', 'ARG'] as const) {
    test(`${keyword} with a token, fixed: builds with --secret, the RUN still gets it, the image no longer holds it`, () => {
      const original = [
        `FROM ${TEST_IMAGE}`,
        `${keyword} GITHUB_TOKEN=${SECRET} MODE=prod`,
        'RUN echo "token has ${#GITHUB_TOKEN} chars, starts ${GITHUB_TOKEN%%_*}" > /token-info',
        'USER 1000',
        'RUN test -n "$GITHUB_TOKEN" && echo "user sees ${#GITHUB_TOKEN}" >> /tmp/seen; cat /tmp/seen > /dev/null',
        'CMD ["cat", "/token-info"]',
        '',
      ].join('\n');
      const fixed = fixAll(original, { kind: 'dockerfile', unsafe: true, ruleId: 'secret-in-env' }).text;
      assert.ok(!fixed.includes(SECRET), 'the secret is gone from the Dockerfile');
      assert.equal(lintText(fixed, { kind: 'dockerfile' }).findings.filter((f) => f.ruleId === 'secret-in-env').length, 0);
      assert.match(fixed, new RegExp(`^${keyword} MODE=prod$`, 'm'), 'the other variable stays');

      build(original, `${RUN}:orig-${keyword.toLowerCase()}`, [], { DOCKER_BUILDKIT: '0' });
      build(fixed, `${RUN}:fixed-${keyword.toLowerCase()}`, ['--secret', 'id=github_token,src=token.txt'], { DOCKER_BUILDKIT: '1' });
      const outOf = (tag: string) => docker(['run', '--rm', '--label', `bulkhead.test=${RUN}`, tag]);
      assert.equal(outOf(`${RUN}:fixed-${keyword.toLowerCase()}`), outOf(`${RUN}:orig-${keyword.toLowerCase()}`), 'same result as the original build');
      assert.match(outOf(`${RUN}:fixed-${keyword.toLowerCase()}`), /token has 40 chars, starts ghp/);
      const stored = docker(['image', 'inspect', `${RUN}:fixed-${keyword.toLowerCase()}`]) + docker(['history', '--no-trunc', `${RUN}:fixed-${keyword.toLowerCase()}`]);
      assert.ok(!stored.includes(SECRET), 'neither the config nor the history holds the secret');
      // Without the secret the build fails loudly instead of running with an empty token.
      assert.throws(() => build(fixed, `${RUN}:nosecret-${keyword.toLowerCase()}`, ['--no-cache'], { DOCKER_BUILDKIT: '1' }));
    });
  }

  test('compose: the literal password becomes ${VAR:?…}; without VAR compose refuses, with it the service gets the same value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulkhead-secretfix-compose-'));
    dirs.push(dir);
    const original = [
      'services:',
      '  app:',
      `    image: ${TEST_IMAGE}`,
      `    labels: {bulkhead.test: ${RUN}}`,
      '    command: ["sh", "-c", "echo password has $${#DB_PASSWORD} chars"]',
      '    environment:',
      '      DB_PASSWORD: hunter2',
      '      MODE: prod',
      '',
    ].join('\n');
    const fixed = fixAll(original, { kind: 'compose', unsafe: true, ruleId: 'secret-in-env' }).text;
    assert.ok(!fixed.includes('hunter2'));
    const compose = (text: string, env: NodeJS.ProcessEnv) => {
      writeFileSync(join(dir, 'compose.yaml'), text);
      const childEnv = { ...process.env, ...env };
      if (!('DB_PASSWORD' in env)) delete childEnv.DB_PASSWORD;
      return spawnSync('docker-compose', ['-p', RUN, '-f', join(dir, 'compose.yaml'), 'run', '--rm', '-T', 'app'], { cwd: dir, env: childEnv, encoding: 'utf8', timeout: 120000 });
    };
    const before = compose(original, {});
    assert.equal(before.status, 0, before.stderr);
    const unset = compose(fixed, {});
    assert.notEqual(unset.status, 0, 'compose refuses to start without the variable');
    assert.match(unset.stderr, /DB_PASSWORD must be set/);
    const set = compose(fixed, { DB_PASSWORD: 'hunter2' });
    assert.equal(set.status, 0, set.stderr);
    assert.equal(set.stdout.trim(), before.stdout.trim());
    assert.match(set.stdout, /password has 7 chars/);
  });
});
