import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeControl, escapeControlOneLine, escapeHtml, escapeMarkdown, safeText, truncate } from '../../src/engine/output/escape';

test('escapeControl makes ESC, CR, BEL, DEL and C1 CSI visible and keeps newlines and tabs', () => {
  const hostile = 'web\u001b]0;pwned\u0007\r[PASS] 5.5\u009b2J\u007f\n\tnext';
  const out = escapeControl(hostile);
  assert.doesNotMatch(out, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  assert.equal(out, 'web\\e]0;pwned\\x07\\r[PASS] 5.5\\x9b2J\\x7f\n\tnext');
});

test('escapeControlOneLine keeps a value on one line', () => {
  assert.equal(escapeControlOneLine('a\nb\tc\u2028d'), 'a\\nb\\tc\\u2028d');
});

test('truncate says how much it cut; short text is untouched', () => {
  assert.equal(truncate('abc', 5), 'abc');
  assert.equal(truncate('abcdefgh', 3), 'abc… [5 more characters]');
  assert.ok(safeText('x'.repeat(100_000)).length < 2100);
});

test('escapeMarkdown leaves no link, image, tag or table break', () => {
  const out = escapeMarkdown('![x](http://evil/p.png) [y](javascript:alert(1)) <img src=x> a|b\rc');
  assert.doesNotMatch(out, /(^|[^\\])[[\]()<>|]/);
  assert.doesNotMatch(out, /[\r\n]/);
});

test('escapeHtml escapes markup and quotes', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});
