import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintText } from '../../src/engine/lint';
import { buildSeccompProfile, serializeSeccompProfile } from '../../src/engine/profile/seccomp';

const findings = (text: string, file?: string) => lintText(text, { kind: 'compose', file }).findings.filter((f) => f.ruleId === 'seccomp-profile-invalid');

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
    const byService = new Map(got.map((f) => [/service "([^"]+)"/.exec(f.message)![1], f]));
    assert.deepEqual([...byService.keys()].sort(), ['broken', 'directory', 'missing', 'typo']);
    assert.match(byService.get('missing')!.message, /does not exist .*nope\.json.*will not start/);
    assert.equal(text.slice(byService.get('missing')!.range!.start, byService.get('missing')!.range!.end), 'seccomp=./profiles/nope.json');
    assert.match(byService.get('broken')!.message, /malformed: not valid JSON/);
    assert.match(byService.get('typo')!.message, /"SCMP_ACT_ERNO" is not a seccomp action; syscalls\[0\]\.action "SCMP_ACT_ALOW"/);
    assert.match(byService.get('directory')!.message, /not a file/);
    assert.equal(byService.get('missing')!.severity, 'error');

    // The file appears: the finding goes away (the cache notices the change).
    writeFileSync(join(dir, 'profiles', 'nope.json'), serializeSeccompProfile(buildSeccompProfile(['read']).profile));
    assert.ok(!findings(text, compose).some((f) => f.message.includes('"missing"')));
    writeFileSync(join(dir, 'profiles', 'nope.json'), '[]');
    assert.match(findings(text, compose).find((f) => f.message.includes('"missing"'))?.message ?? '', /not a JSON object/);

    // Without the compose file's path a relative profile cannot be resolved: no guess, no finding.
    assert.deepEqual(findings(text).map((f) => /service "([^"]+)"/.exec(f.message)![1]), ['typo']);
    // Suppression works like every rule.
    const ignored = text.replace('      - seccomp=./profiles/nope.json', '      - seccomp=./profiles/nope.json # bulkhead-ignore seccomp-profile-invalid -- generated in CI');
    writeFileSync(join(dir, 'profiles', 'nope.json'), '[]');
    assert.ok(!findings(ignored, compose).some((f) => f.message.includes('"missing"')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
