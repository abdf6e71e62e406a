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
