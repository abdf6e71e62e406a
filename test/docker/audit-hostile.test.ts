// Real containers with hostile metadata (labels, commands and mount paths carrying ESC sequences,
// CR, Markdown and HTML, and a 100 KB command) through `audit containers` and `audit host` in
// text, Markdown and HTML: nothing reaches the terminal raw, nothing forms a link or an image,
// nothing forges a line, and long evidence is cut with a marker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main';
import { TEST_IMAGE, docker, dockerTestOptions, uniqueName } from '../support/docker';

const options = dockerTestOptions();
const RUN = uniqueName('hostile');
const HOSTILE = '\u001b]0;owned\u0007\u001b[2J\u001b[1A\r[PASS] 5.5 forged ![x](http://evil.example/i.png) [y](javascript:alert(1)) | <b>bold</b>';
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join(''), err: err.join('') };
}

/** The lines (or rows) of an output that talk about this test's containers. */
const ours = (text: string) => text.split('\n').filter((l) => l.includes(RUN));

describe('hostile container metadata in audit outputs', options, () => {
  before(() => {
    // sshd in the command makes 5.7 quote it; /etc bound read-write makes sensitive-mount quote the target.
    docker(['create', '--name', `${RUN}-a`, '--label', `evil=${HOSTILE}`, '--mount', `type=bind,source=/etc,target=/x${HOSTILE}`, TEST_IMAGE, 'sshd', HOSTILE]);
    docker(['create', '--name', `${RUN}-long`, '--label', 'bulkhead.test=1', TEST_IMAGE, 'sshd', 'x'.repeat(100_000)]);
  });
  after(() => {
    docker(['rm', '-f', `${RUN}-a`, `${RUN}-long`]);
  });

  test('audit containers (text): control characters visible, no forged line', async () => {
    const r = await cli(['audit', 'containers']);
    const mine = ours(r.out).join('\n');
    assert.ok(mine.length > 0, 'our containers are listed');
    const block = r.out.slice(r.out.indexOf(`${RUN}-a (`));
    const ownBlock = block.slice(0, block.search(/\n\S/) + 1 || undefined);
    assert.match(ownBlock, /\\e\]0;owned\\x07\\e\[2J\\e\[1A\\r\[PASS\] 5\.5 forged/, 'the mount target shows its escapes');
    assert.doesNotMatch(r.out, CONTROL, 'no raw control character in the whole output');
    assert.ok(!r.out.split('\n').some((l) => l.startsWith('[PASS] 5.5 forged')));
  });

  test('audit host (text): escaped and cut', async () => {
    const r = await cli(['audit', 'host', '--only', '5', '--fail-on', 'never']);
    assert.equal(r.code, 0, r.err);
    const mine = ours(r.out);
    assert.ok(mine.some((l) => l.includes('command runs sshd: sshd \\e]0;owned\\x07\\e[2J')), mine.join('\n'));
    assert.doesNotMatch(r.out, CONTROL);
    assert.ok(!r.out.split('\n').some((l) => l.startsWith('[PASS] 5.5 forged')));
    const long = mine.find((l) => l.includes(`${RUN}-long`) && l.includes('command runs sshd'));
    assert.ok(long, 'the 100 KB command is quoted');
    assert.match(long, /… \[\d+ more characters\]$/);
    assert.ok(long.length < 3000, `cut to ${long.length} characters`);
  });

  test('audit host (Markdown): no image, no javascript: link, no tag, rows intact', async () => {
    const r = await cli(['audit', 'host', '--only', '5', '--fail-on', 'never', '--format', 'markdown']);
    assert.ok(r.out.includes(RUN.replace(/-/g, '\\-')), 'our containers, Markdown-escaped');
    assert.doesNotMatch(r.out, /!\[x\]\(http/);
    assert.doesNotMatch(r.out, /\]\(javascript:/);
    assert.doesNotMatch(r.out, /(?<!\\)<b>/);
    assert.doesNotMatch(r.out, CONTROL);
    for (const row of r.out.split('\n').filter((l) => l.startsWith('| '))) assert.match(row, / \|$/, 'a CR or pipe cannot break a row');
  });

  test('audit host (HTML): escaped, long evidence cut and wrapped', async () => {
    const r = await cli(['audit', 'host', '--only', '5', '--fail-on', 'never', '--format', 'html']);
    assert.ok(r.out.includes(RUN));
    assert.doesNotMatch(r.out, /<b>bold/);
    assert.match(r.out, /&lt;b&gt;bold/);
    assert.doesNotMatch(r.out, /\u001b/);
    assert.match(r.out, /overflow-wrap:anywhere/);
    assert.ok(!r.out.includes('x'.repeat(5000)), 'the 100 KB command is not copied whole');
  });
});
