// The precision labels of bench/corpus stay usable: every label and baseline key names a rule that
// exists and a file the corpus manifest lists, every verdict is one of three with a one-line reason.
// Precision itself is measured by bench/rules.mjs, not asserted here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { allRules } from '../../src/engine/registry';
import { kindOfFileName } from '../../src/engine/files';
import { repoPath } from '../support/paths';

interface Sources {
  repositories: { repo: string; commit: string; license: string; files: string[] }[];
}
interface Labels {
  labels: Record<string, { verdict: string; reason: string }>;
  baseline: Record<string, string[]>;
}

const sources = JSON.parse(readFileSync(repoPath('bench', 'corpus', 'sources.json'), 'utf8')) as Sources;
const { labels, baseline } = JSON.parse(readFileSync(repoPath('bench', 'corpus', 'labels.json'), 'utf8')) as Labels;
const ruleIds = new Set(allRules().map((r) => r.meta.id));
/** Licenses that let anyone copy the files with attribution at most. */
const PERMISSIVE = new Set(['MIT', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0', 'ISC', 'CC0-1.0', 'UPL-1.0']);
/** <owner>__<repo>/<path> of every corpus file, as the keys name them. */
const corpusFiles = new Set(sources.repositories.flatMap(({ repo, files }) => files.map((f) => `${repo.replace('/', '__')}/${f}`)));

/** Splits <owner>__<repo>/<path>:<line>:<rule id>; a path may hold colons, the last two fields may not. */
function parseKey(key: string): { file: string; line: number; ruleId: string } | undefined {
  const m = /^(.+):([1-9][0-9]*):([a-z0-9-]+)$/.exec(key);
  return m ? { file: m[1], line: Number(m[2]), ruleId: m[3] } : undefined;
}

function assertNamesCorpusFinding(key: string) {
  const parsed = parseKey(key);
  assert.ok(parsed, `${key}: not <owner>__<repo>/<path>:<line>:<rule id>`);
  assert.ok(ruleIds.has(parsed.ruleId), `${key}: no rule ${parsed.ruleId}`);
  assert.ok(corpusFiles.has(parsed.file), `${key}: ${parsed.file} is not in bench/corpus/sources.json`);
}

test('corpus manifest: each repository at one commit under a permissive license, each file one the linter reads', () => {
  assert.ok(sources.repositories.length > 0);
  const repos = new Set<string>();
  for (const { repo, commit, license, files } of sources.repositories) {
    assert.match(repo, /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
    assert.ok(!repos.has(repo), `${repo} listed twice`);
    repos.add(repo);
    assert.match(commit, /^[0-9a-f]{40}$/, `${repo}: a full commit id`);
    assert.ok(PERMISSIVE.has(license), `${repo}: license ${license} is not a permissive one`);
    assert.ok(files.length > 0, `${repo}: no files`);
    assert.equal(new Set(files).size, files.length, `${repo}: a file listed twice`);
    for (const file of files) {
      assert.equal(posix.normalize(file), file, `${repo}: ${file} is not a plain relative path`);
      assert.ok(!file.startsWith('../') && !file.startsWith('/'), `${repo}: ${file} leaves the repository`);
      assert.ok(kindOfFileName(posix.basename(file)), `${repo}: ${file} is not a name the linter reads, so the bench would skip it`);
    }
  }
});

test('corpus labels: every key names an existing rule and a corpus file; verdicts are tp, fp or debatable with a one-line reason', () => {
  const keys = Object.keys(labels);
  assert.ok(keys.length > 0);
  for (const key of keys) {
    assertNamesCorpusFinding(key);
    const { verdict, reason } = labels[key];
    assert.ok(['tp', 'fp', 'debatable'].includes(verdict), `${key}: verdict ${verdict}`);
    assert.equal(typeof reason, 'string');
    assert.ok(reason.trim().length > 0 && !/[\r\n]/.test(reason) && reason.length <= 200, `${key}: the reason is one line of at most 200 characters`);
  }
});

test('corpus baseline: every key names an existing rule and a corpus file, listed under its own rule, and every label judges a baseline finding', () => {
  const all = new Set<string>();
  for (const [ruleId, keys] of Object.entries(baseline)) {
    assert.ok(ruleIds.has(ruleId), `baseline lists rule ${ruleId}, which does not exist`);
    for (const key of keys) {
      assertNamesCorpusFinding(key);
      assert.equal(parseKey(key)?.ruleId, ruleId, `${key} listed under ${ruleId}`);
      all.add(key);
    }
  }
  for (const key of Object.keys(labels)) assert.ok(all.has(key), `${key} is labelled but was not a finding when the labels were written`);
});
