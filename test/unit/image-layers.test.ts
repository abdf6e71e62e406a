import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LayerFacts, resolveLayers, type LayerEntry } from '../../src/engine/image/layer-facts';
import { credentialsInCommand, linkHistory, parseCreatedBy } from '../../src/engine/image/history';
import { layerLabel } from '../../src/engine/image/describe';
import { checkImage } from '../../src/engine/image/lint';
import { createDockerfileContext } from '../../src/engine/dockerfile/context';
import type { ImageContext } from '../../src/engine/image/context';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { ImageReadError, readImageExport } from '../../src/docker/image-reader';
import { tarMetadataGuard, TarMetadataTooLarge } from '../../src/docker/tar-guard';
import { main } from '../../src/cli/main';

type Entry = Partial<LayerEntry> & { name: string; content?: string };

/** A layer from entries; content is handed over only when the scanner asks for it, bounded as the adapter does. */
function layer(entries: Entry[]): LayerFacts {
  const facts = new LayerFacts();
  for (const e of entries) {
    const size = e.content !== undefined ? Buffer.byteLength(e.content) : (e.size ?? 0);
    const wanted = facts.entry({ type: 'file', mode: 0o644, uid: 0, gid: 0, ...e, size });
    if (wanted && e.content !== undefined) facts.content(e.name, Buffer.from(e.content).subarray(0, wanted));
  }
  return facts;
}

const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n';

test('layers: a key deleted by a whiteout stays reported with both layers; a replaced setuid file is gone', () => {
  const files = resolveLayers([
    layer([{ name: 'bin/', type: 'directory', mode: 0o755 }, { name: 'bin/su', mode: 0o4755 }, { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' }]),
    layer([{ name: './root/.ssh/id_rsa', content: KEY }, { name: 'srv/cert.pem', content: '-----BEGIN CERTIFICATE-----\nMII\n' }]),
    layer([{ name: 'root/.ssh/.wh.id_rsa', size: 0 }, { name: 'bin/su', mode: 0o755 }]),
  ]);
  assert.deepEqual(files.secrets.map((s) => [s.path, s.kind, s.layer, s.goneIn, s.gone]), [['/root/.ssh/id_rsa', 'private-key', 2, 3, 'deleted']]);
  assert.deepEqual(files.specialBits, [], 'chmod a-s in a later layer replaces the file');
});

test('layers: an opaque directory and a parent whiteout hide lower files; a later chmod 777 is what counts', () => {
  const files = resolveLayers([
    layer([{ name: 'app/.git/config', size: 10 }, { name: 'data', type: 'directory', mode: 0o777 }, { name: 'opt/tool', mode: 0o2755, gid: 50 }, { name: 'tmp/x', type: 'directory', mode: 0o1777 }]),
    layer([{ name: 'app/.wh..wh..opq' }, { name: 'app/main.js', size: 5 }, { name: 'data', type: 'directory', mode: 0o755 }, { name: 'srv/open', mode: 0o666 }]),
  ]);
  assert.deepEqual(files.leftovers, []);
  assert.deepEqual(files.worldWritable.map((w) => [w.path, w.layer]), [['/srv/open', 2]], '/data was tightened, /tmp is excluded');
  assert.deepEqual(files.specialBits.map((f) => [f.path, f.mode, f.gid]), [['/opt/tool', 0o2755, 50]]);
});

test('layers: accounts come from the last /etc/passwd, /etc/shadow and /etc/group, as facts only', () => {
  const files = resolveLayers([
    layer([{ name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\nbin:x:1:1::/:/sbin/nologin\n' }, { name: 'etc/shadow', content: 'root:*:19000::::::\nbin:!:19000::::::\n' }]),
    layer([
      { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\nbin:x:1:1::/:/sbin/nologin\ntoor:x:0:0::/root:/bin/sh\neve::1001:1001::/home/eve:/bin/sh\nbob:x:1002:1002::/:/bin/sh\n' },
      { name: 'etc/shadow', content: 'root:*:19000::::::\nbin:!:19000::::::\ntoor:$6$salt$hash:19000::::::\nbob::19000::::::\n' },
      { name: 'etc/group', content: 'root:x:0:\nwheel:x:0:\nusers:x:100:\n' },
    ]),
  ]);
  const a = files.accounts;
  assert.deepEqual(a.users.map((u) => [u.name, u.password, u.passwordFrom]), [['root', 'locked', 'shadow'], ['bin', 'locked', 'shadow'], ['toor', 'set', 'shadow'], ['eve', 'empty', 'passwd'], ['bob', 'empty', 'shadow']]);
  assert.ok(!JSON.stringify(a).includes('$6$'), 'no hash is kept');
  const image: ImageContext = { id: 'sha256:x', tags: [], repoDigests: [], config: { User: '1001', Healthcheck: { Test: ['CMD', 'true'] } }, history: [{ createdBy: 'ADD file:x in /', emptyLayer: false, layer: 1 }, { createdBy: '/bin/sh -c adduser', emptyLayer: false, layer: 2 }], layerCount: 2, files };
  const findings = checkImage(image).findings;
  assert.deepEqual(findings.filter((f) => f.ruleId === 'account-empty-password').map((f) => f.path), ['/etc/passwd', '/etc/shadow']);
  const dup = findings.filter((f) => f.ruleId === 'account-duplicate-id').map((f) => `${f.severity} ${f.path} ${f.message}`);
  assert.equal(dup.length, 2);
  assert.match(dup.find((d) => d.includes('/etc/passwd'))!, /^error .*uid 0 belongs to 2 accounts \(root, toor\)/);
  assert.match(dup.find((d) => d.includes('/etc/group'))!, /^warning .*gid 0 belongs to 2 groups \(root, wheel\)/);
});

test('layers: secret-looking files are confirmed by content; caches and .git that survive are reported once per root', () => {
  const files = resolveLayers([
    layer([
      { name: 'app/.env', content: 'DB_PASSWORD=hunter2\n' },
      { name: 'app/.env.example', content: 'DB_PASSWORD=\n' },
      { name: 'root/.npmrc', content: 'registry=https://registry.npmjs.org/\n' },
      { name: 'home/u/.npmrc', content: '//registry.npmjs.org/:_authToken=npm_abc\n' },
      { name: 'etc/ssl/certs/ca.pem', content: '-----BEGIN CERTIFICATE-----\n' },
      { name: 'var/lib/apt/lists/deb.debian.org_Packages', size: 100 },
      { name: 'var/lib/apt/lists/lock', size: 0 },
      { name: 'root/.cache/pip/http/a', size: 2048 },
      { name: 'src/.git/HEAD', size: 20 },
    ]),
    layer([{ name: 'var/lib/apt/lists/.wh.deb.debian.org_Packages' }]),
  ]);
  assert.deepEqual(files.secrets.map((s) => [s.path, s.kind]), [['/app/.env', 'dotenv'], ['/home/u/.npmrc', 'npm-token']]);
  assert.deepEqual(files.leftovers.map((l) => [l.kind, l.path, l.files]), [['pip-cache', '/root/.cache/pip', 1], ['git', '/src/.git', 1]]);
});

test('history: classic and BuildKit created_by parse to the same instruction; build args split off', () => {
  assert.deepEqual(parseCreatedBy('/bin/sh -c #(nop)  ENV A=b'), { keyword: 'ENV', args: 'A=b', buildArgs: [] });
  assert.deepEqual(parseCreatedBy('ENV A=b'), { keyword: 'ENV', args: 'A=b', buildArgs: [] });
  assert.deepEqual(parseCreatedBy('|2 TOKEN=ghp_x NAME=a b /bin/sh -c make all'), { keyword: 'RUN', args: 'make all', buildArgs: [{ name: 'TOKEN', value: 'ghp_x' }, { name: 'NAME', value: 'a b' }] });
  assert.deepEqual(parseCreatedBy('RUN |1 TOKEN=x /bin/sh -c make # buildkit'), { keyword: 'RUN', args: 'make', buildArgs: [{ name: 'TOKEN', value: 'x' }] });
  assert.equal(parseCreatedBy('/bin/sh -c #(nop) COPY file:3f2a in /app ').keyword, 'COPY');
  assert.equal(parseCreatedBy('COPY app /app # buildkit').keyword, 'COPY');
  assert.deepEqual(credentialsInCommand('curl -H "Authorization: Bearer abc" https://x'), ['an Authorization header']);
  assert.deepEqual(credentialsInCommand('git clone https://user:pw@example.com/r.git'), ['credentials in a URL']);
  assert.deepEqual(credentialsInCommand('curl -fsSL https://example.com/x'), []);
});

test('history: steps link to the final stage instructions from the end; base-image steps to FROM', () => {
  const text = 'FROM alpine:3.19 AS build\nRUN make\n\nFROM local/busybox:test\nARG V=1\nRUN echo $V \\\n  > /v\nENV A=b\nCOPY x /x\nCMD ["sh"]\n';
  const image: ImageContext = {
    id: 'sha256:x', tags: [], repoDigests: [], config: {}, layerCount: 3,
    history: [
      { createdBy: '/bin/sh -c #(nop) ADD file:abc in / ', emptyLayer: false, layer: 1 },
      { createdBy: '/bin/sh -c #(nop)  CMD ["sh"]', emptyLayer: true },
      { createdBy: '/bin/sh -c #(nop)  ARG V=1', emptyLayer: true },
      { createdBy: '|1 V=1 /bin/sh -c echo $V   > /v', emptyLayer: false, layer: 2 },
      { createdBy: '/bin/sh -c #(nop)  ENV A=b', emptyLayer: true },
      { createdBy: '/bin/sh -c #(nop) COPY file:def in /x ', emptyLayer: false, layer: 3 },
      { createdBy: '/bin/sh -c #(nop)  CMD ["sh"]', emptyLayer: true },
    ],
  };
  const links = linkHistory(image, createDockerfileContext(text));
  assert.deepEqual([...links].sort((a, b) => a[0] - b[0]).map(([step, i]) => [step, i.getKeyword(), i.getRange().start.line + 1]), [
    [0, 'FROM', 4], [1, 'FROM', 4], [2, 'ARG', 5], [3, 'RUN', 6], [4, 'ENV', 8], [5, 'COPY', 9], [6, 'CMD', 10],
  ]);
});

test('history: a layer label never quotes a credential from the command line or an ENV value', () => {
  const image: ImageContext = {
    id: 'sha256:x', tags: [], repoDigests: [], config: {}, layerCount: 2,
    history: [{ createdBy: '/bin/sh -c curl -H "Authorization: Bearer s3cret" https://x -o /a', emptyLayer: false, layer: 1 }, { createdBy: '/bin/sh -c echo "\u001b[2Jhi"', emptyLayer: false, layer: 2 }],
  };
  assert.equal(layerLabel(image, 1), 'layer 1 (RUN <command hidden: holds a credential>)');
  assert.ok(!layerLabel(image, 2).includes('\u001b'), 'control characters are escaped');
});

/** A tar of entries, built with tar-stream. */
function tarOf(entries: { name: string; content?: string; mode?: number; type?: 'file' | 'directory' }[]): Promise<Buffer> {
  return tarOfBuffers(entries.map((e) => ({ ...e, data: Buffer.from(e.content ?? '') })));
}

test('export reader: an OCI layout with gzip layers is numbered by diff id, whatever the blob order; cancel stops it', async () => {
  const base = await tarOf([{ name: 'bin/', type: 'directory', mode: 0o755 }, { name: 'bin/su', mode: 0o4755, content: 'x' }]);
  const top = await tarOf([{ name: 'root/.wh.secret.pem' }]);
  const keyLayer = await tarOf([{ name: 'root/secret.pem', content: KEY }]);
  const diffIds = [base, keyLayer, top].map((b) => `sha256:${createHash('sha256').update(b).digest('hex')}`);
  const blobs = [gzipSync(top), base, gzipSync(keyLayer), Buffer.from('{"schemaVersion":2}')];
  const exported = await tarOfBuffers([{ name: 'oci-layout', data: Buffer.from('{}') }, ...blobs.map((b) => ({ name: `blobs/sha256/${createHash('sha256').update(b).digest('hex')}`, data: b }))]);
  const { layers } = await readImageExport(async () => Readable.from([exported]), diffIds);
  const files = resolveLayers(layers);
  assert.deepEqual(files.specialBits.map((f) => [f.path, f.layer]), [['/bin/su', 1]]);
  assert.deepEqual(files.secrets.map((s) => [s.path, s.layer, s.goneIn]), [['/root/secret.pem', 2, 3]]);

  const controller = new AbortController();
  controller.abort();
  await assert.rejects(readImageExport(async () => Readable.from([exported]), diffIds, { signal: controller.signal }), (e: unknown) => e instanceof ImageReadError && e.reason === 'cancelled');
  await assert.rejects(readImageExport(async () => Readable.from([exported]), [...diffIds, 'sha256:missing']), (e: unknown) => e instanceof ImageReadError && e.reason === 'format');
});

async function tarOfBuffers(entries: { name: string; data: Buffer; mode?: number; type?: 'file' | 'directory' }[]): Promise<Buffer> {
  const pack = tarPack();
  for (const e of entries) pack.entry({ name: e.name, mode: e.mode ?? 0o644, type: e.type ?? 'file' }, e.type === 'directory' ? undefined : e.data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('CLI: audit image without an image is a usage error (exit 2) before any engine is asked', async () => {
  let err = '';
  assert.equal(await main(['audit', 'image'], { out: () => undefined, err: (t) => (err += t) }), 2);
  assert.match(err, /usage: bulkhead audit image IMAGE\.\.\./);
  assert.equal(await main(['audit', 'image', 'x', '--format', 'yaml'], { out: () => undefined, err: () => undefined }), 2);
});

/** A raw 512-byte tar header (tar-stream would refuse to write the sizes a hostile image declares). */
function rawHeader(name: string, type: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write('0000644\0', 100, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(type, 156, 'latin1');
  h.write('ustar\u000000', 257, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

test('export reader: a pax header declaring gigabytes is refused at once, in the export or inside a layer, without buffering it', async () => {
  const before = process.memoryUsage().rss;
  // The export itself: a 2 GiB pax header followed by a stream that would never end.
  async function* endless() {
    yield rawHeader('PaxHeader/x', 'x', 2 * 1024 ** 3);
    for (let i = 0; i < 4096; i++) yield Buffer.alloc(64 * 1024, 0x41);
  }
  await assert.rejects(readImageExport(async () => Readable.from(endless()), ['sha256:a']), (e: unknown) => e instanceof ImageReadError && e.reason === 'format' && /metadata entry declares 2147483648 bytes/.test(e.message));
  // Inside a layer blob (the outer tar is well formed).
  const layer = Buffer.concat([rawHeader('PaxHeader/y', 'x', 2 * 1024 ** 3), Buffer.alloc(1024 * 1024, 0x41)]);
  const exported = await tarOfBuffers([{ name: 'oci-layout', data: Buffer.from('{}') }, { name: `blobs/sha256/${createHash('sha256').update(layer).digest('hex')}`, data: layer }]);
  await assert.rejects(readImageExport(async () => Readable.from([exported]), ['sha256:a']), (e: unknown) => e instanceof ImageReadError && e.reason === 'format' && /a layer of the image is not readable safely/.test(e.message));
  assert.ok(process.memoryUsage().rss - before < 128 * 1024 * 1024, 'nothing near the declared size was buffered');
});

test('tar guard: a GNU long name of normal size and base-256 sizes pass through unchanged', async () => {
  const normal = await tarOfBuffers([{ name: `${'d/'.repeat(80)}file`, data: Buffer.from('x') }]);
  const out: Buffer[] = [];
  for await (const c of Readable.from([normal.subarray(0, 700), normal.subarray(700)]).pipe(tarMetadataGuard())) out.push(c as Buffer);
  assert.deepEqual(Buffer.concat(out), normal);
  const binary = rawHeader('PaxHeader/z', 'x', 0);
  binary.fill(0, 124, 136);
  binary[124] = 0x80;
  binary.writeUInt32BE(0x10000000, 132);
  await assert.rejects(async () => {
    for await (const _ of Readable.from([binary]).pipe(tarMetadataGuard())) void _;
  }, (e: unknown) => e instanceof TarMetadataTooLarge && e.declared === 0x10000000);
});
