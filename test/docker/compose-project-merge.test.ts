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

// `extends: {file, service}` across files, with an anchor in the base file and an override on top:
// docker-compose 1.29 supports it (the compose spec reinstated extends). `include:` is compose 2.20+
// and not in 1.29: its loading is covered by test/unit/compose-effective.test.ts.
const COMMON = [
  'x-hardened: &hardened',
  '  read_only: true',
  '  cap_drop: [ALL]',
  'services:',
  '  app-base:',
  '    <<: *hardened',
  '    image: busybox:1.36',
  '    privileged: true',
  '    user: "10001"',
  '    cap_add: [CHOWN]',
  '',
].join('\n');
const EXTENDING = ['services:', '  web:', '    extends:', '      file: common.yml', '      service: app-base', '    cap_add: [NET_ADMIN]', '  worker:', '    extends: {file: common.yml, service: app-base}', '    user: "2000"', ''].join('\n');
const EXTENDING_OVERRIDE = ['services:', '  web:', '    privileged: false', ''].join('\n');

test('docker-compose config agrees with the project Bulkhead lints when services extend a service in another file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-extends-'));
  try {
    writeFileSync(join(dir, 'common.yml'), COMMON);
    writeFileSync(join(dir, 'compose.yaml'), EXTENDING);
    writeFileSync(join(dir, 'compose.override.yaml'), EXTENDING_OVERRIDE);
    const out = execFileSync('docker-compose', ['-f', join(dir, 'compose.yaml'), '-f', join(dir, 'compose.override.yaml'), 'config'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    const compose = parse(out) as { services: Record<string, Record<string, unknown>> };
    const project = createComposeProject(
      [
        { file: 'compose.yaml', text: EXTENDING },
        { file: 'compose.override.yaml', text: EXTENDING_OVERRIDE },
      ],
      (_file, written) => (written === 'common.yml' ? { kind: 'text', text: COMMON } : { kind: 'missing' }),
    );
    const ctx = project.ctx!;
    assert.deepEqual(ctx.services.map((s) => [s.name, s.partial]), [['web', false], ['worker', false]], 'the bases were loaded');
    for (const service of ctx.services) {
      for (const key of ['image', 'user', 'read_only', 'privileged', 'cap_add', 'cap_drop']) {
        const field = service.get(key);
        const own = field ? plain(field.value, ctx.resolve) : undefined;
        // Compose appends a base's list items to the service's own list.
        const value = Array.isArray(own) || (own === undefined && service.baseListTexts(key).length) ? [...((own as string[] | undefined) ?? []), ...service.baseListTexts(key)] : own;
        const expected = compose.services[service.name][key];
        assert.deepEqual(value === undefined ? undefined : normal(value), expected === undefined ? undefined : normal(expected), `${service.name}.${key}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
