import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { lintText } from '../../src/engine/lint';
import { applyEdits } from '../../src/engine/text';
import { fixturePath, repoPath } from '../support/paths';

// Seeded mutations (deleted runs, inserted YAML indicators, tabs, aliases, interpolation) of real
// compose files: no rule may fail on what the parser accepts, and every offered fix must leave
// valid YAML. Deterministic: the same seed gives the same texts on every run.

const SOURCES = [
  fixturePath('compose', 'compose-startable.yaml'),
  fixturePath('compose', 'compose-long-syntax.yaml'),
  repoPath('examples', 'compose', 'webapp', 'compose.yaml'),
  repoPath('examples', 'compose', 'monitoring', 'compose.yaml'),
].map((f) => readFileSync(f, 'utf8'));
const INSERTS = [' ', '\n', ':', '-', '&a ', '*a', '*missing', '<<: *a\n', '"', "'", '{', '[', ']', '}', ',', '#', '\t', '${X}', 'true', 'host', '/etc', '  ', '\n    - x\n', 'null', '~'];

test('mutated compose files: rules never fail, every fix keeps the YAML valid', () => {
  let seed = 0x5eed;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  let parsed = 0;
  let fixesChecked = 0;
  for (let i = 0; i < 600; i++) {
    let text = SOURCES[i % SOURCES.length];
    for (let k = 1 + Math.floor(random() * 3); k > 0; k--) {
      const at = Math.floor(random() * text.length);
      text = random() < 0.5 ? text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 5)) : text.slice(0, at) + INSERTS[Math.floor(random() * INSERTS.length)] + text.slice(at);
    }
    const r = lintText(text, { kind: 'compose' });
    assert.deepEqual(r.errors.filter((e) => /^rule .* failed/.test(e.message)), [], `mutation ${i}`);
    if (!r.errors.length) parsed++;
    for (const f of r.findings) {
      for (const fix of f.fixes.filter((x) => x.edits.length)) {
        fixesChecked++;
        const after = applyEdits(text, fix.edits).text;
        const errors = parseDocument(after, { uniqueKeys: false }).errors;
        assert.deepEqual(errors.map((e) => e.message.split('\n')[0]), [], `mutation ${i}: ${f.ruleId} "${fix.title}"`);
      }
    }
  }
  // The mutations must exercise both paths: parse errors and fixable findings.
  assert.ok(parsed > 120 && parsed < 560, `parsed ${parsed}`);
  assert.ok(fixesChecked > 2000, `fixes checked ${fixesChecked}`);
});
