// `.env` interpolation: values are judged as docker compose substitutes them, findings say which
// variable decided them, and no fix bakes a constant over a `${…}`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolate } from '../../src/engine/compose/interpolate';
import { lintComposeProject, lintText, type ProjectFileReader } from '../../src/engine/lint';
import { applyEdits } from '../../src/engine/text';

const vars = (values: Record<string, string>) => (name: string) => values[name];

test('interpolate follows the compose spec forms', () => {
  const env = vars({ SET: 'on', EMPTY: '', TAG: '1.25' });
  const cases: [string, string | undefined][] = [
    ['plain', 'plain'],
    ['$$HOME', '$HOME'],
    ['$SET', 'on'],
    ['${SET}', 'on'],
    ['nginx:${TAG}', 'nginx:1.25'],
    ['${UNSET}', undefined],
    ['$UNSET', undefined],
    ['${UNSET:-d}', 'd'],
    ['${UNSET-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${SET:-d}', 'on'],
    ['${UNSET:?must be set}', undefined],
    ['${EMPTY:?must be set}', undefined],
    ['${EMPTY?must be set}', ''],
    ['${SET:?must be set}', 'on'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${UNSET:-${TAG}}', '1.25'],
    ['${UNSET:-${ALSO_UNSET:-x}}-y', 'x-y'],
    // The unused word is not evaluated: an unset variable in it does not matter.
    ['${SET:-${ALSO_UNSET}}', 'on'],
    ['${SET', undefined],
    ['${1BAD}', undefined],
    ['${SET:x}', undefined],
    ['cost $5', undefined],
    ['$', undefined],
  ];
  for (const [text, expected] of cases) assert.equal(interpolate(text, env)?.value, expected, text);
  assert.deepEqual(interpolate('${SET}:${UNSET:-8080}', env)?.used, [
    { name: 'SET', set: true },
    { name: 'UNSET', set: false },
  ]);
});

/** A reader over an in-memory project folder: only `/p/…` exists. */
const folder =
  (files: Record<string, string>): ProjectFileReader =>
  (_composeFile, written) => {
    const text = files[written.replace(/^\.\//, '')];
    return text === undefined ? { kind: 'missing' } : { kind: 'text', text };
  };
const PINNED = `local/busybox:test@sha256:${'a'.repeat(64)}`;
const hits = <F extends { ruleId: string }>(findings: F[], rule: string): F[] => findings.filter((f) => f.ruleId === rule);

test('a value set in .env is judged, reported on the compose line with the variable and its .env line, never its value', () => {
  const text = `services:\n  app:\n    image: ${PINNED}\n    privileged: \${PRIVILEGED:-false}\n`;
  const on = lintText(text, { kind: 'compose', file: '/p/compose.yaml', readProjectFile: folder({ '.env': '# local\nOTHER=1\nPRIVILEGED=true\n' }) }).findings;
  const [privileged] = hits(on, 'privileged');
  assert.ok(privileged, 'privileged found through .env');
  assert.match(privileged.message, /\$\{PRIVILEGED\} from \.env line 3/);
  assert.equal(text.slice(privileged.range!.start, privileged.range!.end), 'privileged: ${PRIVILEGED:-false}');
  // The fix would remove the key (deletes the whole value): kept; it never writes the .env value.
  for (const fix of privileged.fixes) for (const e of fix.edits) assert.ok(!e.newText.includes('true'), e.newText);

  const off = lintText(text, { kind: 'compose', file: '/p/compose.yaml', readProjectFile: folder({ '.env': 'PRIVILEGED=false\n' }) }).findings;
  assert.equal(hits(off, 'privileged').length, 0);
  // No .env: the default decides.
  assert.equal(hits(lintText(text, { kind: 'compose', file: '/p/compose.yaml', readProjectFile: folder({}) }).findings, 'privileged').length, 0);
  const byDefault = lintText(text.replace(':-false', ':-true'), { kind: 'compose', file: '/p/compose.yaml' }).findings;
  assert.match(hits(byDefault, 'privileged')[0]?.message ?? '', /default of \$\{PRIVILEGED\}/);
});

test('a variable nobody sets stays unjudged; a single-quoted .env value is literal; later .env lines win', () => {
  const text = `services:\n  app:\n    image: ${PINNED}\n    user: \${APP_USER}\n    read_only: true\n`;
  const lint = (env?: string) => hits(lintText(text, { kind: 'compose', file: '/p/compose.yaml', readProjectFile: folder(env === undefined ? {} : { '.env': env }) }).findings, 'user-root');
  assert.equal(lint().length, 0, 'unset without default: not judged');
  assert.equal(lint('APP_USER=root\n').length, 1);
  assert.equal(lint('APP_USER=root\nAPP_USER=10001\n').length, 0, 'later line wins');
  assert.equal(lint('ROOT=root\nAPP_USER=${ROOT}\n').length, 1, 'expanded from the line above');
  assert.equal(lint("APP_USER='${ROOT}'\n").length, 0, 'single quotes are literal: user "${ROOT}" is not root');
});

test('a fix that would replace a ${…} with a constant is withheld; the finding stays', () => {
  const text = `services:\n  web:\n    image: ${PINNED}\n    ports:\n      - "\${WEB_PORT:-8080}:80"\n`;
  const [port] = hits(lintText(text, { kind: 'compose', file: '/p/compose.yaml' }).findings, 'port-all-interfaces');
  assert.ok(port, 'the default publishes on every interface');
  assert.match(port.message, /default of \$\{WEB_PORT\}/);
  assert.equal(port.fixes.length, 0);
  // Without interpolation the same port gets its fix.
  const [literal] = hits(lintText(text.replace('${WEB_PORT:-8080}', '8080'), { kind: 'compose' }).findings, 'port-all-interfaces');
  assert.ok(literal.fixes.length > 0);
  const fixed = applyEdits(text.replace('${WEB_PORT:-8080}', '8080'), literal.fixes[0].edits).text;
  assert.match(fixed, /127\.0\.0\.1:8080:80/);
});

test('a secret read from .env is where it belongs: environment entries that name a variable are not hard-coded secrets', () => {
  const text = `services:\n  db:\n    image: ${PINNED}\n    environment:\n      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD}\n      API_TOKEN: \${API_TOKEN:-Zq8vN3xR1tY}\n`;
  const found = hits(lintText(text, { kind: 'compose', file: '/p/compose.yaml', readProjectFile: folder({ '.env': 'POSTGRES_PASSWORD=Zq8vN3xR1tYw\nAPI_TOKEN=Pm4kT7wQ2sX\n' }) }).findings, 'secret-in-env');
  // Only the default written in the compose file is a secret in the repository.
  assert.equal(found.length, 1);
  assert.equal(text.slice(found[0].range!.start, found[0].range!.end).includes('API_TOKEN'), true);
  for (const f of found) assert.ok(!f.message.includes('Zq8vN3xR1tY') && !f.message.includes('Pm4kT7wQ2sX'));
});

test('project: base + override + .env; the .env of the first file\'s folder decides, and the override can still clear the finding', () => {
  const base = `services:\n  app:\n    image: \${REGISTRY:-docker.io}/library/nginx:\${TAG:-latest}\n    read_only: true\n`;
  const env = folder({ '.env': 'TAG=latest\n' });
  const alone = lintComposeProject([{ file: '/p/compose.yaml', text: base }, { file: '/p/compose.override.yaml', text: 'services:\n  app:\n    cap_drop: [ALL]\n' }], { readProjectFile: env });
  const unpinned = hits(alone.get('/p/compose.yaml')!.findings, 'image-unpinned');
  assert.equal(unpinned.length, 1);
  assert.match(unpinned[0].message, /\$\{TAG\} from \.env line 1/);
  assert.match(unpinned[0].message, /default of \$\{REGISTRY\}/);
  const pinned = lintComposeProject([{ file: '/p/compose.yaml', text: base }, { file: '/p/compose.override.yaml', text: `services:\n  app:\n    image: ${PINNED}\n` }], { readProjectFile: env });
  assert.equal(hits(pinned.get('/p/compose.yaml')!.findings, 'image-unpinned').length + hits(pinned.get('/p/compose.override.yaml')!.findings, 'image-unpinned').length, 0);
});

test('a huge or binary .env is not read (defaults still decide)', () => {
  const text = `services:\n  app:\n    image: ${PINNED}\n    privileged: \${PRIVILEGED:-false}\n`;
  for (const envText of ['PRIVILEGED=true\n' + 'X=1\n'.repeat(100_000), 'PRIVILEGED=true\n\0\0']) {
    assert.equal(hits(lintText(text, { kind: 'compose', file: '/p/compose.yaml', readProjectFile: folder({ '.env': envText }) }).findings, 'privileged').length, 0);
  }
});

test('a value from a secret-named .env variable never appears in a message, even where the rule quotes what it judged', () => {
  const text = 'services:\n  app:\n    image: registry.example.com/${REGISTRY_TOKEN}/app:latest\n';
  const [image] = hits(lintText(text, { kind: 'compose', file: '/p/compose.yaml', readProjectFile: folder({ '.env': 'REGISTRY_TOKEN=tok3nZq8vN3x\n' }) }).findings, 'image-unpinned');
  assert.ok(image, 'latest through the variable is judged');
  assert.doesNotMatch(image.message, /tok3nZq8vN3x/);
  assert.match(image.message, /\$\{REGISTRY_TOKEN\} from \.env line 1/);
  // A plain variable's value may be quoted: the judgement is about it.
  const [plain] = hits(lintText(text.replace(/REGISTRY_TOKEN/g, 'NAMESPACE'), { kind: 'compose', file: '/p/compose.yaml', readProjectFile: folder({ '.env': 'NAMESPACE=team\n' }) }).findings, 'image-unpinned');
  assert.match(plain.message, /registry\.example\.com\/team\/app:latest/);
});
