import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { lintText } from '../../src/engine/lint';
import { fixAll } from '../../src/engine/fix';
import { repoPath } from '../support/paths';

/** A deterministic LCG, so a failure reproduces with the same seed. */
function lcg(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

// Half-typed Dockerfiles are what an editor lints on every keystroke: unclosed quotes, heredocs
// without their delimiter, dangling continuations, stray brackets.
const PIECES = ['\\\n', '`\n', '<<EOF\n', 'EOF\n', '"', "'", '[', ']', '|', '&&', '$(', ')', '${', '}', '\n', '#', 'RUN ', 'FROM ', 'USER ', '--mount=x ', '-k', '\t', '\r\n', 'sudo ', 'apt-get install '];

test('mutated Dockerfiles: no rule fails, ranges stay inside the text, fix-all converges', () => {
  const bases = readdirSync(repoPath('examples', 'dockerfile')).map((d) => readFileSync(repoPath('examples', 'dockerfile', d, 'Dockerfile'), 'utf8'));
  bases.push('# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN <<EOF\necho `\nEOF\nSHELL ["powershell"]\nCMD a | b\n');
  const random = lcg(42);
  for (let n = 0; n < 800; n++) {
    let text = bases[Math.floor(random() * bases.length)];
    for (let e = 1 + Math.floor(random() * 6); e > 0; e--) {
      const at = Math.floor(random() * (text.length + 1));
      text = random() < 0.4 ? text.slice(0, at) + text.slice(at + Math.floor(random() * 20)) : text.slice(0, at) + PIECES[Math.floor(random() * PIECES.length)] + text.slice(at);
    }
    const where = `mutation ${n}: ${JSON.stringify(text)}`;
    const result = lintText(text, { kind: 'dockerfile' });
    assert.deepEqual(result.errors.filter((x) => /failed/.test(x.message)), [], where);
    for (const f of result.findings) assert.ok(f.range && 0 <= f.range.start && f.range.start <= f.range.end && f.range.end <= text.length, `${where}: ${f.ruleId} range`);
    const once = fixAll(text, { kind: 'dockerfile', unsafe: true }).text;
    assert.equal(fixAll(once, { kind: 'dockerfile', unsafe: true }).text, once, `${where}: fix-all twice differs from once`);
  }
});
