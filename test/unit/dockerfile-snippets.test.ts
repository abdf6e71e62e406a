import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { lintText } from '../../src/engine/lint';
import { repoPath } from '../support/paths';

interface Snippet {
  prefix: string[];
  body: string[];
}

/** Expands VS Code snippet syntax the way accepting every default would: `${1:x}` → x, `${1}` → 1's default, `$0` → ''. */
function expand(body: string): string {
  const defaults = new Map<string, string>();
  let text = body;
  // Innermost placeholders first, so nested defaults resolve.
  for (let guard = 0; /\$\{\d+:[^${}]*\}/.test(text) && guard < 50; guard++) {
    text = text.replace(/\$\{(\d+):([^${}]*)\}/g, (_m, n: string, value: string) => {
      if (!defaults.has(n)) defaults.set(n, value);
      return value;
    });
  }
  return text.replace(/\$\{(\d+)\}/g, (_m, n: string) => defaults.get(n) ?? '').replace(/\$\d+/g, '').replace(/\\\$/g, '$');
}

const snippets = JSON.parse(readFileSync(repoPath('snippets', 'dockerfile.code-snippets'), 'utf8')) as Record<string, Snippet>;

test('the hardened Dockerfile snippet, with its defaults, has no warnings or errors from Bulkhead', () => {
  const skeleton = Object.values(snippets).find((s) => s.prefix.includes('bulkhead-dockerfile'));
  assert.ok(skeleton, 'skeleton snippet present');
  const text = expand(skeleton.body.join('\n'));
  assert.match(text, /^FROM node:20-alpine AS build$/m);
  assert.match(text, /^USER 10001:10001$/m);
  assert.match(text, /^CMD \["node", "server\.js"\]$/m);
  const { findings, errors } = lintText(text, { kind: 'dockerfile' });
  assert.deepEqual(errors, []);
  // Only advisories remain (a tag is not a digest: pinning one is the user's call).
  assert.deepEqual(findings.filter((f) => f.severity !== 'info').map((f) => `${f.ruleId}: ${f.message}`), []);
  for (const id of ['user-root', 'healthcheck-missing', 'shell-form-command', 'pipefail-missing']) assert.ok(!findings.some((f) => f.ruleId === id), id);
});

test('the user snippets fix user-root for their family', () => {
  for (const [prefix, base] of [['bulkhead-user-debian', 'debian:12'], ['bulkhead-user-alpine', 'alpine:3.20']]) {
    const s = Object.values(snippets).find((x) => x.prefix.includes(prefix))!;
    const text = `FROM ${base}\n${expand(s.body.join('\n'))}\nCMD ["app"]\n`;
    assert.equal(lintText(text, { kind: 'dockerfile' }).findings.filter((f) => f.ruleId === 'user-root').length, 0, prefix);
    assert.equal(lintText(`FROM ${base}\nCMD ["app"]\n`, { kind: 'dockerfile' }).findings.filter((f) => f.ruleId === 'user-root').length, 1);
  }
});
