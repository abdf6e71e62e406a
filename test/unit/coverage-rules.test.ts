import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../src/engine/lint';
import { fixAll } from '../../src/engine/fix';
import type { FileKind } from '../../src/engine/model';

// Issue 16: the rules added for coverage, on real-world-shaped inputs.

const hits = (text: string, ruleId: string, kind: FileKind = 'dockerfile') => lintText(text, { kind }).findings.filter((f) => f.ruleId === ruleId);

/** Applies one rule's fixes (unsafe allowed) and checks that fixing twice equals fixing once. */
function fixed(text: string, ruleId: string, kind: FileKind = 'dockerfile'): string {
  const once = fixAll(text, { kind, ruleId, unsafe: true }).text;
  assert.equal(fixAll(once, { kind, ruleId, unsafe: true }).text, once, `${ruleId}: fixing twice changes the text`);
  return once;
}

test('restart-policy: one info finding per anchor listing the services that merge it; the fix edits the anchor', () => {
  // Shaped like getsentry/self-hosted: a restart policy anchor merged by a defaults anchor and by services.
  const text = [
    'x-restart-policy: &restart_policy',
    '  restart: unless-stopped',
    'x-sentry-defaults: &sentry_defaults',
    '  <<: *restart_policy',
    '  image: sentry:24.1.0',
    'services:',
    '  web:',
    '    <<: *sentry_defaults',
    '  worker:',
    '    <<: *sentry_defaults',
    '  cron:',
    '    <<: *restart_policy',
    '    image: sentry:24.1.0',
    '  redis:',
    '    <<: *restart_policy',
    '    image: redis:7',
    '    restart: always',
    '  db:',
    '    image: postgres:16',
    '    restart: "on-failure:3"',
    '',
  ].join('\n');
  const found = hits(text, 'restart-policy', 'compose');
  assert.equal(found.length, 2, 'one finding at the anchor, one for the service that overrides it');
  assert.ok(found.every((f) => f.severity === 'info'));
  const anchor = found.find((f) => f.range!.start === text.indexOf('restart: unless-stopped'));
  assert.ok(anchor, 'the shared finding sits on the anchor line');
  assert.match(anchor.message, /3 services \("web", "worker", "cron"\)/);
  assert.match(found.find((f) => f !== anchor)!.message, /service "redis"/);
  const after = fixed(text, 'restart-policy', 'compose');
  assert.equal(after, text.replace('restart: unless-stopped', 'restart: "on-failure:5"').replace('restart: always', 'restart: "on-failure:5"'));
  assert.equal(hits(after, 'restart-policy', 'compose').length, 0);
});

test('restart-policy: a large anchor group names the first services and counts the rest', () => {
  const services = Array.from({ length: 20 }, (_, k) => `  s${k}:\n    <<: *defaults\n    image: app:${k}`).join('\n');
  const text = `x-defaults: &defaults\n  restart: always\nservices:\n${services}\n`;
  const found = hits(text, 'restart-policy', 'compose');
  assert.equal(found.length, 1);
  assert.match(found[0].message, /^20 services \("s0", .*"s11" and 8 more\)/);
});
