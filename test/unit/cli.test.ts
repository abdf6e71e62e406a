import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { main } from '../../src/cli/main';
import { repoPath } from '../support/paths';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-cli-'));
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

const INSECURE_DOCKERFILE = 'FROM busybox:1.36\nMAINTAINER Jane\nCMD ["sh"]\n';
const INSECURE_COMPOSE = 'services:\n  app:\n    image: busybox:1.36\n    privileged: true\n';

test('lint walks directories for the documented names and skips node_modules and .git', async () => {
  const dir = workspace({
    'Dockerfile': INSECURE_DOCKERFILE,
    'api/Dockerfile.prod': INSECURE_DOCKERFILE,
    'api/app.Dockerfile': INSECURE_DOCKERFILE,
    'compose.yaml': INSECURE_COMPOSE,
    'ops/docker-compose.override.yml': INSECURE_COMPOSE,
    'node_modules/pkg/Dockerfile': INSECURE_DOCKERFILE,
    '.git/Dockerfile': INSECURE_DOCKERFILE,
    'notes.yaml': INSECURE_COMPOSE,
  });
  const { code, out } = await run(['lint', '--format', 'json', dir]);
  const report = JSON.parse(out) as { findings: { file: string; ruleId: string }[]; errors: unknown[] };
  const files = [...new Set(report.findings.map((f) => f.file.slice(dir.length + 1)))].sort();
  assert.deepEqual(files, ['Dockerfile', 'api/Dockerfile.prod', 'api/app.Dockerfile', 'compose.yaml', 'ops/docker-compose.override.yml']);
  assert.equal(code, 1, 'privileged is an error, above the default --fail-on warning');
});

test('lint JSON follows the contract: 1-based positions, fixable, all five refs', async () => {
  const dir = workspace({ 'Dockerfile': INSECURE_DOCKERFILE });
  const { out } = await run(['lint', '--format', 'json', join(dir, 'Dockerfile')]);
  const { findings, errors } = JSON.parse(out);
  assert.deepEqual(errors, []);
  const m = findings.find((f: { ruleId: string }) => f.ruleId === 'maintainer-deprecated');
  assert.deepEqual(
    { line: m.line, column: m.column, endLine: m.endLine, endColumn: m.endColumn, fixable: m.fixable, severity: m.severity },
    { line: 2, column: 1, endLine: 2, endColumn: 16, fixable: true, severity: 'info' },
  );
  assert.deepEqual(Object.keys(m.refs).sort(), ['checkov', 'cis', 'dockle', 'hadolint', 'kics', 'trivy']);
  assert.deepEqual(m.refs.hadolint, ['DL4000']);
});

test('--fail-on decides the exit code', async () => {
  const dir = workspace({ 'Dockerfile': 'FROM busybox:1.36\nMAINTAINER Jane\n' });
  const infoOnly = await run(['lint', '--format', 'json', '--fail-on', 'error', dir]);
  const findings = JSON.parse(infoOnly.out).findings as { severity: string }[];
  assert.equal(infoOnly.code, findings.some((f) => f.severity === 'error') ? 1 : 0);
  const strict = await run(['lint', '--fail-on', 'info', dir]);
  assert.equal(strict.code, 1, 'an info finding fails --fail-on info');
});

test('usage errors and unreadable files exit 2; other files are still linted', async () => {
  assert.equal((await run(['lint'])).code, 2);
  assert.equal((await run(['lint', '--format', 'xml', '.'])).code, 2);
  assert.equal((await run(['frobnicate'])).code, 2);
  const dir = workspace({ 'Dockerfile': INSECURE_DOCKERFILE, 'compose.yaml': 'services: [unclosed\n' });
  const { code, out } = await run(['lint', '--format', 'json', dir, join(dir, 'missing', 'Dockerfile')]);
  const report = JSON.parse(out);
  assert.equal(code, 2);
  assert.ok(report.findings.some((f: { ruleId: string }) => f.ruleId === 'maintainer-deprecated'), 'the readable file was linted');
  const messages = report.errors.map((e: { file: string; message: string }) => `${e.file}: ${e.message}`).join('\n');
  assert.match(messages, /compose\.yaml: YAML/);
  assert.match(messages, /missing.*no such file/);
});

test('permission denied is reported, not thrown', { skip: process.getuid?.() === 0 ? 'root reads everything' : undefined }, async () => {
  const dir = workspace({ 'Dockerfile': INSECURE_DOCKERFILE });
  chmodSync(join(dir, 'Dockerfile'), 0);
  const { code, out } = await run(['lint', '--format', 'json', dir]);
  assert.equal(code, 2);
  assert.match(out, /permission denied/);
});

test('SARIF output validates against the SARIF 2.1.0 schema', async () => {
  const dir = workspace({ 'Dockerfile': INSECURE_DOCKERFILE, 'compose.yaml': INSECURE_COMPOSE, 'bad/compose.yaml': 'a: [\n' });
  const { out } = await run(['lint', '--format', 'sarif', dir]);
  const sarif = JSON.parse(out) as { runs: { results: { ruleId: string; ruleIndex: number }[]; tool: { driver: { rules: { id: string }[] } }; invocations: { executionSuccessful: boolean }[] }[] };
  const schema = JSON.parse(readFileSync(repoPath('node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
  const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  const results = sarif.runs[0].results;
  assert.ok(results.length >= 2);
  for (const r of results) assert.equal(sarif.runs[0].tool.driver.rules[r.ruleIndex].id, r.ruleId);
  assert.equal(sarif.runs[0].invocations[0].executionSuccessful, false, 'the broken file is a tool notification');
});

test('fix --dry-run prints a unified diff and writes nothing; fix writes; twice equals once', async () => {
  const dir = workspace({ 'Dockerfile': INSECURE_DOCKERFILE });
  const file = join(dir, 'Dockerfile');
  const dry = await run(['fix', '--dry-run', dir]);
  assert.equal(dry.code, 0);
  assert.match(dry.out, /^-MAINTAINER Jane$/m);
  assert.match(dry.out, /^\+LABEL org\.opencontainers\.image\.authors="Jane"$/m);
  assert.equal(readFileSync(file, 'utf8'), INSECURE_DOCKERFILE);
  assert.equal((await run(['fix', dir])).code, 0);
  const once = readFileSync(file, 'utf8');
  assert.notEqual(once, INSECURE_DOCKERFILE);
  await run(['fix', dir]);
  assert.equal(readFileSync(file, 'utf8'), once);
});

test('fix leaves unsafe fixes alone unless --unsafe', async () => {
  const dir = workspace({ 'compose.yaml': INSECURE_COMPOSE });
  await run(['fix', dir]);
  assert.match(readFileSync(join(dir, 'compose.yaml'), 'utf8'), /privileged: true/);
  await run(['fix', '--unsafe', dir]);
  assert.doesNotMatch(readFileSync(join(dir, 'compose.yaml'), 'utf8'), /privileged/);
});
