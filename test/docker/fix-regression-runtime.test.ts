import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixAll } from '../../src/engine/fix';
import { lintText, type LintOptions } from '../../src/engine/lint';
import { DOCKER_CLI, docker, dockerTestOptions, TEST_IMAGE, uniqueName } from '../support/docker';
import { waitFor } from '../support/wait';
import { connectEngine, resolveDefaultEngine } from '../../src/docker/connection';
import { inspectImageFacts, LocalBaseImages } from '../../src/docker/image-facts';

// Regression suite for the user-root, healthcheck-missing, no-new-privileges and compose fixes
// (issue 11): real-world-shaped cases on local stand-in bases built from busybox. Each original is
// built and started, the fixes are applied (safe, then unsafe), and the fixed version must build
// and start too; where a probe was inserted its health status must end `healthy`.

// The classic builder needs nothing from a registry.
process.env.DOCKER_BUILDKIT = '0';
const COMPOSE = existsSync('/usr/bin/docker-compose') ? '/usr/bin/docker-compose' : 'docker-compose';
const created = { images: new Set<string>(), containers: new Set<string>(), dirs: new Set<string>(), projects: new Map<string, string>() };

after(() => {
  for (const [project, dir] of created.projects) spawnSync(COMPOSE, ['-p', project, '-f', 'compose.yaml', 'down', '-v', '--timeout', '1'], { cwd: dir, timeout: 120000 });
  for (const c of created.containers) spawnSync(DOCKER_CLI, ['rm', '-f', '-v', c], { timeout: 60000 });
  for (const i of created.images) spawnSync(DOCKER_CLI, ['image', 'rm', '-f', i], { timeout: 60000 });
  for (const d of created.dirs) rmSync(d, { recursive: true, force: true });
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-rfix-'));
  created.dirs.add(dir);
  return dir;
}

function build(dockerfile: string, label: string): string {
  const dir = scratchDir();
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  const image = `${uniqueName(label).toLowerCase()}:1`;
  created.images.add(image);
  docker(['build', '--quiet', '-t', image, dir], { timeout: 300000 });
  return image;
}

interface State {
  Running: boolean;
  Health?: { Status: string };
}
function state(container: string): State {
  return JSON.parse(docker(['inspect', '--format', '{{json .State}}', container])) as State;
}

/** Starts the image and waits until it is running (or fails the test with its logs). */
async function start(image: string, args: string[] = []): Promise<string> {
  const name = uniqueName('run');
  created.containers.add(name);
  docker(['run', '-d', '--name', name, ...args, image]);
  await waitFor(`container of ${image} running`, () => state(name).Running, 60000).catch((e: Error) => {
    throw new Error(`${e.message}; logs: ${spawnSync(DOCKER_CLI, ['logs', name], { encoding: 'utf8' }).stderr.slice(0, 500)}`);
  });
  return name;
}

/** Every safe fix, then every fix: what `bulkhead fix` and then `fix --unsafe` write. */
function fixBoth(text: string, options: LintOptions): string {
  const safe = fixAll(text, { ...options }).text;
  return fixAll(safe, { ...options, unsafe: true }).text;
}

function findings(text: string, options: LintOptions, ruleId: string) {
  return lintText(text, options).findings.filter((f) => f.ruleId === ruleId);
}

/** Builds and starts the original and the fixed Dockerfile; returns the fixed text and its running container. */
async function originalAndFixed(original: string, label: string, options: LintOptions): Promise<{ fixed: string; container: string }> {
  await start(build(original, `${label}-orig`));
  const fixed = fixBoth(original, options);
  assert.notEqual(fixed, original, 'something was fixed');
  const container = await start(build(fixed, `${label}-fixed`));
  return { fixed, container };
}

test('a non-root base: no user-root warning from the local image config; USER root is switched back to the base user, never a passwd edit', dockerTestOptions(), async () => {
  const base = build(`FROM ${TEST_IMAGE}\nUSER 1000\n`, 'nonroot-base');
  const plain = `FROM ${base}\nCMD ["sleep", "3600"]\n`;
  const baseImages = await new LocalBaseImages().lookupFor(plain);
  const facts = baseImages(base);
  assert.equal(facts?.source, 'local image');
  assert.equal(facts?.user, '1000');
  assert.equal(facts?.hasShell, true);
  assert.deepEqual(findings(plain, { kind: 'dockerfile', baseImages }, 'user-root'), [], 'the base already runs as 1000');

  // Without the lookup the base is unknown: a numeric USER, no RUN that could fail as non-root.
  const blind = fixBoth(plain, { kind: 'dockerfile' });
  assert.doesNotMatch(blind, /\/etc\/passwd|^RUN/m);
  const blindRun = await start(build(blind, 'nonroot-blind'));
  assert.equal(docker(['exec', blindRun, 'id', '-u']).trim(), '10001');

  const switched = `FROM ${base}\nUSER root\nRUN mkdir /data && chown 1000 /data\nCMD ["sleep", "3600"]\n`;
  const [finding] = findings(switched, { kind: 'dockerfile', baseImages }, 'user-root');
  assert.match(finding.fixes[0].title, /base image's user 1000 \(per the local image's config/);
  const { fixed, container } = await originalAndFixed(switched, 'nonroot-switched', { kind: 'dockerfile', baseImages });
  assert.doesNotMatch(fixed, /\/etc\/passwd|addgroup|useradd/);
  assert.match(fixed, /\nUSER 1000\nCMD/);
  assert.equal(docker(['exec', container, 'id', '-u']).trim(), '1000');
});

test('USER app … USER root: the fix reuses app (one account, no RUN as app)', dockerTestOptions(), async () => {
  const text = [
    `FROM ${TEST_IMAGE}`,
    "RUN echo 'app:x:1001:1001:app:/:/bin/sh' >> /etc/passwd && echo 'app:x:1001:' >> /etc/group",
    'USER app',
    'RUN id -u',
    'USER root',
    'RUN touch /marker',
    'CMD ["sleep", "3600"]',
    '',
  ].join('\n');
  const { fixed, container } = await originalAndFixed(text, 'reuse-app', { kind: 'dockerfile' });
  assert.equal(fixed.split('/etc/passwd').length - 1, 1, 'no second account');
  assert.match(fixed, /\nUSER app\nCMD/);
  assert.equal(docker(['exec', container, 'id', '-u']).trim(), '1001');
  assert.equal(docker(['exec', container, 'grep', '-c', '^app:', '/etc/passwd']).trim(), '1');
});

test('a shell-less base (scratch + one static binary): numeric USER, no RUN; builds and starts', dockerTestOptions(), async () => {
  const text = [
    `FROM ${TEST_IMAGE} AS build`,
    'RUN cp /bin/busybox /busybox',
    'FROM scratch',
    'COPY --from=build /busybox /busybox',
    'ENTRYPOINT ["/busybox"]',
    'CMD ["sleep", "3600"]',
    '',
  ].join('\n');
  const { fixed, container } = await originalAndFixed(text, 'scratch', { kind: 'dockerfile' });
  const finalStage = fixed.slice(fixed.indexOf('FROM scratch'));
  assert.doesNotMatch(finalStage, /^RUN/m, 'no RUN in a stage without /bin/sh');
  assert.match(finalStage, /^USER 10001:10001$/m);
  assert.equal(docker(['exec', container, '/busybox', 'id', '-u']).trim(), '10001');
});

test('non-HTTP and HTTP services: a wget probe only on an HTTP port with wget present, and it ends healthy', dockerTestOptions(), async () => {
  // A Redis-shaped service: nothing speaks HTTP on 6379, so only the template is offered.
  const redisLike = `FROM ${TEST_IMAGE}\nEXPOSE 6379\nCMD ["nc", "-ll", "-p", "6379", "-e", "cat"]\n`;
  const [nonHttp] = findings(redisLike, { kind: 'dockerfile' }, 'healthcheck-missing');
  assert.deepEqual(nonHttp.fixes[0].edits, []);
  assert.match(nonHttp.fixes[0].title, /port 6379 speaks Redis, not HTTP/);
  const redis = await originalAndFixed(redisLike, 'redis-like', { kind: 'dockerfile' });
  assert.doesNotMatch(redis.fixed, /HEALTHCHECK/);
  assert.equal(state(redis.container).Health, undefined, 'no probe, so never unhealthy');

  // The same stack with wget removed by the build: no probe with a tool that is gone.
  const purged = `FROM ${TEST_IMAGE}\nRUN mkdir /www && echo ok > /www/index.html && rm /bin/wget\nEXPOSE 8080\nCMD ["busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]\n`;
  assert.deepEqual(findings(purged, { kind: 'dockerfile' }, 'healthcheck-missing')[0].fixes[0].edits, []);
  const gone = await originalAndFixed(purged, 'purged-wget', { kind: 'dockerfile' });
  assert.doesNotMatch(gone.fixed, /HEALTHCHECK/);

  const web = `FROM ${TEST_IMAGE}\nRUN mkdir /www && echo ok > /www/index.html\nEXPOSE 8080\nCMD ["busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]\n`;
  const http = await originalAndFixed(web, 'http', { kind: 'dockerfile' });
  assert.match(http.fixed, /HEALTHCHECK [^\n]*\\\n {2}CMD wget -q --spider http:\/\/127\.0\.0\.1:8080\/ \|\| exit 1/);
  // The first probe runs one interval (30 s) after the start.
  const status = await waitFor('a health verdict', () => {
    const s = state(http.container).Health?.Status;
    return s === 'healthy' || s === 'unhealthy' ? s : undefined;
  }, 120000);
  assert.equal(status, 'healthy');
});

function compose(cwd: string, project: string, args: string[]): string {
  return execFileSync(COMPOSE, ['-p', project, '-f', 'compose.yaml', ...args], { cwd, encoding: 'utf8', timeout: 180000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Writes the compose file, checks `config`, starts it and returns the service's container id; `down -v` runs in after(). */
async function upCompose(text: string, label: string): Promise<{ container: string }> {
  const dir = scratchDir();
  const project = uniqueName(label).replace(/[^a-z0-9]/g, '');
  writeFileSync(join(dir, 'compose.yaml'), text);
  compose(dir, project, ['config', '-q']);
  created.projects.set(project, dir);
  compose(dir, project, ['up', '-d']);
  const container = compose(dir, project, ['ps', '-q', 'app']).trim();
  assert.ok(container, 'the service was created');
  await waitFor(`${label} running`, () => state(container).Running, 60000);
  return { container };
}

test('setuid helper: no-new-privileges is unsafe and says what changes; the fixed stack starts (euid 0 before, the helper refused after)', dockerTestOptions(), async () => {
  // A base whose service runs as 1000 and calls a setuid-root helper (su with root's password empty).
  const base = build(
    `FROM ${TEST_IMAGE}\nRUN mkdir -p /opt/suid && cp /bin/busybox /opt/suid/busybox && chmod u+s /opt/suid/busybox && ln -s busybox /opt/suid/su && sed -i 's/^root:[^:]*:/root::/' /etc/passwd\nUSER 1000\n`,
    'setuid-base',
  );
  const engine = await connectEngine(resolveDefaultEngine());
  assert.ok(engine.ok);
  const facts = await inspectImageFacts(engine.client, base, { setuid: true, timeoutMs: 60000 });
  assert.ok(facts?.setuidFiles?.includes('/opt/suid/busybox'), `setuid file found: ${JSON.stringify(facts?.setuidFiles)}`);

  const text = `services:\n  app:\n    image: ${base}\n    command: ["sleep", "3600"]\n`;
  const [finding] = findings(text, { kind: 'compose' }, 'no-new-privileges');
  assert.equal(finding.fixes[0].safe, false);
  assert.match(finding.fixes[0].title, /setuid helpers such as sudo, su, ping, crontab/);
  assert.doesNotMatch(fixAll(text, { kind: 'compose' }).text, /no-new-privileges/, 'the safe pass leaves it alone');

  const original = await upCompose(text, 'setuid-orig');
  assert.equal(docker(['exec', original.container, '/opt/suid/su', 'root', '-c', 'id -u']).trim(), '0');

  const fixed = fixBoth(text, { kind: 'compose' });
  assert.match(fixed, /no-new-privileges:true/);
  const hardened = await upCompose(fixed, 'setuid-fixed');
  const su = spawnSync(DOCKER_CLI, ['exec', hardened.container, '/opt/suid/su', 'root', '-c', 'id -u'], { encoding: 'utf8' });
  assert.notEqual(su.status, 0, 'the consequence the fix title states');
  assert.notEqual(su.stdout.trim(), '0');
});

test('compose: removing network_mode: host keeps the published ports; without ports only a snippet is offered', dockerTestOptions(), async () => {
  const port = String(20000 + Math.floor(Math.random() * 20000));
  const withPorts = `services:\n  app:\n    image: ${TEST_IMAGE}\n    network_mode: host\n    ports: ["127.0.0.1::${port}"]\n    command: ["busybox", "httpd", "-f", "-p", "${port}"]\n`;
  // docker-compose 1.29 refuses host networking with port bindings ("incompatible"; v2 ignores the
  // ports): the original is only validated, the fixed file is started.
  const dir = scratchDir();
  writeFileSync(join(dir, 'compose.yaml'), withPorts);
  compose(dir, uniqueName('hostnet-orig').replace(/[^a-z0-9]/g, ''), ['config', '-q']);
  const fixed = fixBoth(withPorts, { kind: 'compose' });
  assert.doesNotMatch(fixed, /network_mode/);
  assert.doesNotMatch(fixed, /mem_limit|cpus|pids_limit/, 'no guessed limits written');
  const { container } = await upCompose(fixed, 'hostnet-fixed');
  const published = docker(['port', container, `${port}/tcp`]).trim();
  assert.match(published, /^127\.0\.0\.1:\d+$/, 'reachable through its published port');

  const noPorts = `services:\n  app:\n    image: ${TEST_IMAGE}\n    network_mode: host\n    command: ["sleep", "3600"]\n`;
  const [finding] = findings(noPorts, { kind: 'compose' }, 'host-network');
  assert.deepEqual(finding.fixes[0].edits, []);
  assert.ok(finding.fixes[0].snippet);
  await upCompose(noPorts, 'hostnet-noports-orig');
  const kept = fixBoth(noPorts, { kind: 'compose' });
  assert.match(kept, /network_mode: host/, 'never removed without ports');
  await upCompose(kept, 'hostnet-noports-fixed');
});
