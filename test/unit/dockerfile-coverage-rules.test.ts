import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../src/engine/lint';
import { fixAll } from '../../src/engine/fix';
import { ruleMeta } from '../../src/engine/registry';
import type { Finding } from '../../src/engine/model';

// Issue 16: the Dockerfile rules for caches, risky contents, RUN hygiene and pinning, on inputs
// shaped like real Dockerfiles (continued lines, && chains, if/then, comments inside RUN, heredocs).

const hits = (text: string, ruleId: string) => lintText(text, { kind: 'dockerfile' }).findings.filter((f) => f.ruleId === ruleId);
const spans = (text: string, found: Finding[]) => found.map((f) => text.slice(f.range!.start, f.range!.end));

/** Fix-all for one rule, safe fixes only; fixing twice equals fixing once. */
function safeFixed(text: string, ruleId: string): string {
  const once = fixAll(text, { kind: 'dockerfile', ruleId }).text;
  assert.equal(fixAll(once, { kind: 'dockerfile', ruleId }).text, once, `${ruleId}: fixing twice changes the text`);
  return once;
}

test('package-cache-left: yum, dnf, microdnf and zypper installs without a clean-up in the same RUN, with hadolint ids per case', () => {
  const text = [
    'FROM registry.access.redhat.com/ubi9/ubi:9.4',
    '# the build tools, then the runtime',
    'RUN yum install -y gcc make \\',
    '    # comment lines inside a continued RUN are dropped by the builder',
    '    && yum install -y openssl-devel',
    'RUN dnf --setopt=install_weak_deps=False install -y python3 && dnf clean all',
    'RUN dnf clean all && dnf install -y git',
    'RUN microdnf install -y shadow-utils && rm -rf /var/cache/yum',
    'RUN zypper --non-interactive install curl && zypper cc',
    'RUN zypper -n in wget',
    '',
  ].join('\n');
  const found = hits(text, 'package-cache-left');
  assert.deepEqual(spans(text, found), ['yum install', 'dnf install', 'zypper -n in']);
  assert.deepEqual(found.map((f) => f.refs?.hadolint), [['DL3032'], ['DL3040'], ['DL3036']]);
  const after = safeFixed(text, 'package-cache-left');
  assert.match(after, /&& yum install -y openssl-devel && yum clean all\n/);
  assert.match(after, /dnf clean all && dnf install -y git && dnf clean all\n/);
  // zypper's metadata is not always fetched again: the last zypper RUN may clean it, nothing before it.
  assert.match(after, /RUN zypper -n in wget && zypper clean --all\n/);
  assert.equal(hits(after, 'package-cache-left').length, 0);
});

test('package-cache-left: npm and yarn installs; cache options, ENV, cache mounts and clean-ups count; build stages are not checked', () => {
  const text = [
    'FROM node:20 AS build',
    'WORKDIR /src',
    'COPY . .',
    'RUN npm ci && npm run build',
    '',
    'FROM node:20-slim',
    'WORKDIR /app',
    'COPY --from=build /src/dist ./dist',
    'COPY package.json package-lock.json ./',
    'RUN npm ci --omit=dev',
    'RUN npm install -g pm2@5.4.2 && npm cache clean --force',
    'RUN npm install --cache /tmp/npm-cache left-pad@1.3.0 && rm -rf /tmp/npm-cache',
    'RUN --mount=type=cache,target=/root/.npm npm install express@4.19.2',
    'RUN yarn global add serve@14.2.3',
    'RUN yarn',
    'RUN yarn add lodash@4.17.21 && yarn cache clean',
    'RUN npm run test && yarn run lint && yarn --version',
    '',
  ].join('\n');
  const found = hits(text, 'package-cache-left');
  assert.deepEqual(spans(text, found), ['npm ci', 'yarn global', 'yarn']);
  assert.deepEqual(found.map((f) => f.refs), [{}, { hadolint: ['DL3060'] }, { hadolint: ['DL3060'] }]);
  assert.deepEqual(found.map((f) => f.fixes.length), [1, 0, 0], 'yarn gets no fix (Yarn 2+ cache clean fails outside a project)');
  assert.match(safeFixed(text, 'package-cache-left'), /RUN npm ci --omit=dev && npm cache clean --force\n/);
  assert.equal(hits('FROM node:20\nENV npm_config_cache=/tmp/.npm\nRUN npm ci\n', 'package-cache-left').length, 0);
});

test('package-cache-left: no fix where appending would not run after the install, or a later step reads only the cache', () => {
  const noFix = (text: string) => {
    const found = hits(text, 'package-cache-left');
    assert.equal(found.length, 1, text);
    assert.deepEqual(found[0].fixes, [], text);
  };
  // A multi-distribution script: `&& yum clean all` after `fi` would run on Alpine too.
  noFix('FROM example/base:1\nRUN if command -v yum; then yum install -y curl; else apk add --no-cache curl; fi\n');
  noFix('FROM example/base:1\nRUN yum install -y curl || true\n');
  noFix('FROM fedora:40\nRUN dnf install -y --downloadonly httpd\nRUN dnf -C install -y httpd\n');
  noFix('FROM node:20\nRUN npm ci\nRUN npm install --offline\n');
  noFix('FROM opensuse/leap:15.6\nRUN zypper -n install curl\nRUN zypper -n install wget && zypper clean\n');
  noFix('FROM fedora:40\nRUN cd /tmp && (dnf install -y httpd)\n');
  noFix('FROM fedora:40\nRUN <<EOF\ndnf install -y httpd\nEOF\n');
  noFix('FROM fedora:40\nRUN dnf --installroot=/rootfs --releasever=40 install -y glibc-minimal-langpack\n');
  // sudo and absolute paths are kept in the clean-up.
  assert.match(safeFixed('FROM fedora:40\nUSER app\nRUN sudo /usr/bin/dnf install -y httpd\n', 'package-cache-left'), /sudo \/usr\/bin\/dnf install -y httpd && sudo \/usr\/bin\/dnf clean all\n/);
});

test('world-writable: chmod modes that let every user write, outside the shared scratch directories', () => {
  const text = [
    'FROM eclipse-temurin:21-jre',
    'RUN mkdir -p /opt/app/logs /opt/app/data \\',
    '    && chmod -R 777 /opt/app \\',
    '    && chmod a+rwx,o-x /opt/app/data',
    'RUN chmod 1777 /srv/shared && chmod 777 /tmp /var/tmp/cache',
    'RUN chmod +w /opt/app/config && chmod 755 /opt/app/bin && chmod u+w,g+w /opt/app/data',
    'RUN if [ -d /data ]; then chmod o+w /data; fi',
    'RUN chmod -w /opt/app/config && chmod o-w /opt/app',
    'RUN chmod 666 /etc/passwd',
    '',
  ].join('\n');
  const found = hits(text, 'world-writable');
  assert.deepEqual(spans(text, found), ['chmod -R 777', 'chmod a+rwx,o-x', 'chmod 1777', 'chmod o+w']);
  assert.deepEqual(found.map((f) => f.severity), ['warning', 'warning', 'info', 'warning']);
  assert.match(found[0].message, /and everything below/);
});

test('account-file-writable: group- or world-writable account files, recursive /etc, and chown to a user', () => {
  const text = [
    'FROM registry.access.redhat.com/ubi9/ubi:9.4',
    '# arbitrary uid support, the OpenShift way',
    'RUN chgrp -R 0 /opt/app && chmod -R g=u /opt/app \\',
    '    && chmod g=u /etc/passwd',
    'RUN chmod 0666 /etc/shadow',
    'RUN chmod -R a+w /etc',
    'RUN chown app:app /etc/group && chown root:root /etc/gshadow',
    'RUN chmod 644 /etc/passwd && chmod 640 /etc/shadow && chmod o-w /etc/group',
    '',
  ].join('\n');
  const found = hits(text, 'account-file-writable');
  assert.deepEqual(spans(text, found), ['chmod g=u /etc/passwd', 'chmod 0666 /etc/shadow', 'chmod -R a+w /etc', 'chown app:app /etc/group']);
  assert.deepEqual(found.map((f) => f.severity), ['warning', 'error', 'error', 'warning']);
  // The same chmod is not also a world-writable finding.
  assert.deepEqual(spans(text, hits(text, 'world-writable')), ['chmod -R a+w']);
});

test('sudo-installed, ssh-port, build-tools-left, curl-and-wget: what the final image keeps, across managers, stages and removals', () => {
  const text = [
    'FROM python:3.12-slim AS build',
    'RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev sudo wget',
    '',
    'FROM build AS runtime',
    'RUN apt-get update \\',
    '    && apt-get install -y --no-install-recommends \\',
    '       # the login server for the legacy deploy script',
    '       openssh-server=1:9.2p1-2+deb12u3 \\',
    '       curl make \\',
    '    && rm -rf /var/lib/apt/lists/*',
    'RUN apt-get purge -y --auto-remove make',
    '',
    'FROM alpine:3.20 AS tools',
    'RUN apk add --no-cache sudo g++ dropbear',
    '',
  ].join('\n');
  // The final image is `tools`: nothing from the Debian stages is in it.
  assert.deepEqual(spans(text, hits(text, 'sudo-installed')), ['sudo']);
  assert.deepEqual(spans(text, hits(text, 'ssh-port')), ['dropbear']);
  assert.deepEqual(spans(text, hits(text, 'build-tools-left')), ['g++']);
  assert.equal(hits(text, 'curl-and-wget').length, 0);

  // Without the last stage, `runtime` is final and inherits what `build` installed.
  const runtime = text.slice(0, text.indexOf('FROM alpine'));
  assert.deepEqual(spans(runtime, hits(runtime, 'sudo-installed')), ['sudo']);
  assert.deepEqual(spans(runtime, hits(runtime, 'ssh-port')), ['openssh-server=1:9.2p1-2+deb12u3']);
  assert.deepEqual(hits(runtime, 'build-tools-left').map((f) => f.message.match(/\(([^)]*)\)/)?.[1]), ['gcc, libpq-dev'], 'make was purged');
  assert.deepEqual(spans(runtime, hits(runtime, 'curl-and-wget')), ['curl']);

  // A single-stage file is not told to move its compilers to a stage it does not have.
  assert.equal(hits('FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\n', 'build-tools-left').length, 0);
  // rpm names carry versions after a dash; a telnet client is not a server.
  const rpm = 'FROM rockylinux:9\nRUN dnf install -y sudo-1.9.5p2 telnet-server telnet && dnf clean all\n';
  assert.deepEqual(spans(rpm, hits(rpm, 'sudo-installed')), ['sudo-1.9.5p2']);
  assert.deepEqual(hits(rpm, 'ssh-port').map((f) => f.message.includes('telnet server')), [true]);
  // apk --virtual groups removed by name.
  assert.equal(hits('FROM alpine:3.20\nRUN apk add --no-cache --virtual=.deps sudo && do-release && apk del .deps\n', 'sudo-installed').length, 0);
});

test('cd-in-run: the first cd of each RUN, after then/do and comments too', () => {
  const text = [
    'FROM debian:12',
    'WORKDIR /src',
    'RUN cd /tmp && curl -fsSLO https://example.com/tool-1.2.3.tar.gz && tar xzf tool-1.2.3.tar.gz \\',
    '    && cd tool-1.2.3 && ./configure && make install',
    'RUN if [ -d /opt/plugins ]; then cd /opt/plugins && ./install.sh; fi',
    'RUN for d in a b; do cd "/srv/$d" && make; done',
    'RUN echo cd /nowhere && ls',
    '',
  ].join('\n');
  const found = hits(text, 'cd-in-run');
  assert.equal(found.length, 3);
  assert.deepEqual(found.map((f) => text.slice(f.range!.start, f.range!.end)), ['cd', 'cd', 'cd']);
  assert.deepEqual(found.map((f) => lineOf(text, f.range!.start)), [3, 5, 6]);
});

const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

test('package-unpinned: one info finding per install listing the unpinned names, with the manager\'s hadolint id', () => {
  const text = [
    'FROM ubuntu:24.04',
    'RUN apt-get update && apt-get install -y --no-install-recommends \\',
    '      ca-certificates=20240203 \\',
    '      curl \\',
    '      -t noble-backports git \\',
    '      ./vendor/tool_1.0_amd64.deb "$EXTRA_PACKAGES" \\',
    '    && rm -rf /var/lib/apt/lists/*',
    'RUN apk add --virtual .deps gcc~13 musl-dev',
    'RUN dnf install -y httpd-2.4.62 mod_ssl @development-tools && zypper in -y nginx>=1.26 vim',
    'RUN pip install --no-cache-dir -r requirements.txt "flask>=3" uvicorn[standard] -e ./lib -c constraints.txt',
    'RUN pip3 install --no-cache-dir --index-url https://pypi.example.com/simple django gunicorn==22.0.0',
    'RUN npm install -g pm2@5.4.2 typescript @angular/cli @nestjs/cli@10.4.5 serve@latest ./local-package',
    'RUN gem install bundler:2.5.6 && gem install rails && gem install rake -v 13.2.1',
    '',
  ].join('\n');
  const found = hits(text, 'package-unpinned');
  assert.ok(found.every((f) => f.severity === 'info'));
  assert.deepEqual(
    found.map((f) => [f.message.replace(/:.*/, ''), f.refs?.hadolint?.[0]]),
    [
      ['apt-get install without a version for 2 packages (curl, git)', 'DL3008'],
      ['apk add without a version for musl-dev', 'DL3018'],
      ['dnf install without a version for mod_ssl', 'DL3041'],
      ['zypper in without a version for vim', 'DL3037'],
      ['pip3 install without a version for django', 'DL3013'],
      ['npm install without a version for 3 packages (typescript, @angular/cli, serve@latest)', 'DL3016'],
      ['gem install without a version for rails', 'DL3028'],
    ],
  );
  // The first pip line is pinned by its constraints file.
  assert.ok(!found.some((f) => text.slice(f.range!.start, f.range!.end).includes('uvicorn')));
});

test('source-unpinned: branch archives, git refs, clones without a tag or checkout, latest URLs', () => {
  const text = [
    'FROM python:3.12-slim',
    'RUN pip install --no-cache-dir https://github.com/org/lib/archive/refs/heads/master.tar.gz \\',
    '    git+https://github.com/org/a.git git+ssh://git@github.com/org/b.git@develop git+https://github.com/org/c.git@v2.1.0',
    'RUN git clone https://github.com/org/tool.git /src/tool \\',
    '    && git -C /src/tool checkout 3f2a1c9e0b7d',
    'RUN git clone --depth 1 --branch main https://github.com/org/site.git /srv/site',
    'RUN git clone --depth=1 -b v1.2.0 https://github.com/org/pinned.git /srv/pinned',
    'RUN if [ "$WITH_PLUGINS" = 1 ]; then git clone https://github.com/org/plugins.git /opt/plugins; fi',
    'RUN curl -fsSL https://raw.githubusercontent.com/org/tool/master/install.sh -o /tmp/install.sh \\',
    '    && wget -q https://wordpress.org/latest.tar.gz \\',
    '    && curl -fsSLO https://github.com/org/tool/releases/download/v1.0.0/tool.tar.gz',
    '',
  ].join('\n');
  const found = hits(text, 'source-unpinned');
  assert.deepEqual(
    found.map((f) => f.message.replace(/:.*/, '')),
    [
      'pip install from branch master',
      'pip install from the default branch of a git repository',
      'pip install from branch develop',
      'git clone of branch main',
      'git clone without --branch or a checkout',
      'curl downloads branch master',
      'wget downloads the latest release',
    ],
  );
  assert.equal(lineOf(text, found[4].range!.start), 8, 'the clone inside if/then is seen; the one followed by a checkout is not reported');
});

test('what the final image keeps: the official images\' apt-mark auto + purge --auto-remove idiom removes the build packages', () => {
  // Shaped like docker-library's node and php Dockerfiles.
  const text = [
    'FROM debian:bookworm-slim AS base',
    'RUN set -ex \\',
    '  && savedAptMark="$(apt-mark showmanual)" \\',
    '  && apt-get update && apt-get install -y ca-certificates curl wget gnupg gcc make libssl-dev sudo --no-install-recommends \\',
    '  && ./configure && make -j"$(nproc)" && make install \\',
    '  && apt-mark auto \'.*\' > /dev/null \\',
    '  && { [ -z "$savedAptMark" ] || apt-mark manual $savedAptMark > /dev/null; } \\',
    '  && apt-mark manual ca-certificates sudo \\',
    '  && find /usr/local -type f -executable -exec ldd \'{}\' \';\' | awk \'/=>/ { print $(NF-1) }\' | sort -u | xargs -r apt-mark manual \\',
    '  && apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false \\',
    '  && rm -rf /var/lib/apt/lists/*',
    '',
    'FROM base',
    'COPY app.conf /etc/app.conf',
    '',
  ].join('\n');
  assert.equal(hits(text, 'curl-and-wget').length, 0);
  assert.equal(hits(text, 'build-tools-left').length, 0);
  assert.deepEqual(spans(text, hits(text, 'sudo-installed')), ['sudo'], 'marked manual again: kept');
});

test('package-upgrade: whole-system upgrades with apk, yum, dnf, microdnf and zypper (info), distribution sync (warning); named packages are a targeted fix', () => {
  const text = [
    'FROM rockylinux:9',
    'RUN apk update && apk upgrade --no-cache',
    'RUN set -eux; \\',
    '    yum -y --setopt=tsflags=nodocs update && yum clean all',
    'RUN dnf -y upgrade && dnf -y distro-sync',
    'RUN sudo microdnf update -y',
    'RUN zypper -n up && zypper --non-interactive dup',
    'RUN apt-get update && apt-get upgrade -y && apt-get dist-upgrade -y',
    '# targeted: only the packages named are updated',
    'RUN apk upgrade --no-cache openssl libcrypto3 \\',
    ' && apk add --upgrade curl \\',
    ' && dnf --enablerepo crb update -y openssl \\',
    ' && yum update-minimal --security -y glibc \\',
    ' && zypper -n up openssl',
    '',
  ].join('\n');
  const found = hits(text, 'package-upgrade');
  assert.deepEqual(
    found.map((f) => [text.slice(f.range!.start, f.range!.end).replace(/\s+/g, ' '), f.severity]),
    [
      ['apk upgrade', 'info'],
      ['yum -y --setopt=tsflags=nodocs update', 'info'],
      ['dnf -y upgrade', 'info'],
      ['dnf -y distro-sync', 'warning'],
      ['microdnf update', 'info'],
      ['zypper -n up', 'info'],
      ['zypper --non-interactive dup', 'warning'],
      ['apt-get upgrade', 'info'],
      ['apt-get dist-upgrade', 'warning'],
    ],
  );
  for (const f of found) assert.match(f.message, /rebuilding on a newer base image/);
  assert.deepEqual(ruleMeta('package-upgrade')?.refs.hadolint, ['DL3005', 'DL3017']);
});
