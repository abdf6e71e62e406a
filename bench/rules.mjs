// Precision per rule on a corpus of real files, so precision drift is visible from one run to the
// next: for each rule, how many findings it emits on the real-world corpus of bench/corpus/sources.json,
// in how many files, at which severities; its precision on the hand-judged sample of
// bench/corpus/labels.json (tp / (tp + fp), debatable counted apart); and which findings are new or gone
// against the labels' baseline. The examples/ and test/fixtures/ of this repository are counted too.
// Run: node bench/corpus/materialise.mjs GIT_ROOT   (once: copies the corpus out of local git copies)
//      node bench/rules.mjs [--json]
//      BULKHEAD_CORPUS=DIR node bench/rules.mjs      (the corpus laid out as <owner>__<repo>/<path>)
// Lints as `bulkhead lint` does (a compose file with its overrides as one project) but never asks a
// Docker engine about base images; reads only local files, needs no network and no Docker engine.
import { loadEngine } from './engine.mjs';
import { DEFAULT_CORPUS_DIR } from './corpus/materialise.mjs';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const engine = await loadEngine(
  'rules',
  [
    "export { lintText, lintComposeProject } from './src/engine/lint';",
    "export { kindOfFileName, SKIPPED_DIRECTORIES, MAX_FILE_BYTES, looksBinary } from './src/engine/files';",
    "export { allRules } from './src/engine/registry';",
    "export { placeFindings } from './src/engine/output/report';",
    "export { escapeControlOneLine } from './src/engine/output/escape';",
    "export { readProjectFile } from './src/workspace/projectFiles';",
    "export { composeProjectFiles, readComposeProject } from './src/workspace/composeProject';",
  ].join(' '),
);
const { lintText, lintComposeProject, kindOfFileName, SKIPPED_DIRECTORIES, MAX_FILE_BYTES, looksBinary, allRules, placeFindings, readProjectFile, composeProjectFiles, readComposeProject, escapeControlOneLine } = engine;

const json = process.argv.includes('--json');
const corpusRoot = resolve(process.env.BULKHEAD_CORPUS ?? DEFAULT_CORPUS_DIR);
const corpusPresent = existsSync(corpusRoot);
const fixtureRoots = ['examples', join('test', 'fixtures')];
const { labels, baseline } = JSON.parse(readFileSync(new URL('./corpus/labels.json', import.meta.url), 'utf8'));
/** Bounds the walk of an unknown folder. */
const MAX_FILES = 20_000;
/** How many new or gone findings the text output lists (the JSON output has all). */
const LISTED = 40;

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

/** Every finding under `root`, placed at its line, linted as the CLI does (without an engine). */
function lintTree(root, totals) {
  const placed = [];
  const inProject = new Set();
  let seen = 0;
  for (const path of walk(root)) {
    if (++seen > MAX_FILES) break;
    const kind = kindOfFileName(path);
    if (inProject.has(resolve(path))) continue;
    const project = kind === 'compose' ? composeProjectFiles(path) : [];
    if (project.length > 1) {
      for (const p of project) inProject.add(p);
      const read = readComposeProject(project);
      const results = lintComposeProject(read.texts, { readProjectFile });
      for (const t of read.texts) {
        const r = results.get(t.file);
        totals.compose++;
        totals.errors += r.errors.length;
        placed.push(...placeFindings(t.file, t.text, r.findings, r.errors).findings);
      }
      continue;
    }
    if (statSync(path).size > MAX_FILE_BYTES) {
      totals.skipped++;
      continue;
    }
    const text = readFileSync(path, 'utf8');
    if (looksBinary(text)) {
      totals.skipped++;
      continue;
    }
    const result = lintText(text, { kind, file: path, readProjectFile });
    totals[kind]++;
    totals.errors += result.errors.length;
    placed.push(...placeFindings(path, text, result.findings, result.errors).findings);
  }
  return placed;
}

const newTotals = () => ({ dockerfile: 0, compose: 0, skipped: 0, errors: 0 });
const corpusTotals = newTotals();
const fixtureTotals = newTotals();
const corpusFindings = corpusPresent ? lintTree(corpusRoot, corpusTotals) : [];
const fixtureFindings = fixtureRoots.flatMap((root) => lintTree(root, fixtureTotals));

/** A finding's stable key, as labels.json names it: <owner>__<repo>/<path>:<line>:<rule id>. */
const keyOf = (f) => `${relative(corpusRoot, resolve(f.file)).split(sep).join('/')}:${f.line}:${f.ruleId}`;

const emptyRow = () => ({ findings: 0, files: 0, severities: {}, fixtureFindings: 0, labelled: 0, tp: 0, fp: 0, debatable: 0, precision: null, new: [], gone: [] });
const perRule = new Map(allRules().map((r) => [r.meta.id, emptyRow()]));
const rowOf = (id) => perRule.get(id) ?? perRule.set(id, emptyRow()).get(id);
const keysNow = new Set();
const filesPerRule = new Map();
for (const f of corpusFindings) {
  const row = rowOf(f.ruleId);
  row.findings++;
  row.severities[f.severity] = (row.severities[f.severity] ?? 0) + 1;
  (filesPerRule.get(f.ruleId) ?? filesPerRule.set(f.ruleId, new Set()).get(f.ruleId)).add(f.file);
  keysNow.add(keyOf(f));
}
for (const [id, files] of filesPerRule) rowOf(id).files = files.size;
for (const f of fixtureFindings) rowOf(f.ruleId).fixtureFindings++;

// Labels and drift only mean something when the labelled corpus is there.
const labelledGone = [];
if (corpusPresent) {
  for (const [key, { verdict }] of Object.entries(labels)) {
    const row = rowOf(key.slice(key.lastIndexOf(':') + 1));
    if (!keysNow.has(key)) {
      labelledGone.push({ key, verdict });
      continue;
    }
    row.labelled++;
    row[verdict]++;
  }
  const baselineKeys = new Set(Object.values(baseline).flat());
  for (const key of [...keysNow].sort()) if (!baselineKeys.has(key)) rowOf(key.slice(key.lastIndexOf(':') + 1)).new.push(key);
  for (const key of baselineKeys) if (!keysNow.has(key)) rowOf(key.slice(key.lastIndexOf(':') + 1)).gone.push(key);
}
const ratio = (tp, fp) => (tp + fp ? tp / (tp + fp) : null);
for (const row of perRule.values()) row.precision = ratio(row.tp, row.fp);
const rows = [...perRule].sort((a, b) => b[1].findings - a[1].findings || b[1].fixtureFindings - a[1].fixtureFindings || a[0].localeCompare(b[0]));
const overall = { labelled: 0, tp: 0, fp: 0, debatable: 0 };
for (const [, row] of rows) for (const k of Object.keys(overall)) overall[k] += row[k];
overall.precision = ratio(overall.tp, overall.fp);
// The sample over-represents the rules judged in full; weighting each rule's verdict shares by its
// findings estimates the whole corpus (rules with no labelled finding left out).
const estimated = { findings: 0, tp: 0, fp: 0, debatable: 0 };
for (const [, row] of rows) {
  if (!row.labelled) continue;
  estimated.findings += row.findings;
  for (const k of ['tp', 'fp', 'debatable']) estimated[k] += (row.findings * row[k]) / row.labelled;
}
for (const k of ['tp', 'fp', 'debatable']) estimated[k] = Math.round(estimated[k]);
estimated.precision = ratio(estimated.tp, estimated.fp);
overall.estimated = estimated;

if (json) {
  console.log(
    JSON.stringify({ corpus: { root: corpusRoot, present: corpusPresent, totals: corpusTotals }, fixtures: { roots: fixtureRoots, totals: fixtureTotals }, overall, labelledGone, rules: Object.fromEntries(rows) }, null, 2),
  );
} else {
  const describe = (t) => `${t.dockerfile} Dockerfiles, ${t.compose} compose files, ${t.skipped} skipped, ${t.errors} parse errors`;
  // Paths come from a folder of other people's files: no control characters reach the terminal.
  const shown = escapeControlOneLine;
  if (corpusPresent) console.log(`corpus: ${shown(corpusRoot)} — ${describe(corpusTotals)}`);
  else console.log(`corpus: ${shown(corpusRoot)} is missing — run node bench/corpus/materialise.mjs GIT_ROOT first (docs/precision.md); precision is not measured`);
  console.log(`fixtures: ${fixtureRoots.join(', ')} — ${describe(fixtureTotals)}`);
  const percent = (p) => (p === null ? '-' : `${(p * 100).toFixed(0)}%`);
  const width = Math.max(...rows.map(([id]) => id.length));
  console.log(`${'rule'.padEnd(width)}  findings  files  labelled  tp  fp  debatable  precision  new  gone  fixtures  severities`);
  for (const [id, row] of rows) {
    const severities = Object.entries(row.severities).map(([s, n]) => `${s} ${n}`).join(', ') || '-';
    const cells = [row.findings, 8, row.files, 5, row.labelled, 8, row.tp, 2, row.fp, 2, row.debatable, 9, percent(row.precision), 9, row.new.length, 3, row.gone.length, 4, row.fixtureFindings, 8];
    let line = id.padEnd(width);
    for (let i = 0; i < cells.length; i += 2) line += '  ' + String(cells[i]).padStart(cells[i + 1]);
    console.log(`${line}  ${severities}`);
  }
  console.log(`all labelled: ${overall.labelled} findings, ${overall.tp} tp, ${overall.fp} fp, ${overall.debatable} debatable — precision ${percent(overall.precision)}`);
  console.log(`weighted by each rule's findings: about ${estimated.tp} tp, ${estimated.fp} fp, ${estimated.debatable} debatable of ${estimated.findings} — precision ${percent(estimated.precision)}`);
  const listed = (title, keys) => {
    if (!keys.length) return;
    console.log(`${title} (${keys.length}):`);
    for (const k of keys.slice(0, LISTED)) console.log(`  ${shown(k)}`);
    if (keys.length > LISTED) console.log(`  … ${keys.length - LISTED} more (--json lists all)`);
  };
  listed('labelled findings the engine no longer gives', labelledGone.map((g) => `${g.key} (was ${g.verdict})`));
  listed('new findings against the baseline', rows.flatMap(([, row]) => row.new));
  listed('baseline findings gone', rows.flatMap(([, row]) => row.gone));
}
