import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixAll } from '../../src/engine/fix';
import { lintText } from '../../src/engine/lint';
import { docker, dockerTestOptions, TEST_IMAGE, uniqueName } from '../support/docker';

// The classic builder needs nothing from a registry (BuildKit may try to resolve frontends).
process.env.DOCKER_BUILDKIT = '0';

interface ImageConfig {
  Config: { User?: string; Healthcheck?: { Test?: string[] }; Cmd?: string[]; Entrypoint?: string[] | null; WorkingDir?: string; Labels?: Record<string, string> };
}

/** Fixes `dockerfile` (unsafe fixes allowed), builds it with the real engine, and hands the image to `check`. */
function buildFixed(dockerfile: string, files: Record<string, string>, check: (image: string, fixed: string) => void): void {
  const fixed = fixAll(dockerfile, { kind: 'dockerfile', unsafe: true }).text;
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-dockerfile-'));
  const image = uniqueName('dockerfile').toLowerCase() + ':fixed';
  try {
    writeFileSync(join(dir, 'Dockerfile'), fixed);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o755 });
    docker(['build', '--quiet', '-t', image, dir], { timeout: 300000 });
    check(image, fixed);
  } finally {
    try {
      docker(['image', 'rm', '-f', image]);
    } catch {
      // The build failed before tagging: nothing to remove.
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function inspect(image: string): ImageConfig {
  return (JSON.parse(docker(['image', 'inspect', image])) as ImageConfig[])[0];
}

test('an insecure single-stage Dockerfile, fixed, builds and runs as non-root with a HEALTHCHECK', dockerTestOptions(), () => {
  const insecure = [
    `FROM ${TEST_IMAGE}`,
    'MAINTAINER Jane <jane@example.com>',
    'WORKDIR app',
    'ADD app.sh /app/app.sh',
    // A producer that can fail (pipefail-missing exempts echo/printf, whose failure nothing would catch).
    'RUN hostname | sed "s/.*/ready/" > /app/status',
    'EXPOSE 8080 22',
    'USER root',
    'CMD /app/app.sh',
    '',
  ].join('\n');
  const before = new Set(lintText(insecure, { kind: 'dockerfile' }).findings.map((f) => f.ruleId));
  for (const id of ['maintainer-deprecated', 'workdir-relative', 'add-instead-of-copy', 'pipefail-missing', 'ssh-port', 'user-root', 'healthcheck-missing', 'shell-form-command']) {
    assert.ok(before.has(id), `${id} fires before the fix`);
  }
  buildFixed(insecure, { 'app.sh': '#!/bin/sh\ncat /app/status\nid -u\n' }, (image, fixed) => {
    const after = new Set(lintText(fixed, { kind: 'dockerfile' }).findings.map((f) => f.ruleId));
    for (const id of ['user-root', 'healthcheck-missing', 'ssh-port', 'shell-form-command', 'add-instead-of-copy', 'pipefail-missing']) assert.ok(!after.has(id), `${id} fixed`);
    assert.notEqual(docker(['run', '--rm', image, 'id', '-u']).trim(), '0');
    // The exec-form CMD still runs the app, now as the unprivileged user, in the absolute WORKDIR.
    assert.equal(docker(['run', '--rm', image]).trim(), 'ready\n10001');
    const config = inspect(image).Config;
    assert.equal(config.User, '10001:10001');
    assert.deepEqual(config.Cmd, ['/app/app.sh']);
    assert.equal(config.WorkingDir, '/app');
    assert.equal(config.Labels?.['org.opencontainers.image.authors'], 'Jane <jane@example.com>');
    assert.match((config.Healthcheck?.Test ?? []).join(' '), /wget -q --spider http:\/\/127\.0\.0\.1:8080\//);
  });
});

test('a multi-stage Dockerfile with ARG-in-FROM, fixed, keeps its root build stage and runs as non-root', dockerTestOptions(), () => {
  const insecure = [
    `ARG BASE=${TEST_IMAGE}`,
    'FROM ${BASE} AS build',
    'RUN echo built > /artifact',
    '',
    'FROM ${BASE}',
    'ENV NODE_TLS_REJECT_UNAUTHORIZED=0',
    'COPY --from=build /artifact /artifact',
    // 8080: an HTTP port (9000 would be FastCGI, which gets no wget probe).
    'EXPOSE 8080',
    'CMD cat /artifact',
    'CMD cat /artifact /artifact',
    '',
  ].join('\n');
  buildFixed(insecure, {}, (image, fixed) => {
    // Only the final stage gets the user switch (after an explicit USER root for the RUN that creates
    // the account: nothing tells what user the base runs as).
    assert.equal(fixed.split('\n').filter((l) => l.startsWith('USER 10001:10001')).length, 1);
    assert.match(fixed, /\nUSER root\nRUN echo 'app:x:10001[^\n]*\nUSER 10001:10001\n/);
    assert.ok(fixed.indexOf('USER 10001:10001') > fixed.indexOf('FROM ${BASE}\n'));
    assert.doesNotMatch(fixed, /NODE_TLS_REJECT_UNAUTHORIZED/);
    assert.notEqual(docker(['run', '--rm', image, 'id', '-u']).trim(), '0');
    assert.equal(docker(['run', '--rm', image]).trim(), 'built\nbuilt');
    const config = inspect(image).Config;
    assert.equal(config.User, '10001:10001');
    assert.ok(config.Healthcheck?.Test?.length, 'HEALTHCHECK in the image');
  });
});
