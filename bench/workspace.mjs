// Workspace audit through the CLI: `bulkhead lint --format json` on a generated repository of
// 2,000 Dockerfiles and compose files, in files per second, beside what merely reading and
// parsing the same files costs (dockerfile-ast + yaml) in the same run, as a floor.
// Run after `npm run build`: node bench/workspace.mjs [rounds]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateLargeWorkspace, GENERATED_COMPOSE_FILES, GENERATED_DOCKERFILES } from '../test/fixtures/generate-workspace.mjs';

const rounds = Number(process.argv[2] ?? 3);
const require = createRequire(import.meta.url);
const { DockerfileParser } = require('dockerfile-ast');
const { parseDocument } = require('yaml');

const root = mkdtempSync(join(tmpdir(), 'bulkhead-bench-ws-'));
generateLargeWorkspace(root);
const files = GENERATED_DOCKERFILES + GENERATED_COMPOSE_FILES;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cli = [];
let linted = 0;
for (let r = 0; r < rounds; r++) {
  const t = performance.now();
  let out;
  try {
    out = execFileSync(process.execPath, ['dist/cli.js', 'lint', '--format', 'json', root], { encoding: 'utf8', maxBuffer: 1 << 28 });
  } catch (e) {
    out = e.stdout; // exit 1: findings, as expected
  }
  cli.push(performance.now() - t);
  linted = new Set(JSON.parse(out).findings.map((f) => f.file)).size;
}

// The floor: read and parse the same files in-process (no rules, no output).
const paths = [];
for (let i = 0; i < GENERATED_DOCKERFILES; i++) paths.push(join(root, `gen/svc${Math.floor(i / 50)}/app${i}/Dockerfile`));
for (let i = 0; i < GENERATED_COMPOSE_FILES; i++) paths.push(join(root, `gen/stack${i}/compose.yaml`));
const parse = [];
for (let r = 0; r < rounds; r++) {
  const t = performance.now();
  for (const p of paths) {
    const text = readFileSync(p, 'utf8');
    if (p.endsWith('Dockerfile')) DockerfileParser.parse(text);
    else parseDocument(text);
  }
  parse.push(performance.now() - t);
}
rmSync(root, { recursive: true, force: true });

const cliMs = median(cli);
const parseMs = median(parse);
console.log(`workspace: ${linted} files with findings of ${files} linted (generated ${GENERATED_DOCKERFILES} Dockerfiles + ${GENERATED_COMPOSE_FILES} compose files)`);
console.log(`  bulkhead lint (CLI, whole process)   ${cliMs.toFixed(0)} ms   ${((paths.length / cliMs) * 1000).toFixed(0)} files/s`);
console.log(`  read + bare parse only (in-process)  ${parseMs.toFixed(0)} ms   ${((paths.length / parseMs) * 1000).toFixed(0)} files/s`);
console.log(`  ratio CLI / bare parse: ${(cliMs / parseMs).toFixed(2)}x (the CLI also starts Node, walks, applies rules and prints JSON)`);
