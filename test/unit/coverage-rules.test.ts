import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkContainer, lintText } from '../../src/engine/lint';
import type { ContainerInspect } from '../../src/engine/runtime/container';
import { fixturePath } from '../support/paths';
import { fixAll } from '../../src/engine/fix';
import type { FileKind } from '../../src/engine/model';

// Issue 16: the rules added for coverage, on real-world-shaped inputs.

const hits = (text: string, ruleId: string, kind: FileKind = 'dockerfile') => lintText(text, { kind }).findings.filter((f) => f.ruleId === ruleId);

/** Applies one rule's fixes (unsafe allowed) and checks that fixing twice equals fixing once. */
function fixed(text: string, ruleId: string, kind: FileKind = 'dockerfile'): string {
  const once = fixAll(text, { kind, ruleId, unsafe: true }).text;
  assert.equal(fixAll(once, { kind, ruleId, unsafe: true }).text, once, `${ruleId}: fixing twice changes the text`);
  return once;
}

test('restart-policy: one info finding per anchor listing the services that merge it; the fix edits the anchor', () => {
  // Shaped like getsentry/self-hosted: a restart policy anchor merged by a defaults anchor and by services.
  const text = [
    'x-restart-policy: &restart_policy',
    '  restart: unless-stopped',
    'x-sentry-defaults: &sentry_defaults',
    '  <<: *restart_policy',
    '  image: sentry:24.1.0',
    'services:',
    '  web:',
    '    <<: *sentry_defaults',
    '  worker:',
    '    <<: *sentry_defaults',
    '  cron:',
    '    <<: *restart_policy',
    '    image: sentry:24.1.0',
    '  redis:',
    '    <<: *restart_policy',
    '    image: redis:7',
    '    restart: always',
    '  db:',
    '    image: postgres:16',
    '    restart: "on-failure:3"',
    '',
  ].join('\n');
  const found = hits(text, 'restart-policy', 'compose');
  assert.equal(found.length, 2, 'one finding at the anchor, one for the service that overrides it');
  assert.ok(found.every((f) => f.severity === 'info'));
  const anchor = found.find((f) => f.range!.start === text.indexOf('restart: unless-stopped'));
  assert.ok(anchor, 'the shared finding sits on the anchor line');
  assert.match(anchor.message, /3 services \("web", "worker", "cron"\)/);
  assert.match(found.find((f) => f !== anchor)!.message, /service "redis"/);
  const after = fixed(text, 'restart-policy', 'compose');
  assert.equal(after, text.replace('restart: unless-stopped', 'restart: "on-failure:5"').replace('restart: always', 'restart: "on-failure:5"'));
  assert.equal(hits(after, 'restart-policy', 'compose').length, 0);
});

test('restart-policy: a large anchor group names the first services and counts the rest', () => {
  const services = Array.from({ length: 20 }, (_, k) => `  s${k}:\n    <<: *defaults\n    image: app:${k}`).join('\n');
  const text = `x-defaults: &defaults\n  restart: always\nservices:\n${services}\n`;
  const found = hits(text, 'restart-policy', 'compose');
  assert.equal(found.length, 1);
  assert.match(found[0].message, /^20 services \("s0", .*"s11" and 8 more\)/);
});

test('pip-cache-kept: pip, pip3 and python -m pip installs without --no-cache-dir; ENV and cache mounts count', () => {
  const text = [
    'FROM python:3.12-slim',
    'COPY requirements.txt /app/',
    'RUN pip install --upgrade pip \\',
    ' && pip3 install -r /app/requirements.txt',
    'RUN python3 -m pip install --user gunicorn==22.0.0',
    'RUN pip install --no-cache-dir uvicorn',
    'RUN --mount=type=cache,target=/root/.cache/pip pip install celery',
    'RUN pip download -d /wheels flask',
    '',
  ].join('\n');
  const found = hits(text, 'pip-cache-kept');
  assert.deepEqual(found.map((f) => text.slice(f.range!.start, f.range!.end)), ['pip install', 'pip3 install', 'python3 -m pip install']);
  assert.equal(
    fixed(text, 'pip-cache-kept'),
    text.replace('pip install --upgrade', 'pip install --no-cache-dir --upgrade').replace('pip3 install -r', 'pip3 install --no-cache-dir -r').replace('pip install --user', 'pip install --no-cache-dir --user'),
  );
  assert.ok(found.every((f) => f.fixes[0].safe));
  assert.equal(hits(`FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n`, 'pip-cache-kept').length, 0);
});

test('rpm-missing-yes: yum, dnf and zypper without -y (microdnf never prompts); -y is added after the subcommand', () => {
  const text = [
    'FROM registry.access.redhat.com/ubi9/ubi:9.4',
    'RUN dnf --setopt=install_weak_deps=False install python3 git && dnf clean all',
    'RUN yum install -y httpd && yum --enablerepo epel install nginx',
    'RUN microdnf install shadow-utils',
    'RUN dnf -q makecache && dnf upgrade --assumeyes',
    'RUN zypper --non-interactive install curl && zypper in wget && zypper install -y vim',
    '',
  ].join('\n');
  const found = hits(text, 'rpm-missing-yes');
  assert.deepEqual(found.map((f) => text.slice(f.range!.start, f.range!.end)), ['dnf --setopt=install_weak_deps=False install', 'yum --enablerepo epel install', 'zypper in']);
  assert.deepEqual(found.map((f) => f.refs?.hadolint?.[0]), ['DL3038', 'DL3030', 'DL3034']);
  assert.equal(fixed(text, 'rpm-missing-yes'), text.replace('False install python3', 'False install -y python3').replace('epel install nginx', 'epel install -y nginx').replace('zypper in wget', 'zypper in -y wget'));
});

test('copy-from-stage: the current stage, a later stage and a stage number not built yet; images and earlier stages are fine', () => {
  const text = [
    'FROM golang:1.22 AS build',
    'RUN go build -o /out/app ./cmd/app',
    'FROM node:20 AS assets',
    'COPY --from=Assets /src/dist /dist',
    'COPY --from=runtime /etc/passwd /tmp/',
    'FROM gcr.io/distroless/static:nonroot AS runtime',
    'COPY --from=build /out/app /app',
    'COPY --from=1 /dist /static',
    'COPY --from=3 /x /x',
    'COPY --from=nginx:1.27 /etc/nginx/mime.types /etc/',
    'COPY --from=${BUILDER} /y /y',
    '',
  ].join('\n');
  const found = hits(text, 'copy-from-stage');
  assert.deepEqual(found.map((f) => text.slice(f.range!.start, f.range!.end)), ['Assets', 'runtime', '3']);
  assert.deepEqual(found.map((f) => f.refs?.hadolint?.[0]), ['DL3023', 'DL3022', 'DL3022']);
  assert.ok(found.every((f) => f.severity === 'error'));
});

test('stage-name-duplicate: a second stage with the same name (case-insensitive) is marked at its alias', () => {
  const text = 'FROM python:3.12 AS deps\nRUN pip wheel -w /w flask\nFROM python:3.12 AS DEPS\nRUN true\nFROM python:3.12-slim\nCOPY --from=deps /w /w\n';
  const found = hits(text, 'stage-name-duplicate');
  assert.equal(found.length, 1);
  assert.equal(text.slice(found[0].range!.start, found[0].range!.end), 'DEPS');
  assert.match(found[0].message, /stage 0/);
  assert.equal(hits(text.replace('AS DEPS', 'AS tools'), 'stage-name-duplicate').length, 0);
});

test('sysctl-weakening: route_localnet, forwarding, redirects and rp_filter=0 in map and list form; the same judgement on a container', () => {
  const text = [
    'services:',
    '  wireguard:',
    '    image: linuxserver/wireguard:1.0.20210914',
    '    sysctls:',
    '      net.ipv4.conf.all.src_valid_mark: 1',
    '      net.ipv4.ip_forward: 1',
    '  kube-proxy-like:',
    '    image: app:1',
    '    sysctls:',
    '      - net.ipv4.conf.all.route_localnet=1',
    '      - net.ipv4.conf.eth0.rp_filter=0',
    '      - net.ipv4.conf.all.accept_redirects=0',
    '      - net.core.somaxconn=1024',
    '      - net.ipv4.ip_forward=${FORWARD:-0}',
    '',
  ].join('\n');
  const found = hits(text, 'sysctl-weakening', 'compose');
  assert.deepEqual(found.map((f) => text.slice(f.range!.start, f.range!.end)), ['net.ipv4.ip_forward: 1', 'net.ipv4.conf.all.route_localnet=1', 'net.ipv4.conf.eth0.rp_filter=0']);
  assert.match(found[1].message, /127\.0\.0\.1/);
  const inspect = JSON.parse(readFileSync(fixturePath('inspect', 'baseline.json'), 'utf8')) as ContainerInspect;
  inspect.HostConfig = { ...inspect.HostConfig, Sysctls: { 'net.ipv4.conf.all.route_localnet': '1', 'net.core.somaxconn': '1024' } };
  const onContainer = checkContainer({ inspect }).findings.filter((f) => f.ruleId === 'sysctl-weakening');
  assert.equal(onContainer.length, 1);
  assert.equal(onContainer[0].message, found[1].message.replace('service "kube-proxy-like": ', ''));
});
