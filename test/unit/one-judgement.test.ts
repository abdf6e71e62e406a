// One concern, one verdict: the same secret names, host mounts, capabilities and users go through
// the Dockerfile, compose, container and hardened-command paths, and every path agrees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkContainer, lintText } from '../../src/engine/lint';
import type { ContainerInspect } from '../../src/engine/runtime/container';
import { hardenedRunArgs, hardenedSpec } from '../../src/engine/runtime/hardened';
import { isSecretName, judgeSecret } from '../../src/engine/runtime/secrets';
import type { ContainerJudge } from '../../src/engine/audit/context';
import { fixturePath } from '../support/paths';

const base = JSON.parse(readFileSync(fixturePath('inspect', 'hardened.json'), 'utf8')) as ContainerInspect;
const container = (over: { env?: string[]; mounts?: ContainerInspect['Mounts']; capAdd?: string[]; capDrop?: string[]; user?: string }): ContainerInspect => ({
  ...base,
  Config: { ...base.Config, ...(over.env ? { Env: over.env } : {}), ...(over.user !== undefined ? { User: over.user } : {}) },
  HostConfig: { ...base.HostConfig, ...(over.capAdd ? { CapAdd: over.capAdd } : {}), ...(over.capDrop ? { CapDrop: over.capDrop } : {}) },
  Mounts: over.mounts ?? [],
});
const ruleHits = (findings: { ruleId: string }[], rule: string) => findings.filter((f) => f.ruleId === rule).length;
const compose = (service: string) => `services:\n  app:\n    image: local/busybox:test@sha256:${'a'.repeat(64)}\n${service}`;

// The names issue 14 lists as disagreeing between surfaces, plus the known false positives.
const SECRET_NAMES: [string, boolean][] = [
  ['JWT_SIGNING_KEY', true], ['CLIENT_KEY', true], ['SESSION_KEY', true], ['DB_PASSPHRASE', true], ['SecretKey', true],
  ['APP_AUTH', true], ['BASIC_AUTH', true], ['POSTGRES_PASSWORD', true], ['GITHUB_TOKEN', true], ['SECRET_KEY_BASE', true], ['DB_PWD', true],
  ['DJANGO_AUTH_BACKEND', false], ['SECRET_FORCED_LANGUAGE', false], ['BASIC_AUTH_USERNAME', false], ['TOKEN_TTL', false], ['GPG_KEY', false],
  ['PASSWORD_FILE', false], ['APP_PUBLIC_KEY', false], ['PWD', false], ['OAUTH_CALLBACK', false],
];
const VALUE = 'Zq8vN3xR1tY';

test('secret names: Dockerfile ENV, compose environment and build args, container env, CIS-style judgement and the hardened env agree', () => {
  for (const [name, secret] of SECRET_NAMES) {
    assert.equal(isSecretName(name), secret, `isSecretName(${name})`);
    const dockerfile = lintText(`FROM local/busybox:test\nENV ${name}=${VALUE}\n`, { kind: 'dockerfile' }).findings;
    const environment = lintText(compose(`    environment:\n      ${name}: ${VALUE}\n`), { kind: 'compose' }).findings;
    const buildArgs = lintText(compose(`    build:\n      context: .\n      args:\n        - ${name}=${VALUE}\n`), { kind: 'compose' }).findings;
    const running = checkContainer({ inspect: container({ env: [`${name}=${VALUE}`] }) }).findings;
    const args = hardenedRunArgs(hardenedSpec(container({ env: [`${name}=${VALUE}`] })));
    const verdicts = {
      dockerfile: ruleHits(dockerfile, 'secret-in-env') === 1,
      compose: ruleHits(environment, 'secret-in-env') === 1,
      buildArgs: ruleHits(buildArgs, 'secret-in-env') === 1,
      container: ruleHits(running, 'secret-in-env') === 1,
      hardenedKeepsOnlyAReference: args.includes(name) && !args.includes(`${name}=${VALUE}`),
    };
    assert.deepEqual(verdicts, { dockerfile: secret, compose: secret, buildArgs: secret, container: secret, hardenedKeepsOnlyAReference: secret }, name);
    for (const f of [...dockerfile, ...environment, ...buildArgs, ...running]) assert.ok(!f.message.includes(VALUE) && !(f.evidence ?? '').includes(VALUE), 'no value in messages');
  }
});

test('secret values: interpolation defaults are literal text; required variables and references are not', () => {
  assert.equal(judgeSecret('DB_PASSWORD', '${DB_PASSWORD:-SuperSecret0}'), 'name');
  assert.equal(judgeSecret('DB_PASSWORD', '${DB_PASSWORD:?DB_PASSWORD must be set}'), undefined);
  assert.equal(judgeSecret('DB_PASSWORD', '${DB_PASSWORD}'), undefined);
  assert.equal(judgeSecret('DATABASE_URL', 'postgres://app:${DB_PASSWORD}@db/app'), undefined);
  assert.equal(judgeSecret('DATABASE_URL', 'postgres://app:${DB_PASSWORD:-hunter2}@db/app'), 'connection-string');
  assert.equal(judgeSecret('SECRET_FORCED_LANGUAGE', 'en'), undefined);
  assert.equal(judgeSecret('SMTP_AUTH', 'login'), undefined, 'a mechanism name, not a password');
  assert.equal(judgeSecret('ANYTHING', 'ghp_' + 'a'.repeat(36)), 'value', 'a credential by its shape, whatever the name');
  const found = lintText(compose('    environment:\n      - MAIL_PASSWORD=${MAIL_PASSWORD:-SuperSecret0}\n'), { kind: 'compose' }).findings;
  assert.equal(ruleHits(found, 'secret-in-env'), 1, 'a default in the compose file is checked');
  assert.ok(!found[0]?.message.includes('SuperSecret0'));
});

// [host source, read-only, expected verdict of the rules]
const MOUNTS: [string, boolean, 'docker-socket' | 'sensitive-mount' | 'none'][] = [
  ['/var/log', false, 'sensitive-mount'], ['/lib', false, 'sensitive-mount'], ['/etc', true, 'sensitive-mount'], ['/', true, 'sensitive-mount'],
  ['/var/lib/docker/volumes', false, 'sensitive-mount'], ['/etc/localtime', true, 'none'], ['/srv/app', false, 'none'], ['/var/run/docker.sock', true, 'docker-socket'],
  ['/run/podman/podman.sock', false, 'docker-socket'],
];

test('host mounts: compose, container and the hardened command flag and remove the same mounts', () => {
  for (const [source, readOnly, expected] of MOUNTS) {
    const composeFindings = lintText(compose(`    volumes:\n      - ${source}:/mnt${readOnly ? ':ro' : ''}\n`), { kind: 'compose' }).findings;
    const inspect = container({ mounts: [{ Type: 'bind', Source: source, Destination: '/mnt', RW: !readOnly }] });
    const containerFindings = checkContainer({ inspect }).findings;
    const verdictOf = (findings: { ruleId: string }[]) => (ruleHits(findings, 'docker-socket') ? 'docker-socket' : ruleHits(findings, 'sensitive-mount') ? 'sensitive-mount' : 'none');
    assert.equal(verdictOf(composeFindings), expected, `compose ${source}`);
    assert.equal(verdictOf(containerFindings), expected, `container ${source}`);
    // The hardened command keeps the mount only when the rules would no longer flag it.
    const volumes = hardenedSpec(inspect).volumes;
    const rebuilt = container({ mounts: volumes.map((v) => ({ Type: 'bind', Source: v.split(':')[0], Destination: v.split(':')[1], RW: !v.endsWith(':ro') })) });
    assert.equal(verdictOf(checkContainer({ inspect: rebuilt }).findings), 'none', `hardened ${source}: ${volumes.join(' ')}`);
    if (expected === 'none') assert.equal(volumes.length, 1, `a harmless mount ${source} is kept`);
  }
});

test('capabilities: compose and container agree on added and dangerous ones; the hardened command drops the dangerous ones', () => {
  for (const [cap, dangerous] of [['SYS_ADMIN', true], ['SYSLOG', true], ['NET_ADMIN', true], ['SYS_NICE', false], ['IPC_LOCK', false]] as const) {
    const composeFinding = lintText(compose(`    cap_drop: [ALL]\n    cap_add: [${cap}]\n`), { kind: 'compose' }).findings.find((f) => f.ruleId === 'cap-add');
    const inspect = container({ capAdd: [cap], capDrop: ['ALL'] });
    const containerFinding = checkContainer({ inspect }).findings.find((f) => f.ruleId === 'cap-add');
    assert.equal(composeFinding?.severity, dangerous ? 'error' : 'warning', `compose ${cap}`);
    assert.equal(containerFinding?.severity, dangerous ? 'error' : 'warning', `container ${cap}`);
    assert.equal(hardenedSpec(inspect).capAdd.includes(cap), !dangerous, `hardened ${cap}`);
  }
});

test('users: compose, container and the hardened command agree on root', () => {
  for (const [user, root] of [['root', true], ['0', true], ['0:0', true], ['root:wheel', true], ['app', false], ['1000:1000', false]] as const) {
    const composeHit = ruleHits(lintText(compose(`    user: "${user}"\n`), { kind: 'compose' }).findings, 'user-root') > 0;
    const containerHit = ruleHits(checkContainer({ inspect: container({ user }) }).findings, 'user-root') > 0;
    assert.equal(composeHit, root, `compose ${user}`);
    assert.equal(containerHit, root, `container ${user}`);
    assert.equal(hardenedSpec(container({ user })).user === user, !root, `hardened ${user}`);
  }
});

test('Podman: its default capabilities and ulimits are not findings; a container keeping them all is', () => {
  const load = (name: string) => JSON.parse(readFileSync(fixturePath('inspect', `${name}.json`), 'utf8')) as ContainerInspect;
  // Recorded from Podman 4.3.1 (podman create local/busybox:test; with --cap-drop ALL --cap-add CHOWN).
  const plain = checkContainer({ inspect: load('podman-default'), engineKind: 'podman' }).findings;
  const dropped = checkContainer({ inspect: load('podman-drop-all-add-chown'), engineKind: 'podman' }).findings;
  assert.match(plain.find((f) => f.ruleId === 'cap-drop-all')?.message ?? '', /Podman's default capabilities \(CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT\)/);
  assert.equal(ruleHits(dropped, 'cap-drop-all'), 0, 'Podman spells --cap-drop ALL as a list of drops');
  assert.equal(ruleHits(plain, 'ulimits'), 0, "Podman's own RLIMIT_NOFILE/RLIMIT_NPROC are not overrides");
  assert.equal(ruleHits(checkContainer({ inspect: load('podman-default') }).findings, 'ulimits'), 1, 'judged as Docker they would be');
});

test('audit checks take the rules or a callback, never both', () => {
  const byRules: ContainerJudge = { byRules: true };
  const own: ContainerJudge = { offends: () => undefined };
  // @ts-expect-error giving both is a type error
  const both: ContainerJudge = { byRules: true, offends: () => undefined };
  assert.ok(byRules && own && both);
});
