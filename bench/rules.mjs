// Findings per rule on a corpus of real files, so precision drift is visible from one run to the
// next: how many findings each rule emits, in how many files, and at which severities.
// Run: node bench/rules.mjs            (examples/ and test/fixtures/ of this repository)
//      BULKHEAD_CORPUS=DIR node bench/rules.mjs [--json]   (a folder of real Dockerfiles and compose files)
// Reads only local files; needs no network and no Docker engine.
import { loadEngine } from './engine.mjs';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const { lintText, kindOfFileName, SKIPPED_DIRECTORIES, MAX_FILE_BYTES, looksBinary, allRules } = await loadEngine(
  'rules',
  "export { lintText } from './src/engine/lint'; export { kindOfFileName, SKIPPED_DIRECTORIES, MAX_FILE_BYTES, looksBinary } from './src/engine/files'; export { allRules } from './src/engine/registry';",
);

const roots = process.env.BULKHEAD_CORPUS ? [process.env.BULKHEAD_CORPUS] : ['examples', join('test', 'fixtures')];
const json = process.argv.includes('--json');
/** Bounds the walk of an unknown folder. */
const MAX_FILES = 20_000;

function* walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(e.name)) yield* walk(path);
    } else if (e.isFile() && kindOfFileName(e.name)) {
      yield path;
    }
  }
}

const perRule = new Map(allRules().map((r) => [r.meta.id, { findings: 0, files: 0, severities: {} }]));
const totals = { dockerfile: 0, compose: 0, skipped: 0, errors: 0 };
let seen = 0;
for (const root of roots) {
  for (const path of walk(root)) {
    if (++seen > MAX_FILES) break;
    if (statSync(path).size > MAX_FILE_BYTES) {
      totals.skipped++;
      continue;
    }
    const text = readFileSync(path, 'utf8');
    if (looksBinary(text)) {
      totals.skipped++;
      continue;
    }
    const kind = kindOfFileName(path);
    const result = lintText(text, { kind, file: path });
    totals[kind]++;
    totals.errors += result.errors.length;
    const rulesHere = new Set();
    for (const f of result.findings) {
      const row = perRule.get(f.ruleId) ?? { findings: 0, files: 0, severities: {} };
      perRule.set(f.ruleId, row);
      row.findings++;
      row.severities[f.severity] = (row.severities[f.severity] ?? 0) + 1;
      if (!rulesHere.has(f.ruleId)) row.files++;
      rulesHere.add(f.ruleId);
    }
  }
}

const rows = [...perRule].sort((a, b) => b[1].findings - a[1].findings || a[0].localeCompare(b[0]));
if (json) {
  console.log(JSON.stringify({ roots, totals, rules: Object.fromEntries(rows) }, null, 2));
} else {
  console.log(`corpus: ${roots.join(', ')} — ${totals.dockerfile} Dockerfiles, ${totals.compose} compose files, ${totals.skipped} skipped, ${totals.errors} parse errors`);
  const width = Math.max(...rows.map(([id]) => id.length));
  console.log(`${'rule'.padEnd(width)}  findings  files  severities`);
  for (const [id, row] of rows) {
    const severities = Object.entries(row.severities).map(([s, n]) => `${s} ${n}`).join(', ') || '-';
    console.log(`${id.padEnd(width)}  ${String(row.findings).padStart(8)}  ${String(row.files).padStart(5)}  ${severities}`);
  }
}
