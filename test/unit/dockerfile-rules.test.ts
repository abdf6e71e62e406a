import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../src/engine/lint';
import { fixAll } from '../../src/engine/fix';
import { allRules } from '../../src/engine/registry';
import { readFileSync, readdirSync } from 'node:fs';
import { fixturePath, repoPath } from '../support/paths';

const hits = (text: string, ruleId: string) => lintText(text, { kind: 'dockerfile' }).findings.filter((f) => f.ruleId === ruleId);
const marked = (text: string, ruleId: string) => hits(text, ruleId).map((f) => text.slice(f.range!.start, f.range!.end));

/** Applies one rule's fixes (unsafe allowed) and checks fix-all converged: a second run changes nothing. */
function fixed(text: string, ruleId: string, unsafe = true): string {
  const once = fixAll(text, { kind: 'dockerfile', ruleId, unsafe }).text;
  assert.equal(fixAll(once, { kind: 'dockerfile', ruleId, unsafe }).text, once, `${ruleId}: fixing twice changes the text`);
  assert.equal(hits(once, ruleId).filter((f) => f.fixes.some((x) => x.edits.length)).length, 0, `${ruleId}: still fires with a fix after fixing`);
  return once;
}

test('every Dockerfile rule has metadata and a kebab-case id', () => {
  const rules = allRules().filter((r) => r.meta.targets.includes('dockerfile'));
  assert.ok(rules.length >= 20, `only ${rules.length} Dockerfile rules`);
  for (const r of rules) {
    assert.match(r.meta.id, /^[a-z]+(?:-[a-z]+)*$/);
    assert.ok(r.meta.rationale.length > 40 && r.meta.remediation.length > 10, r.meta.id);
    for (const id of r.meta.refs.hadolint ?? []) assert.match(id, /^DL\d{4}$/);
    for (const id of r.meta.refs.trivy ?? []) assert.match(id, /^DS-\d{4}$/);
    for (const id of r.meta.refs.checkov ?? []) assert.match(id, /^CKV2?_DOCKER_\d+$/);
  }
});

test('user-root: final stage only; fix creates a user fitting the base family', () => {
  const multi = 'FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM debian:12-slim\nCOPY --from=build /app /app\nCMD ["/app"]\n';
  assert.deepEqual(marked(multi, 'user-root'), ['FROM'], 'the root build stage is fine, the final stage is not');
  assert.equal(hits(multi, 'user-root')[0].range!.start, multi.indexOf('FROM debian'));
  assert.equal(
    fixed(multi, 'user-root'),
    'FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM debian:12-slim\nCOPY --from=build /app /app\n' +
      'RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app\nUSER 10001:10001\nCMD ["/app"]\n',
  );
  const alpine = 'FROM alpine:3.20\nUSER root\n';
  assert.equal(fixed(alpine, 'user-root'), 'FROM alpine:3.20\nRUN addgroup -S -g 10001 app && adduser -S -D -H -u 10001 -G app app\nUSER 10001:10001\n');
  // A USER root followed by RUNs that need it stays; the switch goes before CMD.
  const needsRoot = 'FROM busybox:1.36\nUSER root\nRUN touch /x\nCMD ["sh"]';
  assert.equal(fixed(needsRoot, 'user-root'), "FROM busybox:1.36\nUSER root\nRUN touch /x\nRUN echo 'app:x:10001:10001:app:/nonexistent:/sbin/nologin' >> /etc/passwd && echo 'app:x:10001:' >> /etc/group\nUSER 10001:10001\nCMD [\"sh\"]");
  assert.equal(fixed('FROM scratch\nCOPY app /app\n', 'user-root'), 'FROM scratch\nCOPY app /app\nUSER 10001:10001\n');
  assert.equal(hits('FROM alpine:3.20\nUSER app\n', 'user-root').length, 0);
  assert.equal(hits('FROM alpine:3.20\nUSER 0:0\nCMD ["x"]\n', 'user-root').length, 1);
  // Inherited from an earlier stage of the same file.
  assert.equal(hits('FROM alpine:3.20 AS base\nUSER 1000\nFROM base\nCMD ["x"]\n', 'user-root').length, 0);
  assert.equal(hits('ARG U=root\nFROM alpine:3.20\nARG U\nUSER ${U}\n', 'user-root').length, 1);
});

test('user-root on Windows images suggests ContainerUser, never Linux tooling', () => {
  const win = '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command `\n    Write-Host hi\nCMD ["cmd.exe"]\n';
  const out = fixed(win, 'user-root');
  assert.equal(out, '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command `\n    Write-Host hi\nUSER ContainerUser\nCMD ["cmd.exe"]\n');
  assert.equal(hits('FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCMD ["cmd.exe"]\n', 'user-root').length, 0);
  assert.equal(hits('FROM mcr.microsoft.com/windows/servercore:ltsc2022\nUSER ContainerAdministrator\n', 'user-root').length, 1);
});

test('healthcheck-missing: template probes the exposed port; explicit NONE and inherited checks count', () => {
  const text = 'FROM alpine:3.20\nEXPOSE 8080\nCMD ["server"]\n';
  const f = hits(text, 'healthcheck-missing');
  assert.equal(f.length, 1);
  assert.ok(f[0].fixes[0].snippet?.body.includes('HEALTHCHECK'), 'snippet template');
  assert.equal(fixed(text, 'healthcheck-missing'), 'FROM alpine:3.20\nEXPOSE 8080\nHEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \\\n  CMD wget -q --spider http://127.0.0.1:8080/ || exit 1\nCMD ["server"]\n');
  assert.equal(hits('FROM alpine:3.20\nHEALTHCHECK NONE\n', 'healthcheck-missing').length, 0);
  // The probe only uses a client the image has: slim Debian has no curl unless the file installs it.
  assert.equal(hits('FROM debian:12-slim\nEXPOSE 80\n', 'healthcheck-missing')[0].fixes[0].edits.length, 0);
  assert.match(fixed('FROM debian:12-slim\nRUN apt-get update && apt-get install -y curl\nEXPOSE 80\n', 'healthcheck-missing'), /CMD curl -fsS http:\/\/127\.0\.0\.1:80\/ \|\| exit 1/);
  assert.match(fixed('FROM node:20\nEXPOSE 3000\n', 'healthcheck-missing'), /CMD curl -fsS http:\/\/127\.0\.0\.1:3000\//);
  assert.equal(hits('FROM alpine:3.20 AS base\nHEALTHCHECK CMD true\nFROM base\nCMD ["x"]\n', 'healthcheck-missing').length, 0);
  // Without a port there is no guessable probe: only the snippet, no automatic edit.
  const noPort = hits('FROM alpine:3.20\nCMD ["x"]\n', 'healthcheck-missing')[0];
  assert.equal(noPort.fixes[0].edits.length, 0);
  assert.ok(noPort.fixes[0].snippet);
});

test('image-unpinned resolves ARG defaults, skips scratch and stage references', () => {
  assert.deepEqual(marked('FROM node:latest\n', 'image-unpinned'), ['node:latest']);
  assert.equal(hits('FROM node\n', 'image-unpinned')[0].severity, 'warning');
  assert.equal(hits('FROM node:20\n', 'image-unpinned')[0].severity, 'info', 'tag without digest is info');
  assert.equal(hits('FROM node:20@sha256:' + 'a'.repeat(64) + '\n', 'image-unpinned').length, 0);
  assert.equal(hits('ARG BASE=node:20@sha256:' + 'b'.repeat(64) + '\nFROM ${BASE}\n', 'image-unpinned').length, 0);
  assert.match(hits('ARG BASE=node\nFROM ${BASE}\n', 'image-unpinned')[0].message, /no tag \(node after ARG defaults\)/);
  assert.match(hits('ARG TAG=latest\nFROM node:${TAG}\n', 'image-unpinned')[0].message, /:latest/);
  assert.equal(hits('ARG TAG\nFROM node:${TAG}\n', 'image-unpinned').length, 0, 'unknown without --build-arg: not judged');
  assert.equal(hits('FROM scratch\n', 'image-unpinned').length, 0);
  const stages = 'FROM golang:1.22@sha256:' + 'c'.repeat(64) + ' AS Build\nFROM build\n';
  assert.equal(hits(stages, 'image-unpinned').length, 0, 'FROM <earlier stage> (case-insensitive) is not an image');
  assert.equal(hits('FROM localhost:5000/app\n', 'image-unpinned').length, 1, 'a registry port is not a tag');
});

test('secret-in-env: names, values, exemptions; the value never appears in the message', () => {
  const text = 'FROM alpine:3.20\nENV DB_PASSWORD=hunter2 APP_PUBLIC_KEY=abc GPG_KEY=ABCD PASSWORD_FILE=/run/secrets/db\nARG GITHUB_TOKEN\nENV API_KEY_VERSION=2\nENV apiKey=xyz123\nENV DSN=postgres://u:s3cr3t@db/app\n';
  const found = hits(text, 'secret-in-env');
  assert.deepEqual(found.map((f) => text.slice(f.range!.start, f.range!.end)), ['DB_PASSWORD=hunter2', 'GITHUB_TOKEN', 'apiKey=xyz123', 'DSN=postgres://u:s3cr3t@db/app']);
  for (const f of found) {
    assert.doesNotMatch(f.message, /hunter2|xyz123|s3cr3t/);
    assert.match(f.fixes[0].title, /--secret id=/);
    assert.ok(f.fixes[0].edits.length > 0 && !f.fixes[0].safe);
  }
  assert.equal(found[0].severity, 'error');
  assert.equal(found[1].severity, 'warning');
  assert.equal(hits('FROM alpine:3.20\nENV PASSWORD=\n', 'secret-in-env').length, 0);
  assert.equal(hits('FROM alpine:3.20\nENV TOKEN_URL=https://auth.example.com/token OAUTH_TOKEN_TTL=300 DB_USER=app\n', 'secret-in-env').length, 0);
});

test('ssh-port: 22 alone, in a list, as a range', () => {
  assert.equal(fixed('FROM alpine:3.20\nEXPOSE 22\nCMD ["x"]\n', 'ssh-port'), 'FROM alpine:3.20\nCMD ["x"]\n');
  assert.equal(fixed('FROM alpine:3.20\nEXPOSE 80 22/tcp 443\n', 'ssh-port'), 'FROM alpine:3.20\nEXPOSE 80 443\n');
  assert.equal(hits('FROM alpine:3.20\nEXPOSE 20-30\n', 'ssh-port').length, 1);
  assert.equal(hits('FROM alpine:3.20\nEXPOSE 2222 22/udp\n', 'ssh-port').length, 0);
});

test('instruction-repeated removes the overridden CMD/ENTRYPOINT/HEALTHCHECK per stage', () => {
  const text = 'FROM a:1 AS one\nCMD ["a"]\nFROM b:1\nCMD ["b"]\n# keep me\nCMD ["c"]\nHEALTHCHECK CMD x\nHEALTHCHECK CMD y\n';
  assert.deepEqual(marked(text, 'instruction-repeated'), ['CMD ["b"]', 'HEALTHCHECK CMD x']);
  assert.equal(fixed(text, 'instruction-repeated'), 'FROM a:1 AS one\nCMD ["a"]\nFROM b:1\n# keep me\nCMD ["c"]\nHEALTHCHECK CMD y\n');
});

test('verification-disabled: flags across continuations, clusters, values, env', () => {
  const text = [
    'FROM debian:12',
    'RUN curl -fsSLk https://x/a -o a \\',
    '    && curl --insecure https://x/b \\',
    '    && wget --no-check-certificate https://x/c',
    'RUN pip install --trusted-host pypi.example.com -r req.txt && pip3 install --trusted-host=h x',
    'RUN apt-get install -y --allow-unauthenticated --force-yes x && yum install --nogpgcheck y',
    'RUN NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci',
    'ENV GIT_SSL_NO_VERIFY=1 OTHER=1',
    'ARG NODE_TLS_REJECT_UNAUTHORIZED=0',
    'RUN curl -o out -k https://x/d && curl -ok x',
    '',
  ].join('\n');
  assert.deepEqual(marked(text, 'verification-disabled'), ['-fsSLk', '--insecure', '--no-check-certificate', '--trusted-host pypi.example.com', '--trusted-host=h', '--allow-unauthenticated', '--force-yes', '--nogpgcheck', 'NODE_TLS_REJECT_UNAUTHORIZED=0', 'GIT_SSL_NO_VERIFY=1', 'NODE_TLS_REJECT_UNAUTHORIZED=0', '-k']);
  assert.equal(
    fixed(text, 'verification-disabled'),
    [
      'FROM debian:12',
      'RUN curl -fsSL https://x/a -o a \\',
      '    && curl https://x/b \\',
      '    && wget https://x/c',
      'RUN pip install -r req.txt && pip3 install x',
      'RUN apt-get install -y x && yum install y',
      'RUN npm ci',
      'ENV OTHER=1',
      'RUN curl -o out https://x/d && curl -ok x',
      '',
    ].join('\n'),
  );
  // Exec form: the element goes with its comma, the array stays valid JSON.
  const exec = 'FROM a:1\nRUN ["curl", "-k", "https://x"]\nRUN ["curl", "-fsSLk", "https://y", "--insecure"]\nRUN dnf install --setopt=sslverify=false -y x\n';
  assert.equal(fixed(exec, 'verification-disabled'), 'FROM a:1\nRUN ["curl", "https://x"]\nRUN ["curl", "-fsSL", "https://y"]\nRUN dnf install -y x\n');
  assert.equal(fixed('FROM python:3\nRUN python3 -m pip install --trusted-host h -r r.txt\n', 'verification-disabled'), 'FROM python:3\nRUN python3 -m pip install -r r.txt\n');
  // `curl -ok x`: k is the output file name, not a flag.
  assert.equal(hits('FROM a:1\nRUN curl -ok x\n', 'verification-disabled').length, 0);
});

test('exec-form RUN: findings on the JSON strings, insertions keep the array valid', () => {
  const text = 'FROM debian:12\nRUN ["sudo", "apt-get", "install", "x"]\n';
  assert.deepEqual(marked(text, 'sudo-in-run'), ['"sudo"']);
  assert.equal(fixed(text, 'sudo-in-run'), 'FROM debian:12\nRUN ["apt-get", "install", "x"]\n');
  assert.equal(fixed(text, 'apt-missing-yes'), 'FROM debian:12\nRUN ["sudo", "apt-get", "install", "-y", "x"]\n');
  const both = fixAll(text, { kind: 'dockerfile', unsafe: true }).text;
  assert.match(both, /^RUN \["apt-get", "install", "-y", "--no-install-recommends", "x"\]$/m);
  assert.doesNotThrow(() => JSON.parse(/RUN (\[.*\])/.exec(both)![1]));
});

test('sudo-in-run drops sudo (safe only while the build is root)', () => {
  assert.equal(fixed('FROM debian:12\nRUN sudo -E apt-get install -y x\n', 'sudo-in-run', false), 'FROM debian:12\nRUN apt-get install -y x\n');
  const afterUser = hits('FROM debian:12\nUSER app\nRUN sudo make install\n', 'sudo-in-run');
  assert.equal(afterUser[0].fixes[0].safe, false);
  assert.equal(hits('FROM debian:12\nRUN sudo -u app make\n', 'sudo-in-run')[0].fixes.length, 0, 'sudo -u changes the user: no automatic fix');
});

test('ADD: local files become COPY, archives and URLs do not', () => {
  const text = 'FROM a:1\nADD app.py /app/\nadd --chown=1:1 ["x y", "/z"]\nADD rootfs.tar.gz /\nADD https://x/y.bin /y\nADD --checksum=sha256:abc https://x/z /z\nADD ${SRC} /s\n';
  // `ADD ${SRC}` may name a local archive ADD extracts on purpose: not reported.
  assert.equal(hits(text, 'add-instead-of-copy').length, 2);
  assert.deepEqual(marked(text, 'add-remote-url'), ['https://x/y.bin']);
  assert.equal(fixed(text, 'add-instead-of-copy'), 'FROM a:1\nCOPY app.py /app/\ncopy --chown=1:1 ["x y", "/z"]\nADD rootfs.tar.gz /\nADD https://x/y.bin /y\nADD --checksum=sha256:abc https://x/z /z\nADD ${SRC} /s\n');
});

test('apt hygiene: update alone, upgrade, -y, --no-install-recommends, lists, apt', () => {
  const text = 'FROM debian:12\nRUN apt-get update\nRUN apt-get install curl \\\n  git\nRUN apt update && apt install -qq x && rm -rf /var/lib/apt/lists/*\nRUN apt-get dist-upgrade -y\n';
  assert.deepEqual(marked(text, 'update-alone'), ['apt-get update']);
  assert.deepEqual(marked(text, 'package-upgrade'), ['apt-get dist-upgrade']);
  assert.deepEqual(marked(text, 'apt-missing-yes'), ['apt-get install'], '-qq implies -y');
  assert.deepEqual(marked(text, 'apt-no-install-recommends'), ['apt-get install', 'apt install']);
  assert.deepEqual(marked(text, 'apt-lists-not-cleaned'), ['apt-get install']);
  assert.deepEqual(marked(text, 'apt-instead-of-apt-get'), ['apt', 'apt']);
  assert.equal(fixed(text, 'apt-missing-yes'), text.replace('apt-get install curl', 'apt-get install -y curl'));
  assert.equal(fixed(text, 'apt-lists-not-cleaned'), text.replace('  git\n', '  git && rm -rf /var/lib/apt/lists/*\n'));
  assert.equal(fixed(text, 'apt-instead-of-apt-get'), text.replace('apt update && apt install', 'apt-get update && apt-get install'));
  assert.equal(fixed(text, 'apt-no-install-recommends'), text.replace('apt-get install curl', 'apt-get install --no-install-recommends curl').replace('apt install -qq', 'apt install --no-install-recommends -qq'));
  assert.equal(hits('FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y x\n', 'apt-lists-not-cleaned').length, 0);
  assert.equal(hits('FROM alpine:3\nRUN apk update\n', 'update-alone').length, 1);
  assert.equal(hits('FROM alpine:3\nRUN apk update && apk add x\n', 'update-alone').length, 0);
});

test('update-alone merges with the next installing RUN; apk-cache-kept adds --no-cache', () => {
  const apt = 'FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n';
  assert.equal(fixed(apt, 'update-alone', false), 'FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl\n');
  const escaped = '# escape=`\nFROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n';
  assert.equal(fixed(escaped, 'update-alone', false), '# escape=`\nFROM debian:12\nRUN apt-get update && `\n    apt-get install -y curl\n');
  // A comment between, flags on the next RUN, or an unrelated next RUN: no automatic merge.
  for (const text of ['FROM debian:12\nRUN apt-get update\n# deps\nRUN apt-get install -y curl\n', 'FROM debian:12\nRUN apt-get update\nRUN --network=none apt-get install -y curl\n', 'FROM debian:12\nRUN apt-get update\nRUN make\n']) {
    assert.equal(hits(text, 'update-alone')[0].fixes.length, 0, text);
  }
  const apk = 'FROM alpine:3.20\nRUN apk add curl && apk add --no-cache jq\nRUN apk --update add git && rm -rf /var/cache/apk/*\n';
  assert.deepEqual(marked(apk, 'apk-cache-kept'), ['apk add']);
  assert.equal(fixed(apk, 'apk-cache-kept', false), apk.replace('apk add curl', 'apk add --no-cache curl'));
});

test('workdir-relative: joined with the previous WORKDIR when known', () => {
  const text = 'FROM a:1\nWORKDIR app\nWORKDIR /srv\nWORKDIR ./data\nWORKDIR $HOME\n';
  assert.deepEqual(marked(text, 'workdir-relative'), ['app', './data']);
  const f = hits(text, 'workdir-relative');
  assert.equal(f[0].fixes[0].safe, false, 'base image WORKDIR unknown');
  assert.equal(f[1].fixes[0].safe, true);
  assert.equal(fixed(text, 'workdir-relative'), 'FROM a:1\nWORKDIR /app\nWORKDIR /srv\nWORKDIR /srv/data\nWORKDIR $HOME\n');
  assert.equal(hits('FROM mcr.microsoft.com/windows/servercore:ltsc2022\nWORKDIR C:\\app\n', 'workdir-relative').length, 0);
});

test('shell-form-command converts only when no shell syntax is involved', () => {
  const text = 'FROM a:1\nCMD node server.js --port 3000\nENTRYPOINT ["tini", "--"]\n';
  assert.equal(fixed(text, 'shell-form-command'), 'FROM a:1\nCMD ["node", "server.js", "--port", "3000"]\nENTRYPOINT ["tini", "--"]\n');
  for (const cmd of ['node $APP', 'a && b', 'echo "hi there"', 'FOO=1 run', 'cat *.log']) {
    const f = hits(`FROM a:1\nCMD ${cmd}\n`, 'shell-form-command');
    assert.equal(f.length, 1);
    assert.equal(f[0].fixes.length, 0, cmd);
  }
});

test('pipefail-missing: one SHELL per stage; set -o pipefail or an earlier SHELL counts', () => {
  const text = 'FROM debian:12\nRUN curl -s https://x | tar x\nRUN a | b\nFROM alpine:3\nRUN a | b\n';
  assert.equal(hits(text, 'pipefail-missing').length, 3);
  assert.equal(fixed(text, 'pipefail-missing'), 'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -s https://x | tar x\nRUN a | b\nFROM alpine:3\nSHELL ["/bin/sh", "-o", "pipefail", "-c"]\nRUN a | b\n');
  assert.equal(hits('FROM debian:12\nRUN set -eo pipefail; a | b\n', 'pipefail-missing').length, 0);
  assert.equal(hits("FROM debian:12\nRUN echo 'a | b' && x || y\n", 'pipefail-missing').length, 0, 'a quoted | is not a pipe');
});

test('suid-chmod and curl-pipe-shell', () => {
  assert.deepEqual(marked('FROM a:1\nRUN chmod 4755 /x && chmod u+s /y && chmod 0755 /z && chmod g-s /w && chmod -R 2775 /d\n', 'suid-chmod'), ['chmod 4755', 'chmod u+s', 'chmod -R 2775']);
  assert.deepEqual(marked('FROM a:1\nRUN curl -fsSL https://x/i.sh | sudo bash -s -- -y && wget -qO- x | tar x\n', 'curl-pipe-shell'), ['curl -fsSL https://x/i.sh | sudo bash']);
});

test('heredocs and the escape directive are parsed like the builder does', () => {
  const heredoc = 'FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y curl\ncurl -k https://x | sh\nEOF\nCMD ["x"]\n';
  assert.deepEqual(marked(heredoc, 'verification-disabled'), ['-k']);
  assert.equal(hits(heredoc, 'update-alone').length, 0, 'install in the same heredoc RUN');
  assert.deepEqual(marked(heredoc, 'curl-pipe-shell'), ['curl -k https://x | sh']);
  // python reads the heredoc: its body is not shell.
  assert.equal(hits('FROM python:3\nRUN python3 <<EOF\nimport os # curl -k x | sh\nEOF\n', 'verification-disabled').length, 0);
  const escaped = '# escape=`\nFROM debian:12\nRUN apt-get install `\n    # a comment in the continuation\n    -y --force-yes curl\n';
  assert.deepEqual(marked(escaped, 'verification-disabled'), ['--force-yes']);
  assert.equal(hits(escaped, 'apt-missing-yes').length, 0);
  assert.equal(fixed(escaped, 'verification-disabled'), '# escape=`\nFROM debian:12\nRUN apt-get install `\n    # a comment in the continuation\n    -y curl\n');
});

test('parser directives: # syntax= with # escape=, and an escape line that is not a directive', () => {
  const both = '# syntax=docker/dockerfile:1\n# escape=`\nFROM debian:12\nRUN apt-get install `\n    -y curl && sudo `\n    make\n';
  assert.deepEqual(marked(both, 'sudo-in-run'), ['sudo']);
  assert.equal(hits(both, 'apt-missing-yes').length, 0);
  assert.equal(fixed(both, 'sudo-in-run'), '# syntax=docker/dockerfile:1\n# escape=`\nFROM debian:12\nRUN apt-get install `\n    -y curl && `\n    make\n');
  // After the first instruction `# escape=` is a comment: the backslash still continues lines.
  const late = 'FROM debian:12\n# escape=`\nRUN apt-get install \\\n    -y curl\n';
  assert.equal(hits(late, 'apt-missing-yes').length, 0);
});

test('ARG scoping: a global ARG is only visible in a stage that redeclares it', () => {
  assert.equal(hits('ARG U=root\nFROM alpine:3.20\nARG U\nUSER ${U}\n', 'user-root').length, 1);
  assert.equal(hits('ARG U=app\nFROM alpine:3.20\nARG U\nUSER ${U}\n', 'user-root').length, 0);
  assert.match(hits('ARG TAG=latest\nFROM alpine:${TAG}\n', 'image-unpinned')[0].message, /:latest/);
  // An ARG declared inside a stage does not apply to a later FROM.
  assert.equal(hits('FROM alpine:3.20@sha256:' + 'd'.repeat(64) + '\nARG TAG=latest\nFROM node:${TAG}\n', 'image-unpinned').length, 0);
});

test('a realistic insecure Dockerfile converges under fix-all, CRLF kept', () => {
  const text = 'FROM node:20\r\nRUN sudo apt-get install curl\r\nADD . /app\r\nWORKDIR app\r\nEXPOSE 3000 22\r\nCMD node server.js\r\n';
  const once = fixAll(text, { kind: 'dockerfile', unsafe: true });
  assert.equal(fixAll(once.text, { kind: 'dockerfile', unsafe: true }).text, once.text);
  assert.ok(!/[^\r]\n/.test(once.text), 'no bare LF introduced');
  assert.match(once.text, /^USER 10001:10001\r$/m);
  assert.match(once.text, /^CMD \["node", "server\.js"\]\r$/m);
  const safeOnly = fixAll(text, { kind: 'dockerfile' }).text;
  assert.doesNotMatch(safeOnly, /USER/, 'the user switch is not a safe fix');
  assert.match(safeOnly, /^COPY \. \/app\r$/m);
});

test('bad input: binary, empty, whitespace, 5 MB, garbage never throw', () => {
  assert.match(lintText('FROM a\u0000\u0001\u0002', { kind: 'dockerfile' }).errors[0].message, /binary/);
  const empty = lintText('', { kind: 'dockerfile' });
  assert.deepEqual(empty, { findings: [], errors: [] });
  assert.deepEqual(lintText('  \n\n# only a comment\n', { kind: 'dockerfile' }), { findings: [], errors: [] });
  const big = ('FROM node:20\nRUN apt-get install curl | sh\n' + 'RUN echo ' + 'x'.repeat(200) + '\n'.repeat(1)).repeat(22000);
  assert.ok(big.length > 5 * 1024 * 1024);
  const r = lintText(big, { kind: 'dockerfile' });
  assert.equal(r.errors.length, 0);
  assert.ok(r.findings.length > 22000);
  const garbage = 'FROM\nRUN\nUSER\nEXPOSE\nADD\nCMD\nWORKDIR\nENV =\nARG\nHEALTHCHECK\nRUN "unclosed \\\n';
  assert.doesNotThrow(() => fixAll(garbage, { kind: 'dockerfile', unsafe: true }));
  assert.deepEqual(lintText(garbage, { kind: 'dockerfile' }).errors, []);
});

test('fixture files: a binary file and an empty file give a clear result', () => {
  const binary = readFileSync(fixturePath('dockerfile', 'binary.Dockerfile'), 'utf8');
  const r = lintText(binary, { file: 'binary.Dockerfile' });
  assert.equal(r.findings.length, 0);
  assert.match(r.errors[0].message, /binary file/);
  assert.deepEqual(lintText(readFileSync(fixturePath('dockerfile', 'empty.Dockerfile'), 'utf8'), { file: 'empty.Dockerfile' }), { findings: [], errors: [] });
});

test('the example Dockerfiles show many concerns, and fix-all converges on them', () => {
  for (const dir of readdirSync(repoPath('examples', 'dockerfile'))) {
    const text = readFileSync(repoPath('examples', 'dockerfile', dir, 'Dockerfile'), 'utf8');
    const before = lintText(text, { file: 'Dockerfile' });
    assert.deepEqual(before.errors, []);
    assert.ok(new Set(before.findings.map((f) => f.ruleId)).size >= 8, `${dir}: ${before.findings.length} findings`);
    for (const f of before.findings) {
      assert.ok(f.range && f.range.end > f.range.start, `${dir} ${f.ruleId}: a non-empty range`);
      for (const fix of f.fixes) assert.ok(fix.title.length > 5 && (fix.edits.length > 0 || fix.snippet), `${dir} ${f.ruleId}: fix "${fix.title}" does something`);
    }
    const once = fixAll(text, { file: 'Dockerfile', unsafe: true });
    assert.ok(once.fixed >= 5, `${dir}: ${once.fixed} fixes applied`);
    assert.equal(fixAll(once.text, { file: 'Dockerfile', unsafe: true }).text, once.text, `${dir}: fix-all is idempotent`);
    const after = lintText(once.text, { file: 'Dockerfile' }).findings;
    assert.ok(after.length < before.findings.length, dir);
    assert.deepEqual(after.filter((f) => f.fixes.some((x) => x.edits.length)).map((f) => f.ruleId), [], `${dir}: nothing fixable left`);
  }
});
