import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSeverityOverride, parseTeamConfig, excludeMatcher } from '../../src/engine/config';
import { TeamConfigResolver } from '../../src/workspace/teamConfig';
import { GitignoreFilter } from '../../src/workspace/gitignore';
import { main } from '../../src/cli/main';

test('a valid .bulkhead.yaml sets severities and excludes', () => {
  const { config, errors } = parseTeamConfig('rules:\n  privileged: warning\n  maintainer-deprecated: off\nexclude:\n  - legacy/**\n  - vendor\n');
  assert.deepEqual(errors, []);
  assert.deepEqual(config.severities, { privileged: 'warning', 'maintainer-deprecated': 'off' });
  const excluded = excludeMatcher(config.exclude);
  assert.equal(excluded('legacy/a/Dockerfile'), true);
  assert.equal(excluded('src/vendor/compose.yaml'), true, 'a bare name matches at any depth');
  assert.equal(excluded('src/Dockerfile'), false);
});

test('validation errors are precise and the valid parts still apply', () => {
  const text = 'rules:\n  privileged: loud\n  no-such-rule: off\n  maintainer-deprecated: error\nexclude: legacy\nextra: 1\n';
  const { config, errors } = parseTeamConfig(text);
  const messages = errors.map((e) => `${text.slice(e.range!.start, e.range!.end)} => ${e.message}`);
  assert.deepEqual(messages, [
    'loud => rule "privileged": severity must be one of error, warning, info, off',
    'no-such-rule => unknown rule "no-such-rule" (see docs/rules)',
    'legacy => "exclude" must be a list of globs',
    'extra => unknown key "extra": expected "rules", "exclude" or "compose_projects"',
  ]);
  assert.deepEqual(config.severities, { 'maintainer-deprecated': 'error' });
  assert.match(parseTeamConfig('rules: [').errors[0].message, /^YAML/);
  assert.match(parseTeamConfig('- a\n').errors[0].message, /must be a mapping/);
});

test('the nearest .bulkhead.yaml above a file applies', () => {
  const root = mkdtempSync(join(tmpdir(), 'bulkhead-team-'));
  mkdirSync(join(root, 'svc', 'deep'), { recursive: true });
  writeFileSync(join(root, '.bulkhead.yaml'), 'rules:\n  privileged: info\n');
  writeFileSync(join(root, 'svc', '.bulkhead.yaml'), 'rules:\n  privileged: off\n');
  const r = new TeamConfigResolver();
  assert.equal(r.forFile(join(root, 'compose.yaml')).config.severities.privileged, 'info');
  assert.equal(r.forFile(join(root, 'svc', 'deep', 'compose.yaml')).config.severities.privileged, 'off');
});

test('gitignore rules apply to their subtree, and ignored folders hide their content', () => {
  const root = mkdtempSync(join(tmpdir(), 'bulkhead-git-'));
  mkdirSync(join(root, 'build', 'x'), { recursive: true });
  mkdirSync(join(root, 'app'), { recursive: true });
  writeFileSync(join(root, '.gitignore'), 'build/\n');
  writeFileSync(join(root, 'app', '.gitignore'), 'Dockerfile.local\n');
  const g = new GitignoreFilter(root);
  assert.equal(g.isIgnored(join(root, 'build', 'x', 'Dockerfile')), true);
  assert.equal(g.isIgnored(join(root, 'app', 'Dockerfile.local')), true);
  assert.equal(g.isIgnored(join(root, 'Dockerfile.local')), false, 'the nested rule does not apply above its folder');
  assert.equal(g.isIgnored(join(root, 'app', 'Dockerfile')), false);
});

test('the CLI honours .bulkhead.yaml (severities, excludes) and .gitignore, and reports a broken config', async () => {
  const root = mkdtempSync(join(tmpdir(), 'bulkhead-cli-team-'));
  mkdirSync(join(root, 'legacy'), { recursive: true });
  mkdirSync(join(root, 'gen'), { recursive: true });
  const compose = 'services:\n  app:\n    image: busybox:1.36\n    privileged: true\n';
  writeFileSync(join(root, 'compose.yaml'), compose);
  writeFileSync(join(root, 'legacy', 'compose.yaml'), compose);
  writeFileSync(join(root, 'gen', 'compose.yaml'), compose);
  writeFileSync(join(root, '.gitignore'), 'gen/\n');
  writeFileSync(join(root, '.bulkhead.yaml'), 'rules:\n  privileged: info\nexclude:\n  - legacy/**\n');
  let out = '';
  const io = { out: (t: string) => (out += t), err: () => undefined };
  await main(['lint', '--format', 'json', root], io);
  const report = JSON.parse(out) as { findings: { file: string; ruleId: string; severity: string }[] };
  const privileged = report.findings.filter((f) => f.ruleId === 'privileged');
  assert.deepEqual(privileged.map((f) => [f.file.slice(root.length + 1), f.severity]), [['compose.yaml', 'info']]);

  writeFileSync(join(root, '.bulkhead.yaml'), 'rules:\n  privileged: nope\n');
  out = '';
  const code = await main(['lint', '--format', 'json', root], io);
  const broken = JSON.parse(out) as { errors: { file: string; message: string; line: number }[] };
  assert.equal(code, 2);
  assert.equal(broken.errors[0].line, 2);
  assert.match(broken.errors[0].file, /\.bulkhead\.yaml$/);
});

test('one severity check for .bulkhead.yaml and the bulkhead.rules setting: "critical" is refused, never used', () => {
  assert.deepEqual(checkSeverityOverride('privileged', 'error'), { override: 'error' });
  assert.deepEqual(checkSeverityOverride('privileged', 'off'), { override: 'off' });
  assert.match(checkSeverityOverride('privileged', 'critical').problem ?? '', /severity must be one of error, warning, info, off/);
  assert.match(checkSeverityOverride('privileged', 3).problem ?? '', /severity must be one of/);
  assert.match(checkSeverityOverride('no-such-rule', 'error').problem ?? '', /unknown rule "no-such-rule"/);
  const { config, errors } = parseTeamConfig('rules:\n  privileged: critical\n');
  assert.deepEqual(config.severities, {});
  assert.match(errors[0].message, /severity must be one of/);
});
