import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isScalar, isSeq, parse } from 'yaml';
import { createComposeProject } from '../../src/engine/compose/project';

// The merge Bulkhead lints against what docker-compose 1.29 itself makes of `-f base -f override`.

const BASE = [
  'services:',
  '  web:',
  '    image: busybox:1.36',
  '    user: "1000"',
  '    read_only: true',
  '    cap_add: [CHOWN]',
  '    security_opt: ["no-new-privileges:true"]',
  '    environment: {A: "1", B: "2"}',
  '    deploy: {resources: {limits: {memory: 64M}}}',
  '  db:',
  '    image: busybox:1.36',
  '',
].join('\n');
const OVERRIDE = [
  'services:',
  '  web:',
  '    read_only: false',
  '    privileged: true',
  '    cap_add: [NET_ADMIN]',
  '    cap_drop: [ALL]',
  '    environment: {B: "3"}',
  '    deploy: {resources: {limits: {cpus: "0.5"}}}',
  '  db:',
  '    user: "2000"',
  '',
].join('\n');
const KEYS = ['image', 'user', 'read_only', 'privileged', 'cap_add', 'cap_drop', 'security_opt', 'environment', 'deploy'];

/** A merged value as plain data: scalars as strings, sequences as sorted strings, mappings recursively. */
function plain(node: unknown, resolve: (n: unknown) => unknown): unknown {
  const n = resolve(node);
  if (isScalar(n)) return String(n.value);
  if (isSeq(n)) return n.items.map((i) => plain(i, resolve)).sort();
  const items = (n as { items?: { key: unknown; value: unknown }[] }).items ?? [];
  return Object.fromEntries(items.map((p) => [String((resolve(p.key) as { value: unknown }).value), plain(p.value, resolve)]));
}

function normal(value: unknown): unknown {
  if (Array.isArray(value)) return [...new Set(value.map((v) => String(v)))].sort();
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normal(v)]));
  return String(value);
}

test('docker-compose config -f base -f override agrees with the merged project Bulkhead lints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-merge-'));
  try {
    writeFileSync(join(dir, 'compose.yaml'), BASE);
    writeFileSync(join(dir, 'compose.override.yaml'), OVERRIDE);
    const out = execFileSync('docker-compose', ['-f', join(dir, 'compose.yaml'), '-f', join(dir, 'compose.override.yaml'), 'config'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    const compose = parse(out) as { services: Record<string, Record<string, unknown>> };
    const project = createComposeProject([
      { file: 'compose.yaml', text: BASE },
      { file: 'compose.override.yaml', text: OVERRIDE },
    ]);
    const ctx = project.ctx!;
    for (const service of ctx.services) {
      for (const key of KEYS) {
        const field = service.get(key);
        const expected = compose.services[service.name][key];
        assert.deepEqual(field ? normal(plain(field.value, ctx.resolve)) : undefined, expected === undefined ? undefined : normal(expected), `${service.name}.${key}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
