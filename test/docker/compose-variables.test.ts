import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parse } from 'yaml';
import { createComposeProject } from '../../src/engine/compose/project';
import { applyComposeVariables, loadComposeVariables } from '../../src/engine/compose/variables';
import { scalarString } from '../../src/engine/compose/values';
import { lintText } from '../../src/engine/lint';
import { readProjectFile } from '../../src/workspace/projectFiles';

// The values Bulkhead judges against what docker-compose 1.29 itself substitutes from the project's
// .env, run with an empty environment (Bulkhead never reads the shell's variables).

const COMPOSE = [
  'services:',
  '  web:',
  '    image: "${REGISTRY:-docker.io}/library/busybox:${TAG}"',
  '    user: "${APP_UID}:${APP_GID-0}"',
  '    privileged: "${PRIVILEGED:-false}"',
  '    read_only: ${READ_ONLY-true}',
  '    ports:',
  '      - "${HOST_IP:-0.0.0.0}:${WEB_PORT:-8080}:80"',
  '    environment:',
  '      LITERAL: "$$HOME"',
  '      EMPTY_DEFAULT: "${GREETING:-hi}"',
  '      DASH_DEFAULT: "${GREETING-hi}"',
  '      EXPANDED: "${DERIVED}"',
  '      REQUIRED: "${TAG:?TAG must be set}"',
  '      NOT_SET: "${NOT_SET}"',
  '    network_mode: "${NET_MODE:-bridge}"',
  '    cap_add: ["${EXTRA_CAP:-NET_ADMIN}"]',
  '',
].join('\n');
const ENV = ['# settings', 'TAG=1.36', 'APP_UID=10001', 'export PRIVILEGED=true', 'WEB_PORT="9090"', "HOST_IP='127.0.0.1'", 'GREETING=', 'DERIVED=${TAG}-x', ''].join('\n');

/** A service's values as Bulkhead reads them (scalarString: the substituted value when decided). */
function effective(node: unknown): unknown {
  if (isScalar(node)) return scalarString(node);
  if (isSeq(node)) return node.items.map(effective);
  if (isMap(node)) return Object.fromEntries(node.items.map((p) => [String((p.key as { value: unknown }).value), effective(p.value)]));
  return undefined;
}

/** A folder holding COMPOSE and ENV, given to `body` and removed after. */
function withProject(body: (dir: string, file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-variables-'));
  try {
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, COMPOSE);
    writeFileSync(join(dir, '.env'), ENV);
    body(dir, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The web service as `docker-compose config` makes it, run with an empty environment. */
function composeConfigWeb(dir: string): Record<string, unknown> {
  const out = execFileSync('docker-compose', ['config'], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  return (parse(out) as { services: { web: Record<string, unknown> } }).services.web;
}

test('docker-compose config substitutes the .env values Bulkhead judges', () => {
  withProject((dir, file) => {
    const expected = composeConfigWeb(dir);
    const project = createComposeProject([{ file, text: COMPOSE }], readProjectFile);
    applyComposeVariables(project.docs, loadComposeVariables(readProjectFile, file));
    const web = effective(project.ctx!.services[0].map) as Record<string, unknown>;
    // config re-escapes `$` as `$$` and writes the port's protocol.
    const fromCompose = (v: unknown): unknown => (typeof v === 'string' ? v.replace(/\$\$/g, '$').replace(/\/tcp$/, '') : Array.isArray(v) ? v.map(fromCompose) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromCompose(x)])) : String(v));
    const env = web.environment as Record<string, string>;
    // Unset with no default: compose substitutes '' (and warns); Bulkhead leaves it undecided.
    assert.equal(env.NOT_SET, '${NOT_SET}');
    assert.equal((expected.environment as Record<string, string>).NOT_SET, '');
    delete env.NOT_SET;
    // A value with only `$$` escapes is judged as written (rules read `$$` as a literal `$`).
    assert.equal(env.LITERAL, '$$HOME');
    env.LITERAL = '$HOME';
    delete (expected.environment as Record<string, string>).NOT_SET;
    for (const key of ['image', 'user', 'privileged', 'read_only', 'ports', 'environment', 'network_mode', 'cap_add']) {
      assert.deepEqual(web[key], fromCompose(expected[key]), key);
    }
  });
});

test('the CLI reader finds the .env next to the compose file: privileged through .env is reported with its line', () => {
  withProject((dir, file) => {
    const found = lintText(COMPOSE, { kind: 'compose', file, readProjectFile }).findings.filter((f) => f.ruleId === 'privileged');
    assert.equal(found.length, 1);
    assert.match(found[0].message, /\$\{PRIVILEGED\} from \.env line 4/);
    // docker-compose agrees the service runs privileged.
    assert.equal(composeConfigWeb(dir).privileged, true);
  });
});
