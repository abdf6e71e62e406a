import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixAll } from '../../src/engine/fix';
import { lintText } from '../../src/engine/lint';
import { docker, DOCKER_CLI, dockerTestOptions, TEST_IMAGE, uniqueName, buildImage, withContext } from '../support/docker';

// Issue 16: the safe fixes of the coverage rules, built and run before and after on the real engine.
// The bases are busybox stand-ins whose pip, python3, dnf, yum and zypper behave like the real ones
// where it matters: pip keeps a download cache unless --no-cache-dir, the rpm managers read an
// answer at their prompt and abort on the empty stdin of a build unless -y (or -n) is given, keep
// what they download under /var/cache/<manager> until `clean`, and npm keeps its tarballs in
// ~/.npm/_cacache (read alone by --offline) until `npm cache clean --force`.

process.env.DOCKER_BUILDKIT = '0';

const prefix = uniqueName('coverage').toLowerCase();
const BASE = `${prefix}/base:1`;
const images: string[] = [];

const PIP = `#!/bin/sh
# Stand-in pip: install writes a marker per package and, unless --no-cache-dir, a cached wheel.
[ "$1" = install ] || { echo "unsupported $1" >&2; exit 2; }
shift
cache=1
for a; do [ "$a" = --no-cache-dir ] && cache=0; done
for a; do case "$a" in -*) ;; *)
  mkdir -p /usr/lib/site && echo "$a" > "/usr/lib/site/$a"
  [ "$cache" = 1 ] && mkdir -p /root/.cache/pip && echo wheel > "/root/.cache/pip/$a.whl" ;;
esac; done
exit 0
`;
const PYTHON = '#!/bin/sh\n[ "$1" = -m ] && [ "$2" = pip ] && shift 2 && exec pip "$@"\necho "python stand-in" >&2\nexit 2\n';
const RPM = `#!/bin/sh
# Stand-in yum/dnf/zypper: a transaction asks before changing anything unless told yes, as the real ones do.
yes=0
sub=
for a; do case "$a" in -y|--assumeyes|-n|--non-interactive|--no-confirm) yes=1 ;; -*) ;; *) [ -z "$sub" ] && sub=$a ;; esac; done
cache=/var/cache/$(basename "$0"); [ "$cache" = /var/cache/zypper ] && cache=/var/cache/zypp
case "$sub" in clean|cc) rm -rf "$cache"; exit 0 ;; install|in|upgrade|update|remove) ;; *) exit 0 ;; esac
if [ "$yes" = 0 ]; then
  printf 'Is this ok [y/N]: '
  read answer || answer=
  [ "$answer" = y ] || { echo 'Operation aborted.' >&2; exit 1; }
fi
shift_sub=0
for a; do case "$a" in -*) ;; *) if [ "$shift_sub" = 0 ]; then shift_sub=1; else mkdir -p /var/lib/rpm "$cache" && touch "/var/lib/rpm/$a" "$cache/$a.rpm"; fi ;; esac; done
exit 0
`;
const NPM = `#!/bin/sh
# Stand-in npm: ci/install put the packages named in ./deps.txt under ./node_modules and their
# tarballs in ~/.npm/_cacache; --offline installs from that cache alone; cache clean needs --force.
sub=; offline=0; force=0
for a; do case "$a" in --offline) offline=1 ;; --force) force=1 ;; -*) ;; *) [ -z "$sub" ] && sub=$a ;; esac; done
case "$sub" in
  ci|install|i)
    for p in $(cat deps.txt); do
      if [ "$offline" = 1 ]; then [ -f "$HOME/.npm/_cacache/$p.tgz" ] || { echo "ENOTCACHED $p" >&2; exit 1; }
      else mkdir -p "$HOME/.npm/_cacache" && echo tarball > "$HOME/.npm/_cacache/$p.tgz"; fi
      mkdir -p "node_modules/$p"
    done ;;
  cache) [ "$force" = 1 ] || { echo 'npm ERR! use --force' >&2; exit 1; }; rm -rf "$HOME/.npm/_cacache" ;;
  *) echo "unsupported $sub" >&2; exit 2 ;;
esac
`;
const build = (dockerfile: string) => buildImage(prefix, images, dockerfile);

function built(dockerfile: string): string {
  const r = build(dockerfile);
  assert.ok(r.image, `build failed:\n${dockerfile}\n${r.error}`);
  return r.image;
}

const run = (image: string, command: string[] = []) => docker(['run', '--rm', image, ...command]);

/** Fix-all limited to one rule, safe fixes only; converged in one call. */
function safeFix(text: string, ruleId: string): string {
  const once = fixAll(text, { kind: 'dockerfile', ruleId }).text;
  assert.equal(fixAll(once, { kind: 'dockerfile', ruleId }).text, once);
  assert.equal(lintText(once, { kind: 'dockerfile' }).findings.filter((f) => f.ruleId === ruleId).length, 0);
  return once;
}

before(() => {
  if (dockerTestOptions().skip) return;
  withContext({ pip: PIP, python3: PYTHON, dnf: RPM, yum: RPM, zypper: RPM, npm: NPM }, (dir) => {
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY pip python3 dnf yum zypper npm /usr/local/bin/\n`);
    docker(['build', '--quiet', '-t', BASE, dir], { timeout: 300000 });
  });
  images.push(BASE);
});

after(() => {
  for (const image of images.reverse()) spawnSync(DOCKER_CLI, ['image', 'rm', '-f', image], { timeout: 60000 });
});

test('pip-cache-kept: the fixed image installs the same packages and has no pip cache', dockerTestOptions(), () => {
  const original = [
    `FROM ${BASE}`,
    'RUN pip install flask gunicorn \\',
    ' && python3 -m pip install --user celery',
    'CMD ["sh", "-c", "ls /usr/lib/site; ls /root/.cache/pip 2>/dev/null | wc -l"]',
    '',
  ].join('\n');
  const fixedText = safeFix(original, 'pip-cache-kept');
  assert.match(fixedText, /pip install --no-cache-dir flask gunicorn/);
  assert.match(fixedText, /-m pip install --no-cache-dir --user celery/);
  const before = run(built(original));
  const after = run(built(fixedText));
  assert.match(before, /^celery\nflask\ngunicorn\n\s*3\n$/, 'the stand-in really caches without the flag');
  assert.equal(after, before.replace(/\s*3\n$/, '\n0\n').replace(/\n\n/, '\n'));
});

test('rpm-missing-yes: the original build aborts at the prompt; the fixed one installs the packages', dockerTestOptions(), () => {
  const original = [
    `FROM ${BASE}`,
    'RUN dnf --setopt=install_weak_deps=False install python3-pip git && dnf clean all',
    'RUN yum install -y httpd && zypper in wget',
    'CMD ["ls", "/var/lib/rpm"]',
    '',
  ].join('\n');
  assert.match(build(original).error ?? '', /Operation aborted/);
  const fixedText = safeFix(original, 'rpm-missing-yes');
  assert.match(fixedText, /install -y python3-pip git/);
  assert.match(fixedText, /zypper in -y wget/);
  assert.equal(run(built(fixedText)), 'git\nhttpd\npython3-pip\nwget\n');
});

test('package-cache-left: the fixed image installs the same packages and keeps no yum, dnf, zypper or npm cache', dockerTestOptions(), () => {
  const original = [
    `FROM ${BASE}`,
    'RUN dnf install -y httpd \\',
    '    # TLS for the web server',
    '    && dnf install -y mod_ssl',
    'RUN yum install -y git',
    // dnf fetches metadata again by itself: the clean-up above does not break this later install.
    'RUN dnf install -y unzip',
    'RUN zypper -n in wget',
    'WORKDIR /app',
    'RUN printf "express\\nlodash\\n" > deps.txt && npm ci --omit=dev',
    'CMD ["sh", "-c", "ls /var/lib/rpm /app/node_modules; find /var/cache /root/.npm -type f 2>/dev/null | wc -l"]',
    '',
  ].join('\n');
  const fixedText = safeFix(original, 'package-cache-left');
  assert.match(fixedText, /&& dnf install -y mod_ssl && dnf clean all\n/);
  assert.match(fixedText, /RUN yum install -y git && yum clean all\n/);
  assert.match(fixedText, /RUN zypper -n in wget && zypper clean --all\n/);
  assert.match(fixedText, /npm ci --omit=dev && npm cache clean --force\n/);
  const before = run(built(original));
  const after = run(built(fixedText));
  const installed = (out: string) => out.replace(/\s*\d+\n$/, '');
  assert.match(before, /\s7\n$/, 'the stand-ins really keep their caches without the clean-up (4 rpm + 1 zypper + 2 npm files)');
  assert.match(after, /\s0\n$/);
  assert.equal(installed(after), installed(before));
  assert.match(installed(after), /git\nhttpd\nmod_ssl\nunzip\nwget$/);
  assert.match(installed(after), /express\nlodash\n/);
});

test('package-cache-left: no fix where a later step installs from the cache alone; that build keeps working', dockerTestOptions(), () => {
  const original = [`FROM ${BASE}`, 'WORKDIR /app', 'RUN echo express > deps.txt && npm ci', 'RUN npm ci --offline', 'CMD ["ls", "/app/node_modules"]', ''].join('\n');
  const finding = lintText(original, { kind: 'dockerfile' }).findings.filter((f) => f.ruleId === 'package-cache-left');
  assert.equal(finding.length, 1);
  assert.deepEqual(finding[0].fixes, []);
  assert.equal(run(built(original)), 'express\n');
  // What the fix would have done breaks the build: the offline install finds no cache.
  const cleaned = original.replace('npm ci\n', 'npm ci && npm cache clean --force\n');
  assert.match(build(cleaned).error ?? '', /ENOTCACHED express/);
});
