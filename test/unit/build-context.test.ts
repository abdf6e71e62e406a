// What a whole-context COPY brings into the image: the Dockerfile's folder minus .dockerignore,
// judged with the same secret-file judgement as image layers (test/docker/build-context.test.ts
// checks the same cases against the real builder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DockerIgnore, dockerignoreLine } from '../../src/engine/dockerfile/dockerignore';
import { appendLinesEdit, applyEdits } from '../../src/engine/text';
import { lintText } from '../../src/engine/lint';
import { readProjectFile } from '../../src/workspace/projectFiles';
import { buildContextLister } from '../../src/workspace/buildContext';
import { main } from '../../src/cli/main';

test('.dockerignore patterns as the builder matches them', () => {
  const cases: [string, string, boolean][] = [
    ['.git', '.git', true],
    ['.git', '.git/config', true],
    ['*.pem', 'server.pem', true],
    ['*.pem', 'certs/server.pem', false],
    ['**/*.pem', 'certs/server.pem', true],
    ['**/*.pem', 'server.pem', true],
    ['*.pem\n!keep.pem', 'keep.pem', false],
    ['*.pem\n!keep.pem', 'other.pem', true],
    ['/secrets/', 'secrets/db.key', true],
    ['./secrets', 'secrets/db.key', true],
    ['secrets/*.key', 'secrets/db.key', true],
    ['secrets/*.key', 'secrets/deep/db.key', false],
    ['**\n!src', 'src/main.go', false],
    ['**\n!src', '.env', true],
    ['[abc].key', 'b.key', true],
    ['[abc].key', 'd.key', false],
    ['[!a].key', 'a.key', false],
    ['config/?.env', 'config/a.env', true],
    ['# .env\n', '.env', false],
    ['  .env  ', '.env', true],
    ['.env*', '.env.local', true],
    ['node_modules\n.git', 'app/.git/HEAD', false],
    ['**/.git', 'app/.git/HEAD', true],
    ['[', '.env', false],
  ];
  for (const [patterns, path, ignored] of cases) assert.equal(new DockerIgnore(patterns).ignores(path), ignored, `${JSON.stringify(patterns)} on ${path}`);
});

const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAq8\n-----END PRIVATE KEY-----\n';

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-context-'));
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

const lint = (dir: string, dockerfile = 'Dockerfile') => {
  const file = join(dir, dockerfile);
  const text = readFileSync(file, 'utf8');
  return lintText(text, { file, readProjectFile, listBuildContext: buildContextLister() }).findings.filter((f) => f.ruleId === 'secret-file' || f.ruleId === 'git-directory-left');
};

const FILES = {
  Dockerfile: 'FROM local/busybox:test\nWORKDIR /app\nCOPY . .\nUSER 10001\n',
  '.git/HEAD': 'ref: refs/heads/main\n',
  '.env': '# local\nAPI_TOKEN=Zq8vN3xR1tYw\n',
  '.env.example': 'API_TOKEN=\n',
  'certs/server.key': PRIVATE_KEY,
  'certs/server.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  'docs/notes.env': '# nothing set here\n',
  'README.md': 'hello\n',
};

test('COPY . with no .dockerignore: the .git directory and the confirmed secret files are reported on the COPY, never their contents', () => {
  const dir = context(FILES);
  try {
    const found = lint(dir);
    assert.deepEqual(found.map((f) => [f.ruleId, f.severity, f.range!.start]), [
      ['git-directory-left', 'warning', 37],
      ['secret-file', 'error', 37],
    ]);
    const secret = found.find((f) => f.ruleId === 'secret-file')!;
    assert.match(secret.message, /^COPY \. copies \.env \(a \.env file with values\), certs\/server\.key \(a private key\) into the image: there is no \.dockerignore$/);
    assert.doesNotMatch(secret.message, /Zq8vN3xR1tYw|MIIB|example|crt|notes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('.dockerignore that leaves them out clears the findings; one that misses a nested key does not; Dockerfile.dockerignore wins', () => {
  const dir = context({ ...FILES, '.dockerignore': '.git\n.env\n**/*.key\n' });
  try {
    assert.deepEqual(lint(dir), []);
    writeFileSync(join(dir, '.dockerignore'), '# root only\n.git\n.env\n*.key\n');
    const found = lint(dir);
    assert.deepEqual(found.map((f) => f.ruleId), ['secret-file']);
    assert.match(found[0].message, /copies certs\/server\.key \(a private key\) into the image: \.dockerignore does not exclude it/);
    // BuildKit reads <Dockerfile>.dockerignore before .dockerignore.
    writeFileSync(join(dir, 'Dockerfile.dockerignore'), 'certs\n');
    assert.deepEqual(lint(dir).map((f) => [f.ruleId, f.message.replace(/: .*$/, '')]), [
      ['git-directory-left', "COPY . copies the build context's .git directory into the image"],
      ['secret-file', 'COPY . copies .env (a .env file with values) into the image'],
    ]);
    assert.match(lint(dir)[0].message, /Dockerfile\.dockerignore does not exclude it/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('only whole-context copies into the final image count: a builder stage, COPY --from and named sources are not judged; JSON form and ADD are', () => {
  const dir = context({
    ...FILES,
    Dockerfile: 'FROM local/busybox:test AS build\nCOPY . /src\nRUN touch /out\nFROM local/busybox:test\nCOPY --from=build . /x\nCOPY src/ /app/\nUSER 10001\n',
    'json.Dockerfile': 'FROM local/busybox:test\nCOPY ["./", "/app/"]\n',
    'add.Dockerfile': 'FROM local/busybox:test\nADD . /app\n',
  });
  try {
    assert.deepEqual(lint(dir), []);
    assert.deepEqual(lint(dir, 'json.Dockerfile').map((f) => f.ruleId), ['git-directory-left', 'secret-file']);
    assert.match(lint(dir, 'add.Dockerfile')[0].message, /^ADD \. copies/);
    // Without the adapter's listing nothing is judged (the engine does no file access).
    assert.equal(lintText(FILES.Dockerfile, { file: join(dir, 'Dockerfile'), readProjectFile }).findings.filter((f) => f.ruleId === 'secret-file').length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI lint reports what COPY . brings in, with the file and line of the COPY', async () => {
  const dir = context(FILES);
  try {
    let out = '';
    const code = await main(['lint', '--format', 'json', dir], { out: (t) => (out += t), err: () => undefined });
    const { findings } = JSON.parse(out) as { findings: { ruleId: string; file: string; line: number }[] };
    const mine = findings.filter((f) => f.ruleId === 'secret-file' || f.ruleId === 'git-directory-left').map((f) => `${f.ruleId}@${f.file.split('/').pop()}:${f.line}`);
    assert.deepEqual(mine, ['git-directory-left@Dockerfile:3', 'secret-file@Dockerfile:3']);
    assert.equal(code, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the context listing is bounded: a folder with more entries than the bound stops there, marked truncated', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-context-big-'));
  try {
    mkdirSync(join(dir, 'many'));
    for (let i = 0; i < 20_050; i++) writeFileSync(join(dir, 'many', `f${i}`), '');
    const listing = buildContextLister()(join(dir, 'Dockerfile'));
    assert.equal(listing?.truncated, true);
    assert.equal(listing?.paths.length, 20_000);
    assert.equal(buildContextLister()(join(dir, 'missing', 'Dockerfile')), undefined, 'an unreadable context is not judged');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the fix appends what COPY . should leave out to the ignore file the builder reads, escaped; applied twice it is applied once', () => {
  const dir = context({ ...FILES, '#cfg*/.env': 'TOKEN_SECRET=Zq8vN3xR1tYw\n' });
  try {
    const fixesOf = () => lint(dir).map((f) => ({ rule: f.ruleId, fix: f.fixes[0] }));
    const first = fixesOf();
    assert.deepEqual(first.map((x) => [x.rule, x.fix.safe, x.fix.edits.length, x.fix.appendToFile]), [
      ['git-directory-left', false, 0, { path: '.dockerignore', lines: ['.git'] }],
      ['secret-file', false, 0, { path: '.dockerignore', lines: ['.env', 'certs/server.key', '#cfg*/.env'].map((p) => p.replace('#cfg*', '\\#cfg\\*')) }],
    ]);
    assert.match(first[1].fix.title, /^Leave 3 secret files out of the build context \(create \.dockerignore\): the image no longer contains them$/);
    // What the editor does with it: append to the file as it is (here: missing, so created).
    for (const { fix } of first) {
      const path = join(dir, fix.appendToFile!.path);
      const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
      const edit = appendLinesEdit(before, fix.appendToFile!.lines)!;
      writeFileSync(path, applyEdits(before ?? '', [edit]).text);
      assert.equal(appendLinesEdit(readFileSync(path, 'utf8'), fix.appendToFile!.lines), undefined, 'a second application adds nothing');
    }
    assert.equal(readFileSync(join(dir, '.dockerignore'), 'utf8'), '.git\n.env\ncerts/server.key\n\\#cfg\\*/.env\n');
    assert.deepEqual(lint(dir), [], 'nothing left to report');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('escaped .dockerignore lines match exactly their path; an existing file without a final newline gets one first', () => {
  for (const path of ['a*b.key', '!bang.env', '#hash.env', '[x].pem', 'q?.key', 'back\\slash.env', 'sub/dir/.env']) {
    const line = dockerignoreLine(path)!;
    assert.equal(new DockerIgnore(line).ignores(path), true, `${line} ignores ${path}`);
    assert.equal(new DockerIgnore(line).ignores(`${path}x`), false, `${line} is exact`);
  }
  assert.equal(dockerignoreLine('new\nline'), undefined);
  assert.deepEqual(appendLinesEdit('node_modules', ['.env']), { start: 12, end: 12, newText: '\n.env\n' });
  assert.deepEqual(appendLinesEdit('a\r\nb\r\n', ['.env', '.env']), { start: 6, end: 6, newText: '.env\r\n' });
});
