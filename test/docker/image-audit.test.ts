import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, resolveDefaultEngine } from '../../src/docker/connection';
import { ImageReadError, readImage } from '../../src/docker/image-reader';
import type { ImageContext } from '../../src/engine/image/context';
import { checkImage, type ImageFinding, type ImageResult } from '../../src/engine/image/lint';
import { applyEdits, LineIndex } from '../../src/engine/text';
import { main } from '../../src/cli/main';
import { docker, dockerTestOptions, TEST_IMAGE, uniqueName } from '../support/docker';

const client = () => createClient(resolveDefaultEngine(), { timeoutMs: 60000 });
const TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
const ENV_SECRET = 's3cr3t-v4lue-123';

/** Builds `dockerfile` with the real engine (classic builder unless `buildkit`), runs `check`, removes the image. */
async function withImage(dockerfile: string, check: (name: string) => Promise<void>, buildkit = false): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-image-'));
  const name = uniqueName('image').toLowerCase() + ':t';
  try {
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    process.env.DOCKER_BUILDKIT = buildkit ? '1' : '0';
    docker(['build', '--quiet', '-t', name, dir], { timeout: 300000 });
    await check(name);
  } finally {
    try {
      docker(['image', 'rm', '-f', name]);
    } catch {
      // The build failed before tagging: nothing to remove.
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function audit(name: string, dockerfile?: string): Promise<{ image: ImageContext; result: ImageResult }> {
  const image = await readImage(client(), name);
  return { image, result: checkImage(image, dockerfile ? { dockerfile: { text: dockerfile, file: 'Dockerfile' } } : {}) };
}

/** The 1-based layer created by the history step whose command contains `marker`. */
function layerOf(image: ImageContext, marker: string): number | undefined {
  return image.history.find((h) => h.createdBy.includes(marker))?.layer;
}

function lineOf(dockerfile: string, f: ImageFinding): number | undefined {
  return f.range ? new LineIndex(dockerfile).position(f.range.start).line + 1 : undefined;
}

function only(findings: ImageFinding[], ruleId: string, path?: string): ImageFinding {
  const found = findings.filter((f) => f.ruleId === ruleId && (path === undefined || f.path === path));
  assert.equal(found.length, 1, `one ${ruleId}${path ? ` at ${path}` : ''}, got ${JSON.stringify(found.map((f) => f.message))}`);
  return found[0];
}

const BAD = `FROM ${TEST_IMAGE}
ARG BUILD_TOKEN=${TOKEN}
RUN mkdir -p /usr/local/bin && cp /bin/busybox /usr/local/bin/su-copy && chmod 4755 /usr/local/bin/su-copy
RUN mkdir -p /root/.ssh && printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\\nAAAA\\n-----END OPENSSH PRIVATE KEY-----\\n' > /root/.ssh/id_rsa
RUN rm /root/.ssh/id_rsa
ENV API_TOKEN=${ENV_SECRET}
RUN mkdir /data && chmod 777 /data && echo 'eve::1001:1001::/home/eve:/bin/sh' >> /etc/passwd
`;

for (const buildkit of [false, true]) {
  test(`image audit (${buildkit ? 'BuildKit' : 'classic builder'}): setuid, deleted key, secrets in ENV and build arg, root, world-writable, empty password, each in its layer and on its line`, dockerTestOptions(), async () => {
    await withImage(
      BAD,
      async (name) => {
        const { image, result } = await audit(name, BAD);
        const { findings } = result;
        const setuid = only(findings, 'setuid-file', '/usr/local/bin/su-copy');
        assert.equal(setuid.layer, layerOf(image, 'chmod 4755'));
        assert.match(setuid.evidence ?? '', /mode 4755 owner 0:0/);
        assert.equal(lineOf(BAD, setuid), 3);

        const key = only(findings, 'secret-file', '/root/.ssh/id_rsa');
        const added = layerOf(image, 'printf');
        assert.equal(key.layer, added);
        assert.match(key.message, new RegExp(`present in layer ${added} .*deleted in layer ${added! + 1} .*still extractable`));
        assert.equal(lineOf(BAD, key), 4);

        const env = findings.filter((f) => f.ruleId === 'secret-in-env');
        assert.deepEqual(env.map((f) => /API_TOKEN|BUILD_TOKEN/.exec(f.message)?.[0]).sort(), ['API_TOKEN', 'BUILD_TOKEN']);
        assert.equal(lineOf(BAD, env.find((f) => f.message.includes('API_TOKEN'))!), 6);

        only(findings, 'user-root');
        const ww = only(findings, 'world-writable', '/data');
        assert.equal(ww.layer, layerOf(image, 'chmod 777'));
        assert.equal(lineOf(BAD, ww), 7);
        const empty = only(findings, 'account-empty-password', '/etc/passwd');
        assert.match(empty.message, /account eve \(uid 1001\)/);
        assert.equal(empty.layer, layerOf(image, 'chmod 777'));
        assert.equal(only(findings, 'secret-in-history').layer, added, 'the key header on the command line of the RUN that wrote it');

        // No secret value leaves the engine through a finding.
        const text = JSON.stringify(findings);
        assert.ok(!text.includes(TOKEN) && !text.includes(ENV_SECRET) && !text.includes('AAAA'), text);
      },
      buildkit,
    );
  });
}

test('image audit: a clean image (non-root user, health check, nothing left behind) has no finding', dockerTestOptions(), async () => {
  const clean = `FROM ${TEST_IMAGE}\nRUN mkdir /app && echo hello > /app/index.txt\nUSER 10001:10001\nHEALTHCHECK CMD ["true"]\nCMD ["cat", "/app/index.txt"]\n`;
  await withImage(clean, async (name) => {
    const { result } = await audit(name, clean);
    assert.deepEqual(result.findings.map((f) => `${f.ruleId}: ${f.message}`), []);
    assert.deepEqual(result.errors, []);
  });
});

for (const withFind of [false, true]) {
  test(`image audit back-link: the setuid fix ${withFind ? '(find … chmod a-s)' : '(chmod a-s FILE, no find in the image)'} applied to the Dockerfile and rebuilt makes the finding go away`, dockerTestOptions(), async () => {
    const dockerfile = `FROM ${TEST_IMAGE}\n${withFind ? 'RUN ln -s busybox /bin/find\n' : ''}RUN mkdir -p /usr/local/bin && cp /bin/busybox /usr/local/bin/id && chmod 4755 /usr/local/bin/id\nUSER 10001\nHEALTHCHECK CMD ["true"]\nCMD ["/usr/local/bin/id", "-u"]\n`;
    let fixed = '';
    await withImage(dockerfile, async (name) => {
      const { result } = await audit(name, dockerfile);
      const setuid = only(result.findings, 'setuid-file', '/usr/local/bin/id');
      assert.equal(lineOf(dockerfile, setuid), withFind ? 3 : 2);
      const fix = setuid.fixes[0];
      assert.ok(fix && fix.edits.length, 'a Dockerfile edit at the linked instruction');
      assert.equal(fix.safe, false);
      fixed = applyEdits(dockerfile, fix.edits).text;
      assert.match(fixed, withFind ? /^RUN find \/ -xdev -perm \/6000 -type f -exec chmod a-s \{\} \+$/m : /^RUN chmod a-s \/usr\/local\/bin\/id$/m);
    });
    await withImage(fixed, async (name) => {
      const { result } = await audit(name, fixed);
      assert.deepEqual(result.findings.map((f) => `${f.ruleId}: ${f.message}`), []);
      // The fixed image still builds and starts, as its unprivileged user.
      assert.equal(docker(['run', '--rm', name]).trim(), '10001');
    });
  });
}

test('image audit CLI: JSON shape, exit code 1 on findings, and a cancelled read stops with a clear reason', dockerTestOptions(), async () => {
  await withImage(BAD, async (name) => {
    let out = '';
    const code = await main(['audit', 'image', name, '--format', 'json'], { out: (t) => (out += t), err: () => undefined });
    assert.equal(code, 1);
    const json = JSON.parse(out) as { images: { id: string; tags: string[]; findings: { ruleId: string; layer?: number; path?: string; refs: { dockle: string[] } }[] }[] };
    assert.equal(json.images.length, 1);
    assert.deepEqual(json.images[0].tags, [name]);
    const setuid = json.images[0].findings.find((f) => f.ruleId === 'setuid-file')!;
    assert.equal(setuid.path, '/usr/local/bin/su-copy');
    assert.ok(typeof setuid.layer === 'number');
    assert.deepEqual(setuid.refs.dockle, ['CIS-DI-0008']);

    const controller = new AbortController();
    controller.abort();
    await assert.rejects(readImage(client(), name, { signal: controller.signal }), (e: unknown) => e instanceof ImageReadError && e.reason === 'cancelled');
  });
  let err = '';
  assert.equal(await main(['audit', 'image', 'bulkhead-test-no-such-image:none'], { out: () => undefined, err: (t) => (err += t) }), 2);
});
