import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { lintText } from '../../src/engine/lint';
import { fixAll } from '../../src/engine/fix';
import { applyEdits } from '../../src/engine/text';
import { fixturePath, repoPath } from '../support/paths';

// Every fix of every finding, applied alone to every file of a corpus: the result must still be
// valid YAML, lint without errors, and have one finding fewer of that rule for that service.

const CORPUS: Record<string, string> = {
  'compose-startable.yaml': readFileSync(fixturePath('compose', 'compose-startable.yaml'), 'utf8'),
  'compose-long-syntax.yaml': readFileSync(fixturePath('compose', 'compose-long-syntax.yaml'), 'utf8'),
  'webapp/compose.yaml': readFileSync(repoPath('examples', 'compose', 'webapp', 'compose.yaml'), 'utf8'),
  'monitoring/compose.yaml': readFileSync(repoPath('examples', 'compose', 'monitoring', 'compose.yaml'), 'utf8'),
  'flow-and-crlf.yaml': 'x-b: &b {privileged: true, cap_add: [SYS_ADMIN]}\r\nservices:\r\n  a: {<<: *b, image: "x:1", ports: ["80:80"], security_opt: [seccomp=unconfined]}\r\n  c:\r\n    <<: *b\r\n    image: x:1\r\n    volumes: [/etc:/etc, "/var/run/docker.sock:/var/run/docker.sock"]\r\n    restart: always\r\n',
  'nested-merges.yaml': [
    'x-base: &base',
    '  logging: {driver: none}',
    '  security_opt: [apparmor:unconfined]',
    'x-mid: &mid',
    '  <<: *base',
    '  user: root',
    '  tmpfs: [/run:exec]',
    'services:',
    '  one:',
    '    <<: *mid',
    '    image: one:1',
    '  two:',
    '    <<: [*mid, *base]',
    '    image: two:1',
    '    environment: [API_TOKEN=abc123xyz, MODE=prod]',
    '    devices: [/dev/fuse]',
    '  three:',
    '    extends: two',
    '    ports:',
    '      - target: 22',
    '        published: 2222',
    '',
  ].join('\n'),
};

const serviceOf = (message: string) => /service "([^"]+)"/.exec(message)?.[1];

for (const [name, text] of Object.entries(CORPUS)) {
  test(`every single fix in ${name} keeps valid YAML and removes its finding`, () => {
    const before = lintText(text, { kind: 'compose' });
    assert.deepEqual(before.errors, []);
    let fixesTried = 0;
    for (const finding of before.findings) {
      for (const fix of finding.fixes.filter((f) => f.edits.length)) {
        fixesTried++;
        const { text: after, applied } = applyEdits(text, fix.edits);
        const label = `${name}: ${finding.ruleId} "${fix.title}" (${finding.message})`;
        assert.equal(applied.length, fix.edits.length, `${label}: edits do not overlap`);
        const doc = parseDocument(after, { uniqueKeys: false });
        assert.deepEqual(doc.errors.map((e) => e.message), [], `${label}: valid YAML\n${after}`);
        const r = lintText(after, { kind: 'compose' });
        assert.deepEqual(r.errors, [], label);
        const service = serviceOf(finding.message);
        // That exact finding is gone (a milder one may remain: rw /etc fixed to ro is still a warning).
        const same = (findings: typeof before.findings) => findings.filter((f) => f.ruleId === finding.ruleId && f.message === finding.message).length;
        assert.ok(same(r.findings) < same(before.findings), `${label}: the finding is gone\n${after}`);
        // A fix never adds findings to other services (it may remove some: `extends` inherits it).
        const others = (findings: typeof before.findings) => findings.filter((f) => serviceOf(f.message) !== service && f.ruleId === finding.ruleId).length;
        assert.ok(others(r.findings) <= others(before.findings), `${label}: other services not made worse\n${after}`);
      }
    }
    assert.ok(fixesTried > 0, 'the file has fixes to try');
  });
}

for (const [name, text] of Object.entries(CORPUS)) {
  test(`fix-all (unsafe) of ${name} converges, keeps comments and line endings, and is idempotent`, () => {
    const once = fixAll(text, { kind: 'compose', unsafe: true });
    assert.deepEqual(parseDocument(once.text, { uniqueKeys: false }).errors.map((e) => e.message), []);
    assert.equal(fixAll(once.text, { kind: 'compose', unsafe: true }).text, once.text);
    const comments = (t: string) => t.split(/\r?\n/).filter((l) => l.trimStart().startsWith('#'));
    assert.deepEqual(comments(once.text), comments(text), 'whole-line comments kept');
    if (text.includes('\r\n')) assert.ok(!/[^\r]\n/.test(once.text), 'CRLF everywhere');
    for (const f of once.remaining) assert.ok(f.fixes.every((x) => !x.edits.length), `${name}: ${f.ruleId} left with a fix`);
  });
}
