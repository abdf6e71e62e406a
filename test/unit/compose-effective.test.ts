// Issue 16: the compose project as docker compose loads it — base + override + `include:` +
// `extends: {file}` across files + profiles — findings at the file and line that define the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintComposeProject, lintText, type LintOptions } from '../../src/engine/lint';
import { composeIncludes } from '../../src/engine/compose/project';
import { applyEdits } from '../../src/engine/text';
import { composeProjectFiles } from '../../src/workspace/composeProject';
import { main } from '../../src/cli/main';

// A shared base in another file, shaped like the docs' `common-services.yml`: hardened defaults
// through an anchor, and one bad value (privileged) every extending service inherits.
const COMMON = [
  'x-hardened: &hardened',
  '  read_only: true',
  '  cap_drop: [ALL]',
  '  security_opt: ["no-new-privileges:true"]',
  'services:',
  '  app-base:',
  '    <<: *hardened',
  '    image: example/app:2.0@sha256:' + 'a'.repeat(64),
  '    privileged: true',
  '    user: "10001"',
  '',
].join('\n');
const BASE = [
  'services:',
  '  web:',
  '    extends:',
  '      file: common.yml',
  '      service: app-base',
  '    ports: ["127.0.0.1:8080:8080"]',
  '  debug-shell:',
  '    image: busybox:1.36',
  '    profiles: [debug]',
  '    privileged: true',
  '',
].join('\n');
const OVERRIDE = ['services:', '  web:', '    privileged: false', '    deploy: {resources: {limits: {memory: 256M, cpus: "0.5", pids: 100}}}', ''].join('\n');

const files: Record<string, string> = { 'common.yml': COMMON };
const readProjectFile: LintOptions['readProjectFile'] = (_f, written) => (written in files ? { kind: 'text', text: files[written] } : { kind: 'missing' });
const ids = (findings: { ruleId: string }[]) => findings.map((f) => f.ruleId).sort();

test('extends across files: the base file\'s values are judged with the service and reported at its extends', () => {
  const found = lintText(BASE, { file: '/p/compose.yaml', readProjectFile }).findings;
  const web = found.filter((f) => /"web"/.test(f.message));
  // Hardening inherited from the other file counts: no read-only, cap_drop, no-new-privileges or user findings.
  assert.deepEqual(ids(web).filter((id) => ['read-only-rootfs', 'cap-drop-all', 'no-new-privileges', 'user-root'].includes(id)), []);
  const privileged = web.find((f) => f.ruleId === 'privileged')!;
  assert.equal(BASE.slice(privileged.range!.start, privileged.range!.end), 'extends', 'reported where the service brings the value in');
  assert.match(privileged.message, /\(set in common\.yml service "app-base"\)$/);
  // The fix overrides in the service (the base file is shared), never edits common.yml.
  const fixedText = applyEdits(BASE, privileged.fixes[0].edits).text;
  assert.match(fixedText, /  web:\n[\s\S]*    privileged: false\n/);
  assert.ok(!lintText(fixedText, { file: '/p/compose.yaml', readProjectFile }).findings.some((f) => f.ruleId === 'privileged' && /"web"/.test(f.message)));
  // Without the file, the service is partial: nothing about missing keys, and its base's privileged is unseen.
  const alone = lintText(BASE, { file: '/p/compose.yaml' }).findings.filter((f) => /"web"/.test(f.message));
  assert.deepEqual(ids(alone).filter((id) => ['privileged', 'read-only-rootfs', 'cap-drop-all'].includes(id)), []);
});

test('profiles: a service with profiles is linted, and the message says which profile', () => {
  const found = lintText(BASE, { file: '/p/compose.yaml', readProjectFile }).findings.filter((f) => f.ruleId === 'privileged');
  assert.ok(found.some((f) => f.message.startsWith('service "debug-shell" (profile "debug") runs privileged')));
  const two = lintText('services:\n  tools:\n    image: busybox:1.36\n    profiles: ["debug", "ops"]\n    pid: host\n', { kind: 'compose' }).findings;
  assert.ok(two.some((f) => f.message.startsWith('service "tools" (profiles "debug", "ops")')));
});

test('base + override + extends: the override clears the inherited finding, live in the same project lint', () => {
  const project = (override: string) => lintComposeProject([{ file: '/p/compose.yaml', text: BASE }, { file: '/p/compose.override.yaml', text: override }], { readProjectFile });
  const before = project('services:\n  web:\n    environment: {LOG: debug}\n');
  assert.ok(before.get('/p/compose.yaml')!.findings.some((f) => f.ruleId === 'privileged' && /"web".*common\.yml/.test(f.message)));
  const after = project(OVERRIDE);
  assert.ok(!after.get('/p/compose.yaml')!.findings.some((f) => f.ruleId === 'privileged' && /"web"/.test(f.message)), 'privileged: false in the override wins over the base file');
  assert.ok(!after.get('/p/compose.yaml')!.findings.some((f) => f.ruleId === 'resource-limits' && /"web"/.test(f.message)));
  assert.deepEqual(after.get('/p/compose.override.yaml')!.errors, []);
});

test('include: paths as written (short, long, list); interpolated ones left out', () => {
  assert.deepEqual(composeIncludes('include:\n  - db/compose.yaml\n  - path: [a.yaml, b.yaml]\n    project_directory: x\n  - path: ${X}/c.yaml\nservices: {}\n'), ['db/compose.yaml', 'a.yaml', 'b.yaml']);
  assert.deepEqual(composeIncludes('services: {}\n'), []);
  assert.deepEqual(composeIncludes('include: [: bad'), []);
});

test('include + override on disk: included files load before the includer, findings land in the included file, the override clears them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-include-'));
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'compose.yaml'), 'include:\n  - db/compose.db.yaml\n  - ../outside.yaml\nservices:\n  api:\n    image: busybox:1.36\n    depends_on: [db]\n');
  writeFileSync(join(dir, 'db', 'compose.db.yaml'), 'services:\n  db:\n    image: busybox:1.36\n    cap_add: [SYS_ADMIN]\n');
  writeFileSync(join(dir, '..', 'outside.yaml'), 'services: {}\n');
  const expected = [join(dir, 'db', 'compose.db.yaml'), join(dir, 'compose.yaml')];
  assert.deepEqual(composeProjectFiles(join(dir, 'compose.yaml'), {}), expected, 'a path outside the project folder is not loaded');
  assert.deepEqual(composeProjectFiles(join(dir, 'db', 'compose.db.yaml'), {}), expected, 'opened on its own, an included file is linted with the project that includes it');
  writeFileSync(join(dir, 'db', 'other.yaml'), 'services: {}\n');
  assert.deepEqual(composeProjectFiles(join(dir, 'db', 'other.yaml'), {}), [join(dir, 'db', 'other.yaml')], 'a file nobody includes is alone');
  const lint = async () => {
    let out = '';
    await main(['lint', '--format', 'json', join(dir, 'compose.yaml')], { out: (t) => (out += t), err: () => undefined });
    return (JSON.parse(out) as { findings: { ruleId: string; file: string; message: string }[] }).findings.filter((f) => f.ruleId === 'cap-add');
  };
  const before = await lint();
  assert.equal(before.length, 1);
  assert.match(before[0].file.replace(/\\/g, '/'), /db\/compose\.db\.yaml$/);
  writeFileSync(join(dir, 'compose.override.yaml'), 'services:\n  db:\n    cap_drop: [ALL]\n');
  assert.deepEqual(composeProjectFiles(join(dir, 'compose.yaml'), {}), [...expected, join(dir, 'compose.override.yaml')]);
  assert.deepEqual(composeProjectFiles(join(dir, 'db', 'compose.db.yaml'), {}), [...expected, join(dir, 'compose.override.yaml')]);
  // cap_add stays a finding (SYS_ADMIN is added whatever is dropped), but is judged with the override's cap_drop.
  const after = await lint();
  assert.equal(after.length, 1);
  assert.match(after[0].file.replace(/\\/g, '/'), /db\/compose\.db\.yaml$/);
});

test('.bulkhead.yaml compose_projects: a named file set is linted as one project, in its order; bad entries are reported', async () => {
  const { parseTeamConfig } = await import('../../src/engine/config');
  const parsed = parseTeamConfig('compose_projects:\n  - [deploy/compose.yaml, deploy/compose.prod.yml]\n  - []\n  - deploy/one.yaml\n');
  assert.deepEqual(parsed.config.composeProjects, [['deploy/compose.yaml', 'deploy/compose.prod.yml']]);
  assert.equal(parsed.errors.length, 2);
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-sets-'));
  mkdirSync(join(dir, 'deploy'));
  writeFileSync(join(dir, '.bulkhead.yaml'), 'compose_projects:\n  - [deploy/compose.yaml, deploy/compose.prod.yml]\n');
  writeFileSync(join(dir, 'deploy', 'compose.yaml'), 'services:\n  api:\n    image: busybox:1.36\n    privileged: true\n');
  // Not a name docker compose loads by itself: only the set makes it part of the project.
  writeFileSync(join(dir, 'deploy', 'compose.prod.yml'), 'services:\n  api:\n    privileged: false\n');
  const team = { root: dir, config: parsed.config };
  assert.deepEqual(composeProjectFiles(join(dir, 'deploy', 'compose.prod.yml'), {}, team), [join(dir, 'deploy', 'compose.yaml'), join(dir, 'deploy', 'compose.prod.yml')]);
  assert.deepEqual(composeProjectFiles(join(dir, 'deploy', 'compose.yaml'), {}, { root: dir, config: { ...parsed.config, composeProjects: [] } }), [join(dir, 'deploy', 'compose.yaml')]);
  let out = '';
  await main(['lint', '--format', 'json', dir], { out: (t) => (out += t), err: () => undefined });
  const privileged = (JSON.parse(out) as { findings: { ruleId: string }[] }).findings.filter((f) => f.ruleId === 'privileged');
  assert.deepEqual(privileged, [], 'the prod file of the named set clears the base file\'s privileged');
});
