import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../src/engine/lint';
import { fixAll } from '../../src/engine/fix';
import { applyEdits } from '../../src/engine/text';

// Issue 11: parsing gaps that hid commands, and fixes that were called safe but broke builds.

const hits = (text: string, ruleId: string) => lintText(text, { kind: 'dockerfile' }).findings.filter((f) => f.ruleId === ruleId);
const marked = (text: string, ruleId: string) => hits(text, ruleId).map((f) => text.slice(f.range!.start, f.range!.end));
const fixedOnce = (text: string, options: Parameters<typeof fixAll>[1]) => {
  const once = fixAll(text, options).text;
  assert.equal(fixAll(once, options).text, once, 'fix-all reached its fixed point in one call');
  return once;
};

test('the first command after then, do, else, elif, {, (, !, time is checked', () => {
  const text = [
    'FROM debian:12',
    'RUN if [ -f /x ]; then apt-get upgrade -y; elif true; then sudo a; else sudo b; fi',
    'RUN for p in a b; do sudo c "$p"; done && while false; do sudo d; done',
    'RUN { sudo e; } && ( sudo f ) && ! sudo g && time sudo h',
    'RUN if sudo i; then :; fi',
    '',
  ].join('\n');
  assert.deepEqual(marked(text, 'package-upgrade'), ['apt-get upgrade']);
  assert.equal(hits(text, 'sudo-in-run').length, 9);
  const fixed = fixedOnce(text, { kind: 'dockerfile', ruleId: 'sudo-in-run' });
  assert.doesNotMatch(fixed, /sudo/);
  assert.match(fixed, /then a; else b; fi/);
});

test('commands after comment lines inside a continued RUN are checked (LF and CRLF)', () => {
  for (const eol of ['\n', '\r\n']) {
    const text = ['FROM debian:12', 'RUN apt-get update && \\', '    # then the tools', '  # and more', '    sudo apt-get install -y curl', ''].join(eol);
    assert.deepEqual(marked(text, 'sudo-in-run'), ['sudo'], JSON.stringify(eol));
    assert.deepEqual(marked(text, 'apt-lists-not-cleaned'), ['apt-get install']);
  }
});

test('a lone CR is not a line break: lines are split on LF as BuildKit does, positions agree', () => {
  // BuildKit: the whole first line is a comment; the RUN on the next line runs.
  const hidden = 'FROM debian:12\n# note\rRUN echo \\\nRUN sudo reboot\n';
  assert.deepEqual(marked(hidden, 'sudo-in-run'), ['sudo']);
  assert.equal(fixedOnce(hidden, { kind: 'dockerfile', ruleId: 'sudo-in-run' }), 'FROM debian:12\n# note\rRUN echo \\\nRUN reboot\n');
  // `# x\rRUN sudo y` is one comment line for BuildKit: nothing runs.
  assert.equal(hits('FROM debian:12\n# x\rRUN sudo y\n', 'sudo-in-run').length, 0);
  // Findings after a lone CR land on the right text.
  const after = 'FROM debian:12\n# a\rb\nRUN curl -k https://x -o /y\n';
  assert.deepEqual(marked(after, 'verification-disabled'), ['-k']);
});

test('case patterns are not pipes, and commands inside case items are checked', () => {
  const text = 'FROM debian:12\nRUN case "$(uname -m)" in x86_64|amd64) A=1 ;; (arm*|aarch64) sudo b ;; *) exit 1 ;; esac\n';
  assert.equal(hits(text, 'pipefail-missing').length, 0);
  assert.deepEqual(marked(text, 'sudo-in-run'), ['sudo']);
  const nested = 'FROM debian:12\nRUN case a in a) case b in b|c) true ;; esac ;; d|e) curl x | sh ;; esac\n';
  assert.deepEqual(marked(nested, 'pipefail-missing'), ['curl x']);
});

test('ONBUILD RUN is checked like RUN, and its fixes edit the trigger', () => {
  const text = 'FROM debian:12\nONBUILD RUN sudo apt-get install curl\n';
  assert.deepEqual(marked(text, 'sudo-in-run'), ['sudo']);
  assert.deepEqual(marked(text, 'apt-missing-yes'), ['apt-get install']);
  assert.equal(fixedOnce(text, { kind: 'dockerfile', rules: new Set(['sudo-in-run', 'apt-missing-yes']) }), 'FROM debian:12\nONBUILD RUN apt-get install -y curl\n');
});

test('apt-lists-not-cleaned: no rm where a later step installs from the lists; only the last such RUN is fixed', () => {
  const stack = [
    'FROM debian:12 AS base',
    'RUN apt-get update && apt-get install -y curl',
    'RUN apt-get install -y git',
    'RUN echo done',
    'FROM base',
    'RUN apt-get install -y vim',
    'FROM debian:12',
    'RUN apt-get update && apt-get install -y a',
    'RUN apt-get update && apt-get install -y b',
    '',
  ].join('\n');
  const findings = hits(stack, 'apt-lists-not-cleaned');
  assert.equal(findings.length, 5);
  assert.deepEqual(
    findings.map((f) => f.fixes.length),
    [0, 0, 1, 1, 1],
    'curl and git: a later RUN (and the stage built on base) installs without update; vim, a, b are safe to clean',
  );
  const fixed = fixedOnce(stack, { kind: 'dockerfile', ruleId: 'apt-lists-not-cleaned' });
  assert.match(fixed, /^RUN apt-get update && apt-get install -y curl$/m);
  assert.match(fixed, /^RUN apt-get install -y git$/m);
  assert.match(fixed, /^RUN apt-get install -y vim && rm -rf \/var\/lib\/apt\/lists\/\*$/m);
  assert.match(fixed, /^RUN apt-get update && apt-get install -y a && rm -rf/m);
  // ONBUILD and CMD that read the lists count as later steps.
  assert.equal(hits('FROM debian:12\nRUN apt-get update && apt-get install -y a\nONBUILD RUN apt-get install -y b\n', 'apt-lists-not-cleaned')[0].fixes.length, 0);
  assert.equal(hits('FROM debian:12\nRUN apt-get update && apt-get install -y a\nCMD apt-get install -y b && run\n', 'apt-lists-not-cleaned')[0].fixes.length, 0);
  // apt-get dist-clean cleans.
  assert.equal(hits('FROM debian:13\nRUN apt-get update && apt-get install -y a && apt-get dist-clean\n', 'apt-lists-not-cleaned').length, 0);
});

test('verification-disabled: --allow-untrusted after a verification of that package is fine; removals are unsafe', () => {
  const verified = [
    'FROM alpine:3.20',
    'COPY pkg.apk pkg.apk.asc /tmp/',
    'RUN gpg --verify /tmp/pkg.apk.asc /tmp/pkg.apk && apk add --allow-untrusted /tmp/pkg.apk',
    'RUN echo "abc  /tmp/other.apk" | sha256sum -c - && apk add --no-cache --allow-untrusted /tmp/other.apk',
    '',
  ].join('\n');
  assert.equal(hits(verified, 'verification-disabled').length, 0);
  const unverified = ['FROM alpine:3.20', 'RUN gpg --verify /tmp/a.apk.asc /tmp/a.apk && apk add --allow-untrusted /tmp/a.apk /tmp/b.apk', 'RUN apk add --allow-untrusted curl', ''].join('\n');
  const findings = hits(unverified, 'verification-disabled');
  assert.equal(findings.length, 2, 'b.apk was not verified; a repository package never is');
  for (const f of hits('FROM debian:12\nARG NODE_TLS_REJECT_UNAUTHORIZED=0\nRUN curl -k x && apt-get install --allow-unauthenticated y\n', 'verification-disabled').concat(findings)) {
    assert.equal(f.fixes[0].safe, false);
    assert.match(f.fixes[0].title, /fails/);
  }
  assert.equal(fixAll(unverified, { kind: 'dockerfile', ruleId: 'verification-disabled' }).text, unverified, 'safe fix-all leaves the flags');
  assert.doesNotMatch(fixAll(unverified, { kind: 'dockerfile', rules: new Set(), unsafeRules: new Set(['verification-disabled']) }).text, /allow-untrusted/);
});

test('pipefail-missing: pipelines meant to end by SIGPIPE are not reported and block the SHELL fix', () => {
  assert.equal(hits("FROM php:8.3\nRUN yes '' | pecl install redis && docker-php-ext-enable redis\n", 'pipefail-missing').length, 0);
  assert.equal(hits('FROM debian:12\nRUN find / -name x | head -1 > /f && tr -dc a-z </dev/urandom | cut -c1-8 > /p\n', 'pipefail-missing').length, 0);
  const mixed = "FROM php:8.3\nRUN curl -fsSL https://x | tar -xz\nRUN yes '' | pecl install redis\n";
  const f = hits(mixed, 'pipefail-missing');
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 0, 'the SHELL would make the pecl RUN fail with 141');
  // A later stage built on this one inherits the SHELL.
  assert.equal(hits("FROM debian:12 AS a\nRUN curl x | sh\nFROM a\nRUN yes | apt-get install x\n", 'pipefail-missing')[0].fixes.length, 0);
  // The shell the family has: bash on Debian, busybox ash (no bash) on busybox and Alpine.
  assert.match(hits('FROM debian:12\nRUN curl x | sh\n', 'pipefail-missing')[0].fixes[0].title, /"\/bin\/bash", "-o", "pipefail"/);
  assert.match(hits('FROM busybox:1.36\nRUN wget -O- x | sh\n', 'pipefail-missing')[0].fixes[0].title, /"\/bin\/sh", "-o", "pipefail"/);
  assert.equal(hits('FROM example/unknown:1\nRUN wget -O- x | sh\n', 'pipefail-missing')[0].fixes.length, 0, 'unknown shell: no SHELL guessed');
});

test('workdir-relative: chains resolve against the resolved previous WORKDIR, in one fix-all call', () => {
  const chain = 'FROM debian:12\nWORKDIR /srv\nWORKDIR app\nWORKDIR build\nWORKDIR ../logs/./x/\n';
  assert.equal(fixedOnce(chain, { kind: 'dockerfile', ruleId: 'workdir-relative' }), 'FROM debian:12\nWORKDIR /srv\nWORKDIR /srv/app\nWORKDIR /srv/app/build\nWORKDIR /srv/app/logs/x\n');
  const long = ['FROM debian:12', 'WORKDIR /srv', ...Array.from({ length: 15 }, (_, k) => `WORKDIR d${k}`), ''].join('\n');
  const once = fixAll(long, { kind: 'dockerfile' });
  assert.match(once.text, /^WORKDIR \/srv\/d0\/d1\/d2\/d3\/d4\/d5\/d6\/d7\/d8\/d9\/d10\/d11\/d12\/d13\/d14$/m);
  assert.equal(hits(once.text, 'workdir-relative').length, 0);
  // Across stages: a stage built on another starts in its WORKDIR; an unknown base makes the guess unsafe.
  const stages = 'FROM debian:12 AS a\nWORKDIR /opt\nFROM a\nWORKDIR x\nFROM debian:12\nWORKDIR y\nWORKDIR z\n';
  assert.deepEqual(hits(stages, 'workdir-relative').map((f) => [f.fixes[0].safe, f.fixes[0].edits[0].newText]), [
    [true, '/opt/x'],
    [false, '/y'],
    [false, '/y/z'],
  ]);
  assert.equal(fixAll(stages, { kind: 'dockerfile', ruleId: 'workdir-relative' }).text, 'FROM debian:12 AS a\nWORKDIR /opt\nFROM a\nWORKDIR /opt/x\nFROM debian:12\nWORKDIR y\nWORKDIR z\n');
});

test('fix-all: per-rule safe and unsafe selection; the legacy options keep working', () => {
  const text = 'FROM debian:12\nRUN sudo apt-get install curl\nWORKDIR app\nADD a /a\n';
  const only = fixAll(text, { kind: 'dockerfile', rules: new Set(['sudo-in-run']) }).text;
  assert.equal(only, 'FROM debian:12\nRUN apt-get install curl\nWORKDIR app\nADD a /a\n');
  const unsafeWorkdir = fixAll(text, { kind: 'dockerfile', rules: new Set(['add-instead-of-copy']), unsafeRules: new Set(['workdir-relative']) }).text;
  assert.equal(unsafeWorkdir, 'FROM debian:12\nRUN sudo apt-get install curl\nWORKDIR /app\nCOPY a /a\n');
  assert.equal(fixAll(text, { kind: 'dockerfile', rules: new Set(['workdir-relative']) }).text, text, 'its only fix is unsafe');
  assert.equal(fixAll(text, { kind: 'dockerfile', rules: new Set(['workdir-relative']), unsafeRules: 'all' }).text, 'FROM debian:12\nRUN sudo apt-get install curl\nWORKDIR /app\nADD a /a\n');
  assert.equal(fixAll(text, { kind: 'dockerfile', ruleId: 'workdir-relative', unsafe: true }).text, 'FROM debian:12\nRUN sudo apt-get install curl\nWORKDIR /app\nADD a /a\n');
});

test('fix-all applies whole fixes only and gives the text a full re-application would', () => {
  // Thousands of independent fixes: one pass, the same text as applying all their edits at once.
  const adds = ['FROM debian:12', ...Array.from({ length: 3000 }, (_, k) => `ADD f${k} /f${k}`), ''].join('\n');
  const all = lintText(adds, { kind: 'dockerfile' }).findings.filter((f) => f.ruleId === 'add-instead-of-copy').flatMap((f) => f.fixes[0].edits);
  const result = fixAll(adds, { kind: 'dockerfile', ruleId: 'add-instead-of-copy' });
  assert.equal(result.fixed, 3000);
  assert.equal(result.text, applyEdits(adds, all).text);
  // Overlapping fixes (two rules editing the same words) converge, and a second call changes nothing.
  const overlapping = 'FROM debian:12\nRUN sudo apt-get install curl && sudo apt install git\n';
  const once = fixedOnce(overlapping, { kind: 'dockerfile', unsafe: true });
  assert.equal(hits(once, 'sudo-in-run').length + hits(once, 'apt-missing-yes').length, 0);
});
