import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createDockerfileContext } from '../../src/engine/dockerfile/context';
import { contextExposure } from '../../src/engine/dockerfile/build-context';
import { readProjectFile } from '../../src/workspace/projectFiles';
import { lintText } from '../../src/engine/lint';
import { appendLinesEdit, applyEdits } from '../../src/engine/text';
import { buildContextLister } from '../../src/workspace/buildContext';
import { docker, dockerTestOptions, TEST_IMAGE, uniqueName } from '../support/docker';

// What `COPY . .` really puts into the image, built by the real engine with the classic builder and
// with BuildKit, against what secret-file and git-directory-left judge from the folder and its
// .dockerignore.

const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAq8\n-----END PRIVATE KEY-----\n';
const DOCKERFILE = `FROM ${TEST_IMAGE}\nWORKDIR /app\nCOPY . .\n`;
const FILES: Record<string, string> = {
  Dockerfile: DOCKERFILE,
  '.git/HEAD': 'ref: refs/heads/main\n',
  '.env': 'API_TOKEN=Zq8vN3xR1tYw\n',
  'certs/server.key': PRIVATE_KEY,
  'app.py': 'print(1)\n',
};
/** The paths compared: whether each is in the image, and whether Bulkhead says it is. */
const WATCHED = ['.git', '.env', 'certs/server.key'];

const CASES: { name: string; ignore: Record<string, string>; builders: ('classic' | 'buildkit')[] }[] = [
  { name: 'no .dockerignore', ignore: {}, builders: ['classic', 'buildkit'] },
  { name: 'root-only patterns', ignore: { '.dockerignore': '# keep the repo out\n.git\n.env\n*.key\n' }, builders: ['classic', 'buildkit'] },
  { name: 'everything, then re-included folders', ignore: { '.dockerignore': '**\n!app.py\n!certs\n' }, builders: ['classic', 'buildkit'] },
  { name: 'recursive pattern and an exception', ignore: { '.dockerignore': '**/*.key\n.env*\n!.env\n' }, builders: ['classic', 'buildkit'] },
  // BuildKit reads Dockerfile.dockerignore first; the classic builder does not know it.
  { name: 'Dockerfile.dockerignore', ignore: { '.dockerignore': '.env\n', 'Dockerfile.dockerignore': 'certs\n.git\n' }, builders: ['buildkit'] },
];

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
}

function inImage(dir: string, buildkit: boolean): string[] {
  const tag = `${uniqueName('context').toLowerCase()}:t`;
  process.env.DOCKER_BUILDKIT = buildkit ? '1' : '0';
  try {
    docker(['build', '--quiet', '-t', tag, dir], { timeout: 300000 });
    // The test image's busybox has ls, not find: list the two folders the watched paths are in.
    const root = docker(['run', '--rm', '--network', 'none', tag, 'ls', '-a', '/app']).split('\n');
    const certs = root.includes('certs') ? docker(['run', '--rm', '--network', 'none', tag, 'ls', '-a', '/app/certs']).split('\n') : [];
    const listed = [...root, ...certs.map((n) => `certs/${n}`)];
    return WATCHED.filter((p) => listed.includes(p));
  } finally {
    try {
      docker(['image', 'rm', '-f', tag]);
    } catch {
      // The build failed before tagging.
    }
  }
}

function judged(dir: string): string[] {
  const file = join(dir, 'Dockerfile');
  const ctx = createDockerfileContext(DOCKERFILE, file);
  ctx.buildContext = { list: buildContextLister(), read: readProjectFile };
  const exposure = contextExposure(ctx);
  return WATCHED.filter((p) => (p === '.git' ? exposure?.gitDirectory : exposure?.secrets.some((s) => s.path === p)));
}

for (const c of CASES) {
  test(`COPY . with ${c.name}: what the real builder copies is what Bulkhead reports`, dockerTestOptions(), () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulkhead-build-context-'));
    try {
      writeFiles(dir, { ...FILES, ...c.ignore });
      const reported = judged(dir);
      for (const builder of c.builders) assert.deepEqual(reported, inImage(dir, builder === 'buildkit'), `${builder} builder`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the .dockerignore fix: the fixed context builds, the image starts, and it no longer holds what was reported', dockerTestOptions(), () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-build-context-fix-'));
  const tag = `${uniqueName('context-fix').toLowerCase()}:t`;
  const dockerfile = `${DOCKERFILE}CMD ["cat", "/app/app.py"]\n`;
  try {
    writeFiles(dir, { ...FILES, Dockerfile: dockerfile });
    const findings = lintText(dockerfile, { file: join(dir, 'Dockerfile'), readProjectFile, listBuildContext: buildContextLister() }).findings.filter((f) => f.ruleId === 'secret-file' || f.ruleId === 'git-directory-left');
    assert.equal(findings.length, 2);
    // The original builds and starts, with the secrets in it.
    process.env.DOCKER_BUILDKIT = '0';
    docker(['build', '--quiet', '-t', tag, dir], { timeout: 300000 });
    assert.equal(docker(['run', '--rm', '--network', 'none', tag]), 'print(1)\n');
    assert.ok(docker(['run', '--rm', '--network', 'none', tag, 'ls', '-a', '/app']).split('\n').includes('.env'));
    for (const f of findings) {
      const target = f.fixes[0].appendToFile!;
      const path = join(dir, target.path);
      const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
      writeFileSync(path, applyEdits(before ?? '', [appendLinesEdit(before, target.lines)!]).text);
    }
    for (const buildkit of [false, true]) {
      process.env.DOCKER_BUILDKIT = buildkit ? '1' : '0';
      docker(['build', '--quiet', '-t', tag, dir], { timeout: 300000 });
      // It starts and does its job.
      assert.equal(docker(['run', '--rm', '--network', 'none', tag]), 'print(1)\n');
      const listed = docker(['run', '--rm', '--network', 'none', tag, 'ls', '-a', '/app']).split('\n');
      // The key's folder stays (now without the key).
      const certs = listed.includes('certs') ? docker(['run', '--rm', '--network', 'none', tag, 'ls', '-a', '/app/certs']).split('\n') : [];
      assert.deepEqual([...['.git', '.env'].filter((p) => listed.includes(p)), ...certs.filter((n) => n === 'server.key')], [], `${buildkit ? 'BuildKit' : 'classic'}: nothing reported is left`);
      assert.ok(listed.includes('app.py'));
    }
    assert.deepEqual(judged(dir), []);
  } finally {
    try {
      docker(['image', 'rm', '-f', tag]);
    } catch {
      // Never built.
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
