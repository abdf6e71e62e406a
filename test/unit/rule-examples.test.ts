// Every rule's documented examples, run as trivy-checks runs its own: each bad example fires the
// rule, each good one leaves it silent, and the preferred fix turns bad into text the rule accepts
// (idempotently). One test per rule and example, so one failure does not hide the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixAll } from '../../src/engine/fix';
import { allRules } from '../../src/engine/registry';
import { lintText, type LintOptions } from '../../src/engine/lint';
import type { FileKind } from '../../src/engine/model';

const KINDS: FileKind[] = ['dockerfile', 'compose'];

/**
 * The examples' project: one valid seccomp profile (./profile.json), a committed ./app.env holding
 * a password and an untracked ./local.env holding one; as a build context, a .git directory, a .env
 * holding a token and app files, with no .dockerignore; every other referenced file is missing.
 */
const PROFILE = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write', 'exit'], action: 'SCMP_ACT_ALLOW' }] });
const PROJECT_FILES: Record<string, string> = { './profile.json': PROFILE, './app.env': 'DB_PASSWORD=Zq8vN3xR1tY\n', './local.env': 'DB_PASSWORD=Zq8vN3xR1tY\n', '.env': 'API_TOKEN=Zq8vN3xR1tYw\n', 'app.py': 'print(1)\n' };
const listBuildContext: LintOptions['listBuildContext'] = () => ({ paths: ['.git/', '.git/HEAD', '.env', 'app.py'], truncated: false });
const FILE: Record<FileKind, string> = { dockerfile: '/examples/Dockerfile', compose: '/examples/compose.yaml' };
const readProjectFile: LintOptions['readProjectFile'] = (_file, written) => (written in PROJECT_FILES ? { kind: 'text', text: PROJECT_FILES[written] } : { kind: 'missing' });
const isCommitted: LintOptions['isCommitted'] = (_file, written) => written !== './local.env';

const hits = (text: string, kind: FileKind, ruleId: string) => lintText(text, { kind, file: FILE[kind], readProjectFile, isCommitted, listBuildContext }).findings.filter((f) => f.ruleId === ruleId);

for (const rule of allRules()) {
  const { id, targets, examples } = rule.meta;
  for (const kind of KINDS) {
    if (!targets.includes(kind)) continue;
    test(`${id} (${kind}) has bad and good examples`, () => {
      assert.ok(examples?.[kind]?.bad.length, `${id}: no bad ${kind} example`);
      assert.ok(examples?.[kind]?.good.length, `${id}: no good ${kind} example`);
    });
    examples?.[kind]?.bad.forEach((bad, n) => {
      test(`${id} (${kind}) bad example ${n + 1} fires, and its preferred fix silences it`, () => {
        const found = hits(bad, kind, id);
        assert.ok(found.length > 0, `${id} does not fire on:\n${bad}`);
        // What the docs say (severity, and severityWhen's cases) is what the rule emits.
        const documented = [rule.meta.severity, ...Object.keys(rule.meta.severityWhen ?? {})];
        for (const f of found) assert.ok(documented.includes(f.severity), `${id} emits ${f.severity}, documented as ${documented.join(' / ')}`);
        if (!found.some((f) => f.fixes.some((x) => x.edits.length > 0))) return;
        const once = fixAll(bad, { kind, file: FILE[kind], ruleId: id, unsafe: true, readProjectFile, listBuildContext }).text;
        assert.notEqual(once, bad, `${id}: fix-all changed nothing`);
        assert.deepEqual(hits(once, kind, id).map((f) => f.message), [], `${id} still fires after its fix:\n${once}`);
        assert.equal(fixAll(once, { kind, file: FILE[kind], ruleId: id, unsafe: true, readProjectFile, listBuildContext }).text, once, `${id}: fixing twice changes the text`);
      });
    });
    examples?.[kind]?.good.forEach((good, n) => {
      test(`${id} (${kind}) good example ${n + 1} is silent`, () => {
        assert.deepEqual(hits(good, kind, id).map((f) => f.message), [], `${id} fires on:\n${good}`);
      });
    });
  }
}
