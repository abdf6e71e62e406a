import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixAll } from '../../src/engine/fix';
import { lintText } from '../../src/engine/lint';
import { docker, DOCKER_CLI, dockerTestOptions, TEST_IMAGE, uniqueName, buildImage, withContext } from '../support/docker';

// Issue 11 regression suite for the Dockerfile fixes of the parsing, apt, verification, pipefail
// and WORKDIR rules: real-world-shaped Dockerfiles (PHP/pecl stacks, apt multi-RUN stacks, Alpine
// local packages verified with gpg, WORKDIR chains, busybox ash) are built and run before and
// after fix-all on the real engine. The bases are stand-ins built from busybox whose apt-get, apk,
// gpg, pecl and sudo behave like the real ones where it matters: `apt-get install` fails when
// /var/lib/apt/lists is empty, apk refuses an unsigned local package without --allow-untrusted,
// and pecl reads one answer and exits (so `yes` dies of SIGPIPE).

// The classic builder needs nothing from a registry (BuildKit may try to resolve frontends).
process.env.DOCKER_BUILDKIT = '0';

/** The rules whose fixes this suite covers; fix-all is limited to them so other rules' fixes do not blur the comparison. */
const RULES = new Set([
  'apt-lists-not-cleaned',
  'apt-missing-yes',
  'apt-no-install-recommends',
  'apt-instead-of-apt-get',
  'update-alone',
  'verification-disabled',
  'pipefail-missing',
  'workdir-relative',
  'sudo-in-run',
  'add-instead-of-copy',
  'instruction-repeated',
  'maintainer-deprecated',
  'apk-cache-kept',
]);

const prefix = uniqueName('fixreg').toLowerCase();
const DEBIAN = `${prefix}/debian:12`;
const ALPINE = `${prefix}/alpine:3.20`;
const images: string[] = [];

const APT_GET = `#!/bin/sh
# Stand-in apt-get: update writes the package lists, install needs them, dist-clean removes them.
sub=
for a; do case "$a" in -*) ;; *) sub=$a; break ;; esac; done
case "$sub" in
  update) mkdir -p /var/lib/apt/lists && echo index > /var/lib/apt/lists/index ;;
  install)
    [ -s /var/lib/apt/lists/index ] || { echo "E: Unable to locate package" >&2; exit 100; }
    mkdir -p /opt/pkgs
    for a; do case "$a" in -*|install) ;; *) touch "/opt/pkgs/$a" ;; esac; done ;;
  dist-clean) rm -rf /var/lib/apt/lists/* ;;
  *) echo "E: unsupported $sub" >&2; exit 100 ;;
esac
`;
const SUDO = '#!/bin/sh\nexec "$@"\n';
// Reads one answer, as pecl's prompts do, and exits: the `yes` feeding it dies of SIGPIPE.
const PECL = '#!/bin/sh\nread answer\necho "extension=$2.so" > "/etc/$2.ini"\n';
const PHP_EXT_ENABLE = '#!/bin/sh\n[ -f "/etc/$1.ini" ] && echo enabled >> "/etc/$1.ini"\n';
const APK = `#!/bin/sh
# Stand-in apk: a local package has no signature apk trusts, so it needs --allow-untrusted.
trusted=0
for a; do [ "$a" = --allow-untrusted ] && trusted=1; done
for a; do case "$a" in
  *.apk) [ "$trusted" = 1 ] || { echo "ERROR: $a: UNTRUSTED signature" >&2; exit 1; }
    mkdir -p /opt/apk && n=\${a##*/} && cp "$a" "/opt/apk/\${n%.apk}" ;;
esac; done
`;
const BASH = '#!/bin/sh\nexec /bin/sh "$@"\n';
const GPG = '#!/bin/sh\n[ "$1" = --verify ] && [ "$(cat "$2")" = "signed:$(cat "$3")" ] || { echo "gpg: BAD signature" >&2; exit 1; }\n';

const build = (dockerfile: string, files: Record<string, string> = {}) => buildImage(prefix, images, dockerfile, files);

function run(image: string, command: string[] = []): string {
  return docker(['run', '--rm', image, ...command]);
}

function built(dockerfile: string, files: Record<string, string> = {}): string {
  const r = build(dockerfile, files);
  assert.ok(r.image, `build failed:\n${dockerfile}\n${r.error}`);
  return r.image;
}

const firing = (text: string, ruleId: string) => lintText(text, { kind: 'dockerfile' }).findings.filter((f) => f.ruleId === ruleId);

/**
 * The round trip every case goes through: build and run the original; fix-all with safe fixes,
 * then with unsafe ones too; build and run both. Returns the texts and the outputs.
 */
function roundTrip(original: string, files: Record<string, string> = {}) {
  const safe = fixAll(original, { kind: 'dockerfile', rules: RULES }).text;
  const unsafe = fixAll(safe, { kind: 'dockerfile', rules: RULES, unsafeRules: RULES }).text;
  // The fixed point is reached in one call.
  assert.equal(fixAll(unsafe, { kind: 'dockerfile', rules: RULES, unsafeRules: RULES }).text, unsafe);
  const originalImage = built(original, files);
  const safeImage = built(safe, files);
  const unsafeImage = built(unsafe, files);
  return { safe, unsafe, originalImage, safeImage, unsafeImage, before: run(originalImage), afterSafe: run(safeImage), afterUnsafe: run(unsafeImage) };
}

before(() => {
  if (dockerTestOptions().skip) return;
  // Stand-in bases named like the families they stand for (the rules pick shells and tools by family).
  // Busybox ash stands in for bash: it supports `-o pipefail` as bash does.
  withContext({ 'apt-get': APT_GET, sudo: SUDO, pecl: PECL, 'docker-php-ext-enable': PHP_EXT_ENABLE, bash: BASH }, (dir) => {
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY apt-get sudo pecl docker-php-ext-enable /usr/local/bin/\nCOPY bash /bin/bash\nRUN mkdir -p /var/lib/apt/lists\n`);
    docker(['build', '--quiet', '-t', DEBIAN, dir], { timeout: 300000 });
  });
  withContext({ apk: APK, gpg: GPG }, (dir) => {
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY apk gpg /usr/local/bin/\n`);
    docker(['build', '--quiet', '-t', ALPINE, dir], { timeout: 300000 });
  });
  images.push(DEBIAN, ALPINE);
});

after(() => {
  for (const image of images.reverse()) spawnSync(DOCKER_CLI, ['image', 'rm', '-f', image], { timeout: 60000 });
});

test('PHP-style apt stack with `yes | pecl`: lists removed only after the last install, no pipefail, sudo after `then` dropped', dockerTestOptions(), () => {
  const original = [
    `FROM ${DEBIAN}`,
    'RUN apt-get update && apt-get install -y libzip-dev',
    '# The extension build needs zlib too; the lists are still there from the RUN above.',
    'RUN apt-get install -y zlib1g-dev',
    'RUN if [ -d /opt/pkgs ]; then sudo touch /opt/sudo-ran; fi',
    "RUN yes '' | pecl install redis && docker-php-ext-enable redis",
    'RUN echo hello | tee /hello',
    'CMD ["sh", "-c", "ls /opt/pkgs /opt/sudo-ran && cat /etc/redis.ini /hello"]',
    '',
  ].join('\n');
  // What the old fix did (rm after every install RUN) really breaks this stand-in's build.
  const naive = original.replace('apt-get install -y libzip-dev', 'apt-get install -y libzip-dev && rm -rf /var/lib/apt/lists/*');
  assert.match(build(naive).error ?? '', /Unable to locate package/);
  // And pipefail really breaks the pecl RUN (SIGPIPE: 141).
  assert.match(build(original.replace('\nRUN apt-get update', '\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN apt-get update')).error ?? '', /returned a non-zero code: 141/);

  const r = roundTrip(original);
  assert.equal(r.afterSafe, r.before);
  assert.equal(r.afterUnsafe, r.before);
  assert.match(r.before, /libzip-dev[\s\S]*zlib1g-dev[\s\S]*extension=redis\.so\nenabled\nhello/);
  // Only the last RUN that reads the lists removes them; the image has no lists left.
  assert.match(r.safe, /^RUN apt-get install -y zlib1g-dev && rm -rf \/var\/lib\/apt\/lists\/\*$/m);
  assert.match(r.safe, /^RUN apt-get update && apt-get install -y libzip-dev$/m);
  assert.equal(run(r.safeImage, ['ls', '/var/lib/apt/lists']).trim(), '');
  assert.match(r.safe, /then touch \/opt\/sudo-ran; fi/);
  assert.doesNotMatch(r.unsafe, /SHELL/);
  for (const text of [r.safe, r.unsafe]) {
    assert.equal(firing(text, 'sudo-in-run').length, 0);
    assert.equal(firing(text, 'apt-lists-not-cleaned').filter((f) => f.fixes.length).length, 0, 'no fixable apt-lists finding left');
  }
  assert.equal(firing(r.unsafe, 'apt-no-install-recommends').length, 0);
});

test('Alpine package verified with gpg keeps --allow-untrusted; an ash pipeline gets /bin/sh pipefail; a WORKDIR chain resolves', dockerTestOptions(), () => {
  const files = { 'tool.apk': 'tool-1.0\n', 'tool.apk.asc': 'signed:tool-1.0\n', 'piped.sh': 'echo piped > /piped\n' };
  const original = [
    `FROM ${ALPINE}`,
    'COPY tool.apk tool.apk.asc piped.sh /tmp/',
    'RUN gpg --verify /tmp/tool.apk.asc /tmp/tool.apk && apk add --no-cache --allow-untrusted /tmp/tool.apk',
    'RUN cat /tmp/piped.sh | sh',
    'WORKDIR /srv',
    'WORKDIR app',
    'WORKDIR build',
    'RUN pwd > /where',
    'CMD ["sh", "-c", "cat /opt/apk/tool /piped /where && pwd"]',
    '',
  ].join('\n');
  assert.equal(firing(original, 'verification-disabled').length, 0);
  // The stand-in apk really needs the flag.
  assert.match(build(original.replace(' --allow-untrusted', ''), files).error ?? '', /UNTRUSTED signature/);

  const r = roundTrip(original, files);
  assert.match(r.before, /^tool-1\.0\npiped\n\/srv\/app\/build\n\/srv\/app\/build\n$/);
  assert.equal(r.afterSafe, r.before);
  assert.equal(r.afterUnsafe, r.before);
  assert.match(r.safe, /WORKDIR \/srv\nWORKDIR \/srv\/app\nWORKDIR \/srv\/app\/build\n/);
  assert.match(r.unsafe, /--allow-untrusted/);
  assert.match(r.unsafe, /^SHELL \["\/bin\/sh", "-o", "pipefail", "-c"\]\nRUN cat \/tmp\/piped\.sh \| sh/m);
  for (const id of ['workdir-relative', 'pipefail-missing', 'verification-disabled']) assert.equal(firing(r.unsafe, id).length, 0, id);
});

test('busybox: case patterns are no pipes, ONBUILD and continued-comment commands are checked, a lone CR hides nothing', dockerTestOptions(), () => {
  const original = [
    `FROM ${TEST_IMAGE}`,
    'RUN case "$(uname -m)" in x86_64|aarch64|arm*) echo known > /arch ;; *) echo other > /arch ;; esac',
    // A lone CR inside a comment line: BuildKit and the classic builder split on LF, so the RUN below runs.
    '# built by CI\rRUN false',
    'RUN echo start > /log && \\',
    '    # the next command is part of the same RUN',
    '    echo continued >> /log',
    'WORKDIR /data',
    'WORKDIR ./cache',
    'CMD ["sh", "-c", "cat /arch /log && pwd"]',
    '',
  ].join('\n');
  assert.equal(firing(original, 'pipefail-missing').length, 0);
  const r = roundTrip(original);
  assert.match(r.before, /^(?:known|other)\nstart\ncontinued\n\/data\/cache\n$/);
  assert.equal(r.afterSafe, r.before);
  assert.equal(r.afterUnsafe, r.before);
  assert.match(r.safe, /^WORKDIR \/data\/cache$/m);
  assert.match(r.safe, /# built by CI\rRUN false/, 'the comment line with its CR is kept as it was');
});
