import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintComposeProject, lintText } from '../../src/engine/lint';
import { applyEdits } from '../../src/engine/text';
import type { Finding } from '../../src/engine/model';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { composeProjectFiles } from '../../src/workspace/composeProject';

const BASE = 'compose.yaml';
const OVERRIDE = 'compose.override.yaml';
const lintProject = (base: string, override: string) => {
  const results = lintComposeProject([
    { file: BASE, text: base },
    { file: OVERRIDE, text: override },
  ]);
  for (const r of results.values()) assert.deepEqual(r.errors, []);
  return { base: results.get(BASE)!.findings, override: results.get(OVERRIDE)!.findings };
};
const ids = (findings: Finding[]) => findings.map((f) => f.ruleId);
const at = (text: string, f: Finding) => text.slice(f.range!.start, f.range!.end);

const base = '# base\nservices:\n  web:\n    image: busybox:1.36\n    user: "1000"\n    read_only: true\n    security_opt: [no-new-privileges:true]\n    healthcheck: {test: ["CMD", "true"]}\n    deploy: {resources: {limits: {cpus: "1", memory: 64M, pids: 100}}}\n';

test('compose project: cap_drop ALL in the override clears the base file finding', () => {
  assert.ok(ids(lintText(base, { file: BASE }).findings).includes('cap-drop-all'), 'alone, the base lacks cap_drop');
  const { base: inBase, override } = lintProject(base, 'services:\n  web:\n    cap_drop: [ALL]\n');
  assert.ok(!ids(inBase).includes('cap-drop-all'));
  assert.ok(!ids(override).includes('cap-drop-all'));
});

test('compose project: a missing key is reported and fixed in the last file that defines the service', () => {
  const override = 'services:\n  web:\n    ports: ["127.0.0.1:8080:80"]\n';
  const { base: inBase, override: inOverride } = lintProject(base, override);
  assert.ok(!ids(inBase).includes('cap-drop-all'));
  const [f] = inOverride.filter((x) => x.ruleId === 'cap-drop-all');
  assert.ok(f, 'reported in the override');
  assert.equal(at(override, f), 'web');
  const fix = f.fixes.find((x) => x.edits.length)!;
  const fixed = applyEdits(override, fix.edits).text;
  assert.match(fixed, /cap_drop/);
  assert.ok(!ids(lintProject(base, fixed).override).includes('cap-drop-all'));
});

test('compose project: privileged added by an override is reported in the override, judged with the base image and user', () => {
  const override = 'services:\n  web:\n    privileged: true\n';
  const { base: inBase, override: inOverride } = lintProject(base, override);
  const [f] = inOverride.filter((x) => x.ruleId === 'privileged');
  assert.equal(at(override, f), 'privileged: true');
  assert.ok(!ids(inBase).includes('privileged'));
  // The override alone is a fragment (no image): it knows nothing of user-root; merged, the base's user counts.
  assert.ok(!ids([...inBase, ...inOverride]).includes('user-root'));
});

test('compose project: a scalar in the override replaces the base value (read_only: false is reported in the override)', () => {
  const override = 'services:\n  web:\n    read_only: false\n';
  const { base: inBase, override: inOverride } = lintProject(base, override);
  assert.ok(!ids(inBase).includes('read-only-rootfs'));
  const [f] = inOverride.filter((x) => x.ruleId === 'read-only-rootfs');
  assert.ok(f);
  assert.match(at(override, f), /read_only/);
});

test('compose project: a bad item in the base list is still reported in the base when the override appends', () => {
  const b = base.replace('    user: "1000"\n', '    user: "1000"\n    cap_add: [SYS_ADMIN]\n');
  const { base: inBase } = lintProject(b, 'services:\n  web:\n    cap_add: [NET_BIND_SERVICE]\n    cap_drop: [ALL]\n');
  const f = inBase.find((x) => x.ruleId === 'cap-add');
  assert.ok(f);
  assert.equal(at(b, f), 'SYS_ADMIN');
});

test('compose project: a parse error in one file lints the others alone', () => {
  const results = lintComposeProject([
    { file: BASE, text: base },
    { file: OVERRIDE, text: 'services: [\n' },
  ]);
  assert.ok(ids(results.get(BASE)!.findings).includes('cap-drop-all'));
  assert.ok(results.get(OVERRIDE)!.errors.length > 0);
});

// ---- adapter and CLI -------------------------------------------------------------------------

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-project-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}

test('compose project files: base + override by name, COMPOSE_FILE from .env, a lone file', () => {
  const dir = workspace({ 'docker-compose.yml': base, 'docker-compose.override.yml': 'services: {}\n', 'other.yml': base });
  const expected = [join(dir, 'docker-compose.yml'), join(dir, 'docker-compose.override.yml')];
  assert.deepEqual(composeProjectFiles(join(dir, 'docker-compose.override.yml'), {}), expected);
  assert.deepEqual(composeProjectFiles(join(dir, 'other.yml'), {}), [join(dir, 'other.yml')]);
  writeFileSync(join(dir, '.env'), '# project\nCOMPOSE_FILE=other.yml:docker-compose.override.yml\n');
  assert.deepEqual(composeProjectFiles(join(dir, 'other.yml'), {}), [join(dir, 'other.yml'), join(dir, 'docker-compose.override.yml')]);
  assert.deepEqual(composeProjectFiles(join(dir, 'docker-compose.yml'), {}), [join(dir, 'docker-compose.yml')], 'a file COMPOSE_FILE leaves out is linted alone');
  assert.deepEqual(composeProjectFiles(join(dir, 'docker-compose.yml'), { COMPOSE_FILE: 'docker-compose.yml' }), [join(dir, 'docker-compose.yml')]);
});

test('CLI lint and fix: a directory is linted as its compose project, fixes edit the file that defines the value', async () => {
  const dir = workspace({ 'compose.yaml': base.replace('    user: "1000"\n', '    user: "1000"\n    cap_add: [SYS_ADMIN]\n'), 'compose.override.yaml': '# dev\nservices:\n  web:\n    cap_drop: [ALL]\n    ports: ["8080:80"]\n' });
  const linted = await cli(['lint', '--format', 'json', dir]);
  const { findings } = JSON.parse(linted.out) as { findings: { file: string; ruleId: string; line: number }[] };
  const where = (id: string) => findings.filter((f) => f.ruleId === id).map((f) => `${f.file.split('/').pop()}:${f.line}`);
  assert.deepEqual(where('cap-drop-all'), []);
  assert.deepEqual(where('cap-add'), ['compose.yaml:6']);
  assert.deepEqual(where('port-all-interfaces'), ['compose.override.yaml:5']);
  const fixed = await cli(['fix', '--unsafe-rule', 'port-all-interfaces', '--unsafe-rule', 'cap-add', dir]);
  assert.match(fixed.err, /in 2 file\(s\)/);
  assert.doesNotMatch(readFileSync(join(dir, 'compose.yaml'), 'utf8'), /SYS_ADMIN/);
  assert.equal(readFileSync(join(dir, 'compose.override.yaml'), 'utf8'), '# dev\nservices:\n  web:\n    cap_drop: [ALL]\n    ports: ["127.0.0.1:8080:80"]\n');
});

test('CLI lint and fix: base + override + include + extends + .env in one project, judged as compose substitutes the values', async () => {
  const dir = workspace({
    'compose.yaml': 'include:\n  - db.yaml\nservices:\n  web:\n    extends:\n      file: common.yml\n      service: base\n    ports:\n      - "${WEB_PORT:-8080}:80"\n',
    'compose.override.yaml': 'services:\n  web:\n    cap_drop: [ALL]\n',
    'common.yml': 'services:\n  base:\n    image: busybox:1.36\n    privileged: ${PRIVILEGED:-false}\n',
    'db.yaml': 'services:\n  db:\n    image: postgres:${PG_TAG:-latest}\n    user: ${DB_USER}\n',
    '.env': 'PRIVILEGED=true\nPG_TAG=16\nDB_USER=root\nWEB_PORT=127.0.0.1:8080\n',
  });
  const lint = async () => (JSON.parse((await cli(['lint', '--format', 'json', dir])).out) as { findings: { file: string; ruleId: string; line: number; message: string; severity: string }[] }).findings;
  const findings = await lint();
  const where = (id: string) => findings.filter((f) => f.ruleId === id).map((f) => `${f.file.split('/').pop()}:${f.line}`);
  // From common.yml through extends, decided by .env line 1: reported at the service's extends.
  assert.deepEqual(where('privileged'), ['compose.yaml:5']);
  assert.match(findings.find((f) => f.ruleId === 'privileged')!.message, /common\.yml/);
  assert.match(findings.find((f) => f.ruleId === 'privileged')!.message, /\$\{PRIVILEGED\} from \.env line 1/);
  // postgres:16 from .env: a tag without a digest (info), not "latest".
  const image = findings.find((f) => f.ruleId === 'image-unpinned');
  assert.equal(`${image?.file.split('/').pop()}:${image?.line}:${image?.severity}`, 'db.yaml:3:info');
  // db's user is root through .env line 3 (web sets none: reported where the service ends, the override).
  assert.deepEqual(where('user-root'), ['db.yaml:4', 'compose.override.yaml:2']);
  assert.match(findings.find((f) => f.ruleId === 'user-root')!.message, /\$\{DB_USER\} from \.env line 3/);
  // WEB_PORT binds to 127.0.0.1; the override's cap_drop covers web.
  assert.deepEqual(where('port-all-interfaces'), []);
  assert.ok(!where('cap-drop-all').some((w) => w.startsWith('compose')), where('cap-drop-all').join());

  // A fix never writes a constant over a ${…}: the variables stay, the .env is untouched.
  const before = readFileSync(join(dir, 'db.yaml'), 'utf8');
  await cli(['fix', '--unsafe', dir]);
  const db = readFileSync(join(dir, 'db.yaml'), 'utf8');
  assert.ok(db.startsWith(before.replace(/\n$/, '')), db);
  assert.match(db, /image: postgres:\$\{PG_TAG:-latest\}/);
  assert.match(db, /user: \$\{DB_USER\}/);
  assert.equal(readFileSync(join(dir, '.env'), 'utf8'), 'PRIVILEGED=true\nPG_TAG=16\nDB_USER=root\nWEB_PORT=127.0.0.1:8080\n');
  assert.match(readFileSync(join(dir, 'common.yml'), 'utf8'), /privileged: \$\{PRIVILEGED:-false\}/);

  // The same project with PRIVILEGED=false in .env: no privileged finding.
  writeFileSync(join(dir, '.env'), 'PRIVILEGED=false\n');
  assert.deepEqual((await lint()).filter((f) => f.ruleId === 'privileged'), []);
});
