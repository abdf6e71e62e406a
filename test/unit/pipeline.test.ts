import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../src/engine/lint';
import { fixAll } from '../../src/engine/fix';
import { applyEdits, LineIndex } from '../../src/engine/text';

test('lintText reports MAINTAINER with a label fix, and fix-all is idempotent', () => {
  const text = 'FROM busybox:1.36\nMAINTAINER Jane <jane@example.com>\nCMD ["sh"]\n';
  const { findings } = lintText(text, { kind: 'dockerfile' });
  const f = findings.find((x) => x.ruleId === 'maintainer-deprecated');
  assert.ok(f, 'maintainer-deprecated fires');
  assert.equal(text.slice(f.range!.start, f.range!.end), 'MAINTAINER Jane <jane@example.com>');
  const once = fixAll(text, { kind: 'dockerfile', ruleId: 'maintainer-deprecated' }).text;
  assert.match(once, /^LABEL org\.opencontainers\.image\.authors="Jane <jane@example\.com>"$/m);
  assert.equal(fixAll(once, { kind: 'dockerfile', ruleId: 'maintainer-deprecated' }).text, once);
});

test('binary, oversized and unknown input come back as errors, not exceptions', () => {
  assert.match(lintText('FROM x\u0000\u0001', { kind: 'dockerfile' }).errors[0].message, /binary/);
  assert.match(lintText('x', { file: 'notes.txt' }).errors[0].message, /not a Dockerfile/);
  assert.match(lintText('#'.repeat(9 * 1024 * 1024), { kind: 'dockerfile' }).errors[0].message, /too large/);
});

test('broken YAML is an error with a position', () => {
  const r = lintText('services:\n  web:\n    image: [unclosed\n', { kind: 'compose' });
  assert.equal(r.findings.length, 0);
  assert.ok(r.errors.length > 0);
  assert.ok(r.errors[0].range);
});

test('ignore comments suppress the next line or the whole file, and only the named rule', () => {
  const base = 'services:\n  app:\n    image: busybox:1.36\n';
  const on = base + '    privileged: true\n';
  assert.equal(lintText(on, { kind: 'compose' }).findings.filter((f) => f.ruleId === 'privileged').length, 1);
  const nextLine = base + '    # bulkhead-ignore privileged -- device access for the lab\n    privileged: true\n';
  assert.equal(lintText(nextLine, { kind: 'compose' }).findings.filter((f) => f.ruleId === 'privileged').length, 0);
  const trailing = base + '    privileged: true # bulkhead-ignore privileged -- lab\n';
  assert.equal(lintText(trailing, { kind: 'compose' }).findings.filter((f) => f.ruleId === 'privileged').length, 0);
  const otherRule = base + '    privileged: true # bulkhead-ignore read-only-rootfs -- lab\n';
  assert.equal(lintText(otherRule, { kind: 'compose' }).findings.filter((f) => f.ruleId === 'privileged').length, 1);
  const wholeFile = '# bulkhead-ignore-file privileged -- lab machine\n' + on;
  assert.equal(lintText(wholeFile, { kind: 'compose' }).findings.filter((f) => f.ruleId === 'privileged').length, 0);
});

test('severity overrides and off', () => {
  const text = 'FROM busybox:1.36\nMAINTAINER x\n';
  assert.equal(lintText(text, { kind: 'dockerfile', severities: { 'maintainer-deprecated': 'error' } }).findings.find((f) => f.ruleId === 'maintainer-deprecated')?.severity, 'error');
  assert.equal(lintText(text, { kind: 'dockerfile', severities: { 'maintainer-deprecated': 'off' } }).findings.filter((f) => f.ruleId === 'maintainer-deprecated').length, 0);
});

test('applyEdits drops overlapping edits and LineIndex maps CRLF lines', () => {
  const r = applyEdits('abcdef', [{ start: 1, end: 3, newText: 'X' }, { start: 2, end: 4, newText: 'Y' }, { start: 5, end: 5, newText: '!' }]);
  assert.equal(r.text, 'aXde!f');
  const li = new LineIndex('a\r\nbc\r\n');
  assert.deepEqual(li.position(3), { line: 1, character: 0 });
  assert.equal(li.lineText(1), 'bc');
});

test('a lint whose time budget has run out stops with a clear error and no partial findings', () => {
  const text = 'FROM busybox:1.36\nMAINTAINER x\n';
  assert.ok(lintText(text, { kind: 'dockerfile', outOfTime: () => false }).findings.length > 0);
  const stopped = lintText(text, { kind: 'dockerfile', outOfTime: () => true });
  assert.deepEqual(stopped.findings, []);
  assert.match(stopped.errors[0].message, /too slow to lint/);
});
