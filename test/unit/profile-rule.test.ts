import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintText } from '../../src/engine/lint';
import { readProjectFile } from '../../src/workspace/projectFiles';
import { buildSeccompProfile, serializeSeccompProfile } from '../../src/engine/profile/seccomp';

const findings = (text: string, file?: string) =>
  lintText(text, { kind: 'compose', file, readProjectFile }).findings.filter((f) => f.ruleId === 'seccomp-profile-invalid');
const serviceOf = (message: string) => /service "([^"]+)"/.exec(message)![1];

test('seccomp-profile-invalid: missing and malformed profile files, resolved against the compose file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-seccomp-rule-'));
  try {
    mkdirSync(join(dir, 'profiles'));
    writeFileSync(join(dir, 'profiles', 'good.json'), serializeSeccompProfile(buildSeccompProfile(['read', 'write']).profile));
    writeFileSync(join(dir, 'profiles', 'broken.json'), '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [');
    writeFileSync(join(dir, 'profiles', 'typo.json'), JSON.stringify({ defaultAction: 'SCMP_ACT_ERNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALOW' }] }));
    const compose = join(dir, 'compose.yaml');
    const text = [
      'services:',
      '  good:',
      '    image: busybox:1.36',
      '    security_opt: ["seccomp=./profiles/good.json", "no-new-privileges:true"]',
      '  legacy-colon:',
      '    image: busybox:1.36',
      '    security_opt:',
      '      - seccomp:profiles/good.json',
      '  missing:',
      '    image: busybox:1.36',
      '    security_opt:',
      '      - seccomp=./profiles/nope.json',
      '  broken:',
      '    image: busybox:1.36',
      '    security_opt: ["seccomp=./profiles/broken.json"]',
      '  typo:',
      '    image: busybox:1.36',
      `    security_opt: ["seccomp=${join(dir, 'profiles', 'typo.json')}"]`,
      '  variable:',
      '    image: busybox:1.36',
      '    security_opt: ["seccomp=${PROFILE}"]',
      '  unconfined:',
      '    image: busybox:1.36',
      '    security_opt: ["seccomp=unconfined"]',
      '  directory:',
      '    image: busybox:1.36',
      '    security_opt: ["seccomp=./profiles"]',
      '',
    ].join('\n');
    const got = findings(text, compose);
    const byService = new Map(got.map((f) => [serviceOf(f.message), f]));
    assert.deepEqual([...byService.keys()].sort(), ['broken', 'directory', 'missing', 'typo']);
    assert.match(byService.get('missing')!.message, /does not exist; the service will not start/);
    assert.equal(text.slice(byService.get('missing')!.range!.start, byService.get('missing')!.range!.end), 'seccomp=./profiles/nope.json');
    assert.match(byService.get('broken')!.message, /malformed: not valid JSON$/);
    assert.match(byService.get('typo')!.message, /"defaultAction" is not a seccomp action; syscalls\[0\]\.action is not a seccomp action/);
    assert.ok(!byService.get('typo')!.message.includes('SCMP_ACT_ERNO'), 'the value from the file is not quoted');
    assert.match(byService.get('directory')!.message, /is a directory/);
    assert.equal(byService.get('missing')!.severity, 'error');

    // The file appears: the finding goes away; it changes: the new problem is seen.
    writeFileSync(join(dir, 'profiles', 'nope.json'), serializeSeccompProfile(buildSeccompProfile(['read']).profile));
    assert.ok(!findings(text, compose).some((f) => f.message.includes('"missing"')));
    writeFileSync(join(dir, 'profiles', 'nope.json'), '[]');
    assert.match(findings(text, compose).find((f) => f.message.includes('"missing"'))?.message ?? '', /not a JSON object/);

    // A relative compose path is resolved against its absolute path (as `lint .` gives it).
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      assert.deepEqual(findings(text, 'compose.yaml').map((f) => serviceOf(f.message)).sort(), ['broken', 'directory', 'missing', 'typo']);
    } finally {
      process.chdir(cwd);
    }
    // Without a reader (no file access given to the engine) file profiles are not checked.
    assert.deepEqual(lintText(text, { kind: 'compose', file: compose }).findings.filter((f) => f.ruleId === 'seccomp-profile-invalid'), []);
    // Suppression works like every rule.
    const ignored = text.replace('      - seccomp=./profiles/nope.json', '      - seccomp=./profiles/nope.json # bulkhead-ignore seccomp-profile-invalid -- generated in CI');
    assert.ok(!findings(ignored, compose).some((f) => f.message.includes('"missing"')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('seccomp-profile-invalid never reads or quotes files outside the project, and cannot tell missing from existing there', () => {
  const root = mkdtempSync(join(tmpdir(), 'bulkhead-seccomp-leak-'));
  try {
    const project = join(root, 'project');
    mkdirSync(project);
    writeFileSync(join(root, 'secret.txt'), 'root:*:20211:0:99999:7:::TOKEN=ghp_leak');
    symlinkSync(join(root, 'secret.txt'), join(project, 'link-existing.json'));
    symlinkSync(join(root, 'no-such-file'), join(project, 'link-missing.json'));
    symlinkSync(root, join(project, 'up'));
    const paths: Record<string, string> = {
      shadow: '/etc/shadow',
      environ: '/proc/self/environ',
      existing: join(root, 'secret.txt'),
      missing: join(root, 'no-such-file'),
      relative: '../secret.txt',
      relativeMissing: '../no-such-file',
      linkExisting: './link-existing.json',
      linkMissing: './link-missing.json',
      folderLink: './up/secret.txt',
      folderLinkMissing: './up/no-such-file',
    };
    const text = ['services:', ...Object.entries(paths).flatMap(([name, p]) => [`  ${name}:`, '    image: busybox:1.36', `    security_opt: ["seccomp=${p}"]`]), ''].join('\n');
    const got = findings(text, join(project, 'compose.yaml'));
    assert.deepEqual(got.map((f) => serviceOf(f.message)).sort(), Object.keys(paths).sort());
    for (const f of got) {
      assert.match(f.message, /is outside the project, not read/, f.message);
      assert.ok(!/root:|TOKEN|ghp_|PATH=|HOME=/.test(f.message), `no file content in: ${f.message}`);
    }
    // The messages differ only by the path as written: existing and missing look the same.
    const shape = (name: string) => got.find((f) => serviceOf(f.message) === name)!.message.replace(paths[name], 'P').replace(name, 'N');
    assert.equal(shape('existing'), shape('missing'));
    assert.equal(shape('linkExisting'), shape('linkMissing'));
    assert.equal(shape('folderLink'), shape('folderLinkMissing'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
