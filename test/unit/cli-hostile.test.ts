import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { writeFileAtomic, FileChangedError } from '../../src/workspace/atomicWrite';
import { readTextFile } from '../../src/workspace/readText';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function workspace(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-hostile-'));
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

const DOCKERFILE = 'FROM busybox:1.36\nMAINTAINER Jane\nRUN apt-get update && apt-get install curl\nCMD ["sh"]\n';
const COMPOSE = 'services:\n  app:\n    image: busybox:1.36\n    ports: ["8080:80"]\n    privileged: true\n';
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

// ---- writes

test('writeFileAtomic writes through a symlink, keeps the mode, and refuses a file changed since it was read', () => {
  const dir = workspace({ 'real/Dockerfile': 'old\n' });
  const real = join(dir, 'real', 'Dockerfile');
  chmodSync(real, 0o640);
  symlinkSync(real, join(dir, 'Dockerfile'));
  const read = readTextFile(join(dir, 'Dockerfile'));
  assert.ok(read.file);
  writeFileAtomic(join(dir, 'Dockerfile'), 'new\n', read.file.snapshot);
  assert.ok(lstatSync(join(dir, 'Dockerfile')).isSymbolicLink(), 'the link stays a link');
  assert.equal(readFileSync(real, 'utf8'), 'new\n');
  assert.equal(statSync(real).mode & 0o777, 0o640);
  // The snapshot is stale now: same size, other content.
  assert.throws(() => writeFileAtomic(real, 'newer\n', read.file.snapshot), FileChangedError);
  writeFileSync(real, 'abc\n');
  const again = readTextFile(real).file!;
  writeFileSync(real, 'xyz\n'); // same size, maybe same mtime: the hash still tells
  assert.throws(() => writeFileAtomic(real, 'fixed\n', again.snapshot), FileChangedError);
  assert.equal(readFileSync(real, 'utf8'), 'xyz\n');
  assert.deepEqual(readdirSync(join(dir, 'real')), ['Dockerfile'], 'no temp file left behind');
});

test('fix refuses files that are not UTF-8 (Latin-1 bytes are never replaced by U+FFFD)', async () => {
  const latin1 = Buffer.concat([Buffer.from('FROM busybox:1.36\n# Gr'), Buffer.from([0xfc]), Buffer.from('\u00dfe\nMAINTAINER Jane\n', 'latin1')]);
  const dir = workspace({ Dockerfile: latin1 });
  for (const args of [['fix'], ['fix', '--dry-run']]) {
    const r = await run([...args, join(dir, 'Dockerfile')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /not valid UTF-8: not rewritten/);
  }
  assert.deepEqual(readFileSync(join(dir, 'Dockerfile')), latin1, 'byte for byte unchanged');
});

test('fix and fix --dry-run exit 2 for files they cannot parse, and still fix the others', async () => {
  const dir = workspace({ 'a/compose.yaml': 'services: [\n', 'b/Dockerfile': DOCKERFILE });
  for (const args of [['fix', '--dry-run'], ['fix']]) {
    const r = await run([...args, dir]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /compose\.yaml: YAML/);
  }
  assert.doesNotMatch(readFileSync(join(dir, 'b', 'Dockerfile'), 'utf8'), /MAINTAINER/);
});

// ---- per-rule selection

test('fix --rule and --unsafe-rule select what is fixed', async () => {
  // logging: none has a safe fix (json-file keeps the output); no-new-privileges is unsafe without image evidence.
  const dir = workspace({ Dockerfile: DOCKERFILE, 'compose.yaml': `${COMPOSE}    logging:\n      driver: none\n` });
  const df = join(dir, 'Dockerfile');
  const compose = join(dir, 'compose.yaml');

  let r = await run(['fix', '--rule', 'maintainer-deprecated', df]);
  assert.equal(r.code, 0);
  let text = readFileSync(df, 'utf8');
  assert.doesNotMatch(text, /MAINTAINER/);
  assert.match(text, /apt-get install curl\n/, 'other rules untouched');

  r = await run(['fix', '--rule', 'apt-missing-yes', '--rule', 'apt-lists-not-cleaned', df]);
  text = readFileSync(df, 'utf8');
  assert.match(text, /apt-get install -y curl && rm -rf \/var\/lib\/apt\/lists\/\*/);
  assert.doesNotMatch(text, /--no-install-recommends/, 'unsafe fix not applied without --unsafe-rule');

  // --unsafe-rule alone: every safe fix, plus this rule's unsafe one; nothing else unsafe.
  r = await run(['fix', '--unsafe-rule', 'port-all-interfaces', compose]);
  assert.equal(r.code, 0);
  text = readFileSync(compose, 'utf8');
  assert.match(text, /127\.0\.0\.1:8080:80/);
  assert.match(text, /driver: json-file/, 'safe fixes of other rules applied');
  assert.match(text, /privileged: true/, 'unsafe fixes of other rules not applied');
  assert.doesNotMatch(text, /no-new-privileges/, 'unsafe fixes of other rules not applied');

  r = await run(['fix', '--rule', 'nope', compose]);
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown rule "nope"/);
});

// ---- hostile input

test('FIFOs, devices and symlinks to them are refused without reading; the same file twice is linted once', { timeout: 20_000 }, async () => {
  const dir = workspace({ Dockerfile: DOCKERFILE });
  execFileSync('mkfifo', [join(dir, 'fifo.Dockerfile')]);
  symlinkSync('/dev/zero', join(dir, 'zero.Dockerfile'));
  symlinkSync('/dev/urandom', join(dir, 'compose.yaml'));
  const r = await run(['lint', '--format', 'json', join(dir, 'fifo.Dockerfile'), join(dir, 'zero.Dockerfile'), '/dev/urandom', dir, join(dir, 'Dockerfile'), `${dir}/./Dockerfile`]);
  const report = JSON.parse(r.out) as { findings: { file: string; ruleId: string }[]; errors: { file: string; message: string }[] };
  assert.equal(r.code, 2);
  const messages = report.errors.map((e) => `${e.file.replace(dir, 'D')}: ${e.message}`).sort();
  assert.deepEqual(messages, [
    '/dev/urandom: not a regular file (a character device): not read',
    'D/fifo.Dockerfile: not a regular file (a FIFO): not read',
    'D/zero.Dockerfile: not a regular file (a character device): not read',
  ]);
  assert.equal(report.findings.filter((f) => f.ruleId === 'maintainer-deprecated').length, 1, 'Dockerfile linted once');
});

test('a file over the size limit gets a clear error; a huge Dockerfile with many findings does not overflow the stack', { timeout: 120_000 }, async () => {
  const dir = workspace({ 'big/Dockerfile': Buffer.alloc(9 * 1024 * 1024, 'a') });
  let r = await run(['lint', join(dir, 'big', 'Dockerfile')]);
  assert.equal(r.code, 2);
  assert.match(r.out, /file too large to lint \(9\.0 MiB; the limit is 8 MiB\)/);
  // 150k findings in one file: placed and printed without a spread push.
  writeFileSync(join(dir, 'many.Dockerfile'), 'FROM busybox:1.36\n' + 'MAINTAINER x\n'.repeat(150_000));
  r = await run(['lint', '--format', 'json', join(dir, 'many.Dockerfile')]);
  assert.doesNotMatch(r.err, /RangeError/);
  assert.ok((JSON.parse(r.out) as { findings: unknown[] }).findings.length >= 150_000);
});

test('a .bulkhead.yaml above the repository root is ignored unless named with --config; the output says which config applied', async () => {
  const outer = workspace({ '.bulkhead.yaml': 'exclude: ["**"]\n', 'repo/Dockerfile': DOCKERFILE, 'repo/legacy/Dockerfile': DOCKERFILE });
  mkdirSync(join(outer, 'repo', '.git'));
  const repo = join(outer, 'repo');
  let r = await run(['lint', repo]);
  assert.match(r.out, /\[maintainer-deprecated\]/, 'the stray config above the repository excluded nothing');
  assert.match(r.out, /config: no \.bulkhead\.yaml applies/);

  writeFileSync(join(repo, '.bulkhead.yaml'), 'exclude: ["legacy/**"]\n');
  r = await run(['lint', repo]);
  assert.equal(r.out.match(/\[maintainer-deprecated\]/g)?.length, 1);
  assert.match(r.out, /config: \S*repo\/\.bulkhead\.yaml; 1 file\(s\) or folder\(s\) excluded by it/);

  r = await run(['lint', '--config', join(outer, '.bulkhead.yaml'), repo]);
  assert.doesNotMatch(r.out, /\[maintainer-deprecated\]/, 'asked for: it applies');
  assert.match(r.out, /excluded by it/);

  // Outside any repository, the search stops at the folder given on the command line.
  const plain = workspace({ '.bulkhead.yaml': 'exclude: ["**"]\n', 'proj/Dockerfile': DOCKERFILE });
  r = await run(['lint', join(plain, 'proj')]);
  assert.match(r.out, /\[maintainer-deprecated\]/);
});

// ---- output injection

test('hostile service names, file names and messages cannot drive the terminal; JSON and SARIF stay exact', async () => {
  const evilName = 'x\u001b[1A\u001b[2K\r[PASS] all good\u0007';
  const dir = workspace({ [`${evilName}.Dockerfile`]: DOCKERFILE, 'compose.yaml': 'services:\n  "evil\\e[1A\\e[2K\\rforged\\x9b":\n    image: busybox:1.36\n    privileged: true\n' });
  const text = await run(['lint', dir]);
  assert.doesNotMatch(text.out, RAW_CONTROL, 'no raw control character in the text output');
  assert.match(text.out, /evil\\e\[1A\\e\[2K\\rforged\\x9b/);
  assert.match(text.out, /x\\e\[1A\\e\[2K\\r\[PASS\] all good\\x07\.Dockerfile:2:1/);
  for (const line of text.out.split('\n')) assert.doesNotMatch(line, /^\[PASS\]/);

  const fix = await run(['fix', '--dry-run', '--unsafe', dir]);
  assert.doesNotMatch(fix.out + fix.err, RAW_CONTROL);

  const json = JSON.parse((await run(['lint', '--format', 'json', dir])).out) as { findings: { file: string; message: string }[] };
  assert.ok(json.findings.some((f) => f.message.includes('evil\u001b[1A\u001b[2K\rforged\u009b')), 'JSON keeps the exact name');
  assert.ok(json.findings.some((f) => f.file.includes(evilName)));
  const sarif = JSON.parse((await run(['lint', '--format', 'sarif', dir])).out) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
  const uris = sarif.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri);
  assert.ok(uris.some((u) => decodeURIComponent(u).endsWith(`${evilName}.Dockerfile`)));
});

// ---- every command

test('--help works for every command, and --fail-on never for every command that judges', async () => {
  for (const argv of [['lint'], ['fix'], ['docs'], ['audit', 'host'], ['audit', 'containers'], ['profile']]) {
    const r = await run([...argv, '--help']);
    assert.equal(r.code, 0, argv.join(' '));
    assert.match(r.out, new RegExp(`bulkhead ${argv.join(' ')}`));
  }
  const dir = workspace({ Dockerfile: DOCKERFILE });
  assert.equal((await run(['lint', dir])).code, 1);
  assert.equal((await run(['lint', '--fail-on', 'never', dir])).code, 0);
  assert.equal((await run(['fix', '--dry-run', '--fail-on', 'warning', dir])).code, 1, 'findings that stay after the fix');
  assert.equal((await run(['fix', '--dry-run', '--fail-on', 'never', dir])).code, 0);
  assert.equal((await run(['docs', '--check', '--out', join(dir, 'nodocs'), '--fail-on', 'never'])).code, 0);
});
