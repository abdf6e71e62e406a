import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../src/engine/lint';

// False positives the real-world corpus found (docs/precision.md); inputs are written in the shape of
// the real cases, not copied from them.

const hits = (text: string, ruleId: string) => lintText(text, { kind: 'dockerfile' }).findings.filter((f) => f.ruleId === ruleId);
const marked = (text: string, ruleId: string) => hits(text, ruleId).map((f) => text.slice(f.range!.start, f.range!.end));

test('pipefail-missing: echo/printf into a checksum check is not reported', () => {
  const text = [
    'FROM debian:12-slim',
    'ENV TOOL_SHA256=0123456789abcdef',
    'RUN set -eux; \\',
    '\tcurl -fsSLo tool.tar.xz "https://example.org/tool-$TOOL_VERSION.tar.xz"; \\',
    '\techo "$TOOL_SHA256 *tool.tar.xz" | sha256sum -c -; \\',
    "\tprintf '%s  %s\\n' \"$TOOL_SHA256\" tool.tar.xz | sha256sum --strict --check; \\",
    '\ttar -xJf tool.tar.xz',
    '',
  ].join('\n');
  assert.deepEqual(marked(text, 'pipefail-missing'), []);
});

test('pipefail-missing: a { echo …; } or ( echo … ) group into tee is not reported; a group with a download is', () => {
  const braces = [
    'FROM php:8.3-fpm-alpine',
    'RUN set -eux; \\',
    '\t{ \\',
    "\t\techo '[global]'; \\",
    "\t\techo 'error_log = /proc/self/fd/2'; \\",
    '\t\techo; \\',
    "\t\tprintf 'listen = %s\\n' 9000; \\",
    '\t} | tee php-fpm.d/docker.conf; \\',
    '\t( echo a; echo b ) | tee /etc/x.conf',
    '',
  ].join('\n');
  assert.deepEqual(marked(braces, 'pipefail-missing'), []);
  const download = 'FROM debian:12\nRUN { echo "#!/bin/sh"; curl -fsSL https://example.org/install.sh; } | tee /tmp/i.sh && sh /tmp/i.sh\n';
  assert.deepEqual(marked(download, 'pipefail-missing'), ['}']);
  const subshell = 'FROM debian:12\nRUN ( curl -fsSL https://example.org/a.sh; echo done ) | sh\n';
  assert.deepEqual(marked(subshell, 'pipefail-missing'), ['echo done'], 'the echo closing a subshell with a download is no exemption');
});

test('pipefail-missing: a local query into a presence check is not reported; into a consumer that accepts empty input it is', () => {
  const locale = [
    'FROM postgres:17-bookworm',
    "RUN set -eux; echo 'en_US.UTF-8 UTF-8' >> /etc/locale.gen; locale-gen; \\",
    "\tlocale -a | grep 'en_US.utf8'",
    '',
  ].join('\n');
  assert.deepEqual(marked(locale, 'pipefail-missing'), []);
  assert.deepEqual(marked('FROM node:22\nRUN grep " node-v$V.tar.xz$" SHASUMS256.txt | sha256sum -c -\n', 'pipefail-missing'), []);
  // The output is used: a failing producer leaves a short file behind.
  assert.deepEqual(marked("FROM debian:12\nRUN locale -a | grep en_US > /locales\n", 'pipefail-missing'), ['locale -a']);
  assert.deepEqual(marked("FROM debian:12\nRUN locale -a | grep -v C.UTF-8\n", 'pipefail-missing'), ['locale -a']);
  // A download fails half-way: the checksum list may lose the line of the file that matters.
  assert.deepEqual(marked('FROM debian:12\nRUN curl -fsSL https://example.org/SHASUMS | sha256sum -c --ignore-missing\n', 'pipefail-missing'), ['curl -fsSL https://example.org/SHASUMS']);
});

test('pipefail-missing: downloads, cat and find producers are still reported', () => {
  const text = [
    'FROM debian:12',
    'RUN curl -fsSL https://example.org/install.sh | bash',
    'RUN wget -O- https://example.org/app.tar.gz | tar -xz -C /opt',
    'RUN cat /tmp/packages.txt | xargs apt-get install -y',
    "RUN find /usr/local -type f -executable -exec ldd '{}' ';' | awk '/=>/ { print $3 }' | sort -u | xargs -r dpkg-query --search",
    '',
  ].join('\n');
  assert.deepEqual(marked(text, 'pipefail-missing'), ['curl -fsSL https://example.org/install.sh', 'wget -O- https://example.org/app.tar.gz', 'cat /tmp/packages.txt', "find /usr/local -type f -executable -exec ldd '{}' ';'"]);
});

test('pipefail-missing: an exempt pipeline does not hide a later one in the same RUN', () => {
  const text = 'FROM debian:12\nRUN echo "$SHA *f" | sha256sum -c - && curl -fsSL https://example.org/x.sh | sh\n';
  assert.deepEqual(marked(text, 'pipefail-missing'), ['curl -fsSL https://example.org/x.sh']);
});

const composeHits = (text: string, ruleId: string, options: Parameters<typeof lintText>[1] = {}) =>
  lintText(text, { kind: 'compose', file: '/project/compose.yaml', ...options }).findings.filter((f) => f.ruleId === ruleId);

test('ARG defaults built from earlier ARGs are expanded before FROM is matched (user-root, healthcheck-missing, image-unpinned)', () => {
  const text = ['ARG REGISTRY=quay.io', 'ARG OWNER=jupyter', 'ARG BASE_IMAGE=$REGISTRY/$OWNER/scipy-notebook', 'FROM $BASE_IMAGE', 'RUN mamba install --yes xgboost', ''].join('\n');
  assert.equal(hits(text, 'user-root').length, 0, 'quay.io/jupyter/* runs as jovyan');
  assert.equal(hits(text, 'healthcheck-missing').length, 0, 'base-notebook and the images on it define a HEALTHCHECK');
  const [unpinned] = hits(text, 'image-unpinned');
  assert.match(unpinned.message, /quay\.io\/jupyter\/scipy-notebook after ARG defaults/);
  assert.doesNotMatch(unpinned.message, /\$REGISTRY/);
  // A variable without a default leaves the reference unknown, also through another ARG.
  const unknown = ['ARG OWNER', 'ARG BASE_IMAGE=quay.io/$OWNER/scipy-notebook', 'FROM $BASE_IMAGE', ''].join('\n');
  assert.equal(hits(unknown, 'image-unpinned').length, 0);
  assert.match(hits(unknown, 'user-root')[0].message, /unless the base image sets a user/);
  // The foundation image below base-notebook has no HEALTHCHECK.
  assert.equal(hits('FROM quay.io/jupyter/docker-stacks-foundation:2025-01-01\nCMD ["start-notebook.py"]\n', 'healthcheck-missing').length, 1);
});

test('healthcheck-missing: a base image with a HEALTHCHECK (table or local image config) is inherited', () => {
  const text = 'FROM example.org/team/web:1.4\nCOPY site/ /srv/\nCMD ["web", "--port", "8080"]\n';
  assert.equal(hits(text, 'healthcheck-missing').length, 1, 'unknown base: reported');
  const withCheck = lintText(text, { kind: 'dockerfile', baseImages: () => ({ user: '', healthcheck: true, source: 'local image' }) });
  assert.equal(withCheck.findings.filter((f) => f.ruleId === 'healthcheck-missing').length, 0);
  const without = lintText(text, { kind: 'dockerfile', baseImages: () => ({ user: '', healthcheck: false, source: 'local image' }) });
  assert.equal(without.findings.filter((f) => f.ruleId === 'healthcheck-missing').length, 1);
  const compose = [
    'services:',
    '  db:',
    '    image: "${ORACLE_DB_IMAGE:-oracle/database:19.3.0-ee}"',
    '  db2:',
    '    image: ${DB_REGISTRY}/oracle/database:${DB_VERSION}',
    '  mc:',
    '    image: itzg/minecraft-server',
    '  web:',
    '    image: nginx:1.27',
    '',
  ].join('\n');
  assert.deepEqual(composeHits(compose, 'healthcheck-missing').map((f) => f.message), ['service "web" has no healthcheck: unless the image defines one, the engine cannot tell a hung service from a healthy one']);
});

test('healthcheck-missing: images with nothing to probe (shell, REPL, --version, no CMD on an OS base) are not reported', () => {
  const quiet = [
    'FROM python:3.13-slim\nENV PYTHON_VERSION=3.13.1\nCMD ["python3"]\n',
    'FROM debian:12-slim\nCOPY docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD [ "node" ]\n',
    'FROM alpine:3.20\nRUN apk add --no-cache php83\nENTRYPOINT ["docker-php-entrypoint"]\nCMD ["php", "-a"]\n',
    'FROM oraclelinux:9-slim\nRUN dnf install -y oracle-instantclient-basic\nCMD ["sqlplus", "-v"]\n',
    'FROM ghcr.io/oracle/oraclelinux:8\nRUN dnf install -y kubectl\nENTRYPOINT ["kubectl"]\nCMD ["--help"]\n',
    'FROM oraclelinux:7-slim\nRUN yum install -y ruby\nCMD irb\n',
    'FROM alpine:3.20 AS build\nRUN make\nFROM alpine:3.20\nCOPY --from=build /usr/local/go /usr/local/go\n',
    'FROM ubuntu:24.04\nCMD ["/bin/bash"]\n',
  ];
  for (const text of quiet) assert.equal(hits(text, 'healthcheck-missing').length, 0, text);
  const services = [
    'FROM python:3.13-slim\nCOPY app.py /app/\nCMD ["python3", "/app/app.py"]\n',
    'FROM debian:12\nENTRYPOINT ["tini", "--"]\nCMD ["nginx", "-g", "daemon off;"]\n',
    'FROM php:8.3-apache\nCOPY . /var/www/html/\n',
    'FROM node:22\nCMD node server.js\n',
    'FROM example.org/base:1\nRUN make install\n',
  ];
  for (const text of services) assert.equal(hits(text, 'healthcheck-missing').length, 1, text);
});

test('user-root: well-known non-root images and build: Dockerfiles ending in a non-root USER are not root', () => {
  const compose = [
    'services:',
    '  elasticsearch:',
    '    image: elasticsearch:7.17.0',
    '  logstash:',
    '    image: docker.elastic.co/logstash/logstash:8.15.0',
    '  kibana:',
    '    image: kibana:7.17.0',
    '  redpanda:',
    '    image: docker.redpanda.com/redpandadata/redpanda:v24.2.1',
    '  pgadmin:',
    '    image: dpage/pgadmin4:8',
    '  db:',
    '    image: "${DB_IMAGE:-oracle/database:19.3.0-ee}"',
    '  xe:',
    '    image: oracle/database:18.4.0-xe',
    '  proxy:',
    '    build: ./proxy',
    '  api:',
    '    build:',
    '      context: api',
    '      dockerfile: Dockerfile.prod',
    '  worker:',
    '    build: worker',
    '',
  ].join('\n');
  const files: Record<string, string> = {
    './proxy/Dockerfile': 'FROM nginx:1.27\nRUN chown -R nginx /var/cache/nginx\nUSER nginx\n',
    'api/Dockerfile.prod': 'FROM python:3.12-slim AS build\nRUN pip wheel .\nFROM python:3.12-slim\nRUN useradd nonroot\nUSER nonroot\nCMD ["gunicorn", "app:app"]\n',
    'worker/Dockerfile': 'FROM python:3.12-slim\nCMD ["python3", "worker.py"]\n',
  };
  const readProjectFile = (_file: string | undefined, written: string) => (written in files ? { kind: 'text' as const, text: files[written] } : { kind: 'missing' as const });
  const names = (found: ReturnType<typeof composeHits>) => found.map((f) => /service "([^"]+)"/.exec(f.message)![1]);
  assert.deepEqual(names(composeHits(compose, 'user-root', { readProjectFile })), ['xe', 'worker']);
  // Without a reader the Dockerfiles are not known: the built services are reported as before.
  assert.deepEqual(names(composeHits(compose, 'user-root')), ['xe', 'proxy', 'api', 'worker']);
});

test('shell-form-command: CMD exec … leaves no shell as PID 1; other shell forms are still reported', () => {
  const text = [
    'FROM oraclelinux:8-slim',
    'ENV ORACLE_BASE=/opt/oracle RUN_FILE=runOracle.sh',
    'CMD exec $ORACLE_BASE/$RUN_FILE',
    '',
  ].join('\n');
  assert.deepEqual(hits(text, 'shell-form-command'), []);
  assert.deepEqual(marked('FROM debian:12\nCMD $ORACLE_BASE/$RUN_FILE\n', 'shell-form-command'), ['$ORACLE_BASE/$RUN_FILE']);
  assert.equal(hits('FROM debian:12\nENTRYPOINT exec /run.sh\n', 'shell-form-command').length, 1, 'a shell-form ENTRYPOINT still ignores CMD and run arguments');
  assert.equal(hits('FROM debian:12\nCMD executor --serve\n', 'shell-form-command').length, 1);
});

test('add-instead-of-copy: a source written as a variable may be an archive ADD extracts: not reported', () => {
  const text = [
    'FROM oraclelinux:8',
    'ARG INSTALLER_TARFILE',
    'ADD ${INSTALLER_TARFILE} /opt/installer/',
    'ADD $PATCH_DIR/opatch.zip /opt/patches/',
    'ADD config.xml /opt/app/',
    '',
  ].join('\n');
  assert.deepEqual(marked(text, 'add-instead-of-copy'), ['ADD']);
  assert.equal(hits(text, 'add-instead-of-copy')[0].range!.start, text.indexOf('ADD config.xml'));
});

test('update-alone: an install through xargs (… | xargs [-r] apt-get install) is an install', () => {
  const text = [
    'FROM ubuntu:24.04',
    'RUN apt-get update --yes && \\',
    "    dpkg -l | grep ^ii | cut -d' ' -f3 | xargs apt-get install --yes --no-install-recommends --reinstall man && \\",
    '    rm -rf /var/lib/apt/lists/*',
    'RUN apt-get update && grep -v "^#" /tmp/packages.txt | xargs -r -n 50 sudo apt-get install -y',
    'RUN apk update && cat /tmp/apk.txt | xargs apk add --no-cache',
    'RUN apt-get update && ls /debs | xargs -I{} echo {}',
    '',
  ].join('\n');
  assert.deepEqual(marked(text, 'update-alone'), ['apt-get update']);
  assert.equal(hits(text, 'update-alone')[0].range!.start, text.lastIndexOf('apt-get update'));
});

test('image-unpinned: an image on an anchor merged by several services is reported once, naming them', () => {
  const text = [
    'x-redis: &redis',
    '  image: docker.io/valkey/valkey:8.1-alpine',
    '  command: valkey-server --appendonly yes',
    'services:',
    '  redis:',
    '    <<: *redis',
    '  redis-cache:',
    '    <<: *redis',
    '  db:',
    '    image: postgres:17-alpine',
    '',
  ].join('\n');
  const found = composeHits(text, 'image-unpinned');
  assert.deepEqual(found.map((f) => f.message), [
    '2 services ("redis", "redis-cache") image docker.io/valkey/valkey:8.1-alpine is not pinned by digest: the tag 8.1-alpine can be moved',
    'service "db" image postgres:17-alpine is not pinned by digest: the tag 17-alpine can be moved',
  ]);
  assert.equal(found[0].range!.start, text.indexOf('docker.io/valkey'));
  // A service that overrides the anchor's image is judged on its own.
  const own = text.replace('  redis-cache:\n    <<: *redis', '  redis-cache:\n    <<: *redis\n    image: valkey/valkey:latest');
  assert.deepEqual(composeHits(own, 'image-unpinned').map((f) => /^(?:2 services|service "[^"]+")/.exec(f.message)![0]), ['service "redis"', 'service "redis-cache"', 'service "db"']);
});
