import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../src/engine/lint';
import { fixAll } from '../../src/engine/fix';

const lint = (text: string) => lintText(text, { kind: 'compose' });

test('broken YAML: an error with a position, no findings', () => {
  const r = lint('services:\n  web:\n    image: "unterminated\n    privileged: true\n');
  assert.equal(r.findings.length, 0);
  assert.match(r.errors[0].message, /^YAML: /);
  assert.ok(r.errors[0].range);
});

test('tab indentation: the YAML error says so, at the tab', () => {
  const text = 'services:\n  web:\n\timage: x:1\n';
  const r = lint(text);
  assert.equal(r.findings.length, 0);
  assert.match(r.errors[0].message, /[Tt]ab/);
  assert.equal(text.slice(0, r.errors[0].range!.start).split('\n').length, 3, 'on line 3');
});

test('empty and comment-only files: one clear error', () => {
  for (const text of ['', '\n\n', '# just a comment\n']) {
    const r = lint(text);
    assert.deepEqual(r.findings, []);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /empty compose file/);
  }
});

test('wrong shapes: top-level list, services as a string, odd service values: errors or nothing, never a throw', () => {
  assert.match(lint('- a\n- b\n').errors[0].message, /mapping at the top level/);
  assert.match(lint('services: web\n').errors[0].message, /`services` must be a mapping/);
  const odd = lint('services:\n  a:\n  b: [1, 2]\n  c: 3\n  ? [complex, key]\n  : {image: x}\n  d:\n    image: x:1\n    cap_add: SYS_ADMIN\n    ports: 80\n    volumes: {a: b}\n    environment: [1, {x: y}]\n    security_opt: null\n');
  assert.deepEqual(odd.errors, []);
  assert.ok(odd.findings.every((f) => f.message.includes('"d"')), 'only the real service is judged');
  // A file without services (only networks) is valid compose: nothing to report.
  assert.deepEqual(lint('networks:\n  front: {}\n'), { findings: [], errors: [] });
});

test('alias bomb (billion laughs): a clear error, not an expansion', () => {
  const lines = ['x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    lines.push(`x-${name}: &${name} [${Array(9).fill('*' + prev).join(',')}]`);
  }
  lines.push('services:', '  web:', '    image: x:1', '    environment: *j', '    cap_add: *j');
  const r = lint(lines.join('\n') + '\n');
  assert.equal(r.findings.length, 0);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0].message, /alias bomb/);
  assert.ok(r.errors[0].range, 'points at the first alias');
  // fix-all sees the same error and leaves the text alone.
  const text = lines.join('\n') + '\n';
  assert.equal(fixAll(text, { kind: 'compose', unsafe: true }).text, text);
});

test('many aliases of a small anchor are fine (not a bomb)', () => {
  const services = Array.from({ length: 300 }, (_, i) => `  s${i}:\n    <<: *base\n    image: app:${i}\n`).join('');
  const r = lint(`x-base: &base\n  read_only: true\n  cap_drop: [ALL]\nservices:\n${services}`);
  assert.deepEqual(r.errors, []);
  assert.equal(r.findings.filter((f) => f.ruleId === 'read-only-rootfs' || f.ruleId === 'cap-drop-all').length, 0);
  assert.equal(r.findings.filter((f) => f.ruleId === 'no-new-privileges').length, 300);
});

test('a 4 MB file with thousands of services: findings for each, no error', () => {
  const service = (i: number) =>
    `  svc${i}:\n    <<: *defaults\n    image: registry.example.com/team/service-${i}:1.${i % 50}.0\n    ports:\n      - "${10000 + (i % 50000)}:8080"\n    environment:\n      LOG_LEVEL: info\n      SERVICE_NAME: svc${i}\n    volumes:\n      - data${i}:/var/lib/app\n`;
  let body = '';
  let count = 0;
  while (body.length < 4 * 1024 * 1024) body += service(count++);
  const text = `x-defaults: &defaults\n  restart: "on-failure:3"\n  read_only: true\nservices:\n${body}`;
  assert.ok(text.length >= 4 * 1024 * 1024);
  const r = lint(text);
  assert.deepEqual(r.errors, []);
  assert.equal(r.findings.filter((f) => f.ruleId === 'port-all-interfaces').length, count);
  assert.equal(r.findings.filter((f) => f.ruleId === 'read-only-rootfs').length, 0);
});

test('deeply nested flow collections and block mappings: "nesting too deep", not a stack overflow', () => {
  for (const depth of [300, 5000, 100_000]) {
    const flow = lint(`services:\n  a:\n    image: x:1\n    labels: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    assert.match(flow.errors[0]?.message ?? '', /^YAML nesting too deep \(more than 200 levels\)/, `flow depth ${depth}`);
    assert.deepEqual(flow.findings, []);
  }
  const block = lint(`services:\n  a:\n    image: x:1\n    labels:\n${Array.from({ length: 1000 }, (_, i) => `${'  '.repeat(i + 3)}k:\n`).join('')}`);
  assert.match(block.errors[0]?.message ?? '', /^YAML nesting too deep/);
  // Brackets in quotes, comments and an apostrophe in a plain scalar do not count as nesting.
  const quoted = lint(`services:\n  a:\n    image: x:1\n    command: it's "${'['.repeat(500)}" # ${'{'.repeat(500)}\n    labels: ['${'['.repeat(500)}']\n`);
  assert.deepEqual(quoted.errors, []);
  assert.ok(quoted.findings.length > 0, 'parsed: the service is judged');
  // Ordinary depth is parsed.
  const ok = lint(`services:\n  a:\n    image: x:1\n    labels: ${'['.repeat(50)}${']'.repeat(50)}\n`);
  assert.deepEqual(ok.errors, []);
});
