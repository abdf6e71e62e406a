import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText, type LintOptions } from '../../src/engine/lint';
import { fixAll } from '../../src/engine/fix';
import { knownImageFacts, type BaseImageFacts } from '../../src/engine/images/facts';

// Base-image facts and the fixes that depend on them (user-root, healthcheck-missing), image-unpinned's
// per-case refs, and the compose fixes that must not break VPN-like or host-networked stacks.

const hits = (text: string, ruleId: string, options: LintOptions = { kind: 'dockerfile' }) => lintText(text, options).findings.filter((f) => f.ruleId === ruleId);
const fixed = (text: string, ruleId: string, options: LintOptions = { kind: 'dockerfile' }) => fixAll(text, { ...options, ruleId, unsafe: true }).text;

test('known images: documented non-root bases, shell-less bases, official root bases; anything else unknown', () => {
  assert.equal(knownImageFacts('grafana/grafana:10.4.2')?.user, '472');
  assert.equal(knownImageFacts('docker.io/grafana/grafana-oss')?.user, '472');
  assert.equal(knownImageFacts('jupyter/scipy-notebook:2024-01-15')?.user, '1000');
  assert.equal(knownImageFacts('quay.io/jupyter/base-notebook')?.user, '1000');
  assert.equal(knownImageFacts('sonarqube:10-community')?.user, 'sonarqube');
  assert.equal(knownImageFacts('mcr.microsoft.com/mssql/server:2022-latest')?.user, 'mssql');
  assert.equal(knownImageFacts('mcr.microsoft.com/mssql/server:2017-latest'), undefined, 'SQL Server 2017 images ran as root');
  assert.equal(knownImageFacts('docker.elastic.co/elasticsearch/elasticsearch:8.13.0')?.user, '1000:0');
  assert.deepEqual(knownImageFacts('gcr.io/distroless/static-debian12:nonroot'), { user: '65532', hasShell: false, shell: undefined, source: 'known image' });
  assert.equal(knownImageFacts('gcr.io/distroless/base-debian12')?.user, '');
  assert.equal(knownImageFacts('gcr.io/distroless/base-debian12:debug')?.hasShell, true);
  assert.equal(knownImageFacts('cgr.dev/chainguard/static:latest')?.hasShell, false);
  assert.deepEqual(knownImageFacts('docker.io/library/debian:12'), { user: '', hasShell: true, healthcheck: false, interactive: true, source: 'known image' });
  assert.equal(knownImageFacts('myorg/base:1'), undefined);
  assert.equal(knownImageFacts('ghcr.io/someone/node:20'), undefined, 'only the official library image is known');
});

test('user-root: a known non-root base is not reported; USER root on it switches back to its user, no passwd edit', () => {
  assert.deepEqual(hits('FROM grafana/grafana:10.4.2\nCOPY dash.json /etc/grafana/\n', 'user-root'), []);
  assert.deepEqual(hits('FROM jupyter/scipy-notebook:2024-01-15\nRUN pip install x\n', 'user-root'), []);
  const text = 'FROM grafana/grafana:10.4.2\nUSER root\nRUN apk add --no-cache curl\nCMD ["/run.sh"]\n';
  const [f] = hits(text, 'user-root');
  assert.match(f.fixes[0].title, /base image's user 472 \(per Bulkhead's table of well-known images/);
  assert.equal(fixed(text, 'user-root'), 'FROM grafana/grafana:10.4.2\nUSER root\nRUN apk add --no-cache curl\nUSER 472\nCMD ["/run.sh"]\n');
});

test('user-root: the local image config decides, and says so; shell-less or unknown bases get a numeric USER and no RUN', () => {
  const local = (facts: Omit<BaseImageFacts, 'source'>) => (ref: string) => (ref === 'corp/app-base:3' ? { ...facts, source: 'local image' as const } : undefined);
  const text = 'FROM corp/app-base:3\nCOPY app /app\nCMD ["/app"]\n';
  assert.deepEqual(hits(text, 'user-root', { kind: 'dockerfile', baseImages: local({ user: 'app', hasShell: true }) }), []);
  const root = hits(text, 'user-root', { kind: 'dockerfile', baseImages: local({ user: '', hasShell: false }) });
  assert.match(root[0].message, /the local image's config: the base runs as root/);
  assert.equal(fixed(text, 'user-root', { kind: 'dockerfile', baseImages: local({ user: '', hasShell: false }) }), 'FROM corp/app-base:3\nCOPY app /app\nUSER 10001:10001\nCMD ["/app"]\n');
  // Unknown base: nothing says a RUN could write /etc/passwd (or that there is a shell).
  assert.equal(fixed(text, 'user-root'), 'FROM corp/app-base:3\nCOPY app /app\nUSER 10001:10001\nCMD ["/app"]\n');
  assert.equal(fixed('FROM gcr.io/distroless/static-debian12\nCOPY app /app\n', 'user-root'), 'FROM gcr.io/distroless/static-debian12\nCOPY app /app\nUSER 10001:10001\n');
  assert.deepEqual(hits('FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\n', 'user-root'), []);
  // A family guessed from the tag (not a known root base) gets an explicit USER root before its RUN.
  assert.match(fixed('FROM corp/tools:1.0-debian\nCMD ["x"]\n', 'user-root'), /\nUSER root\nRUN groupadd [^\n]*\nUSER 10001:10001\nCMD/);
});

test('user-root: after USER app … USER root the fix reuses app instead of creating a second account', () => {
  const text = 'FROM alpine:3.20\nRUN adduser -D app\nUSER app\nRUN make\nUSER root\nRUN apk add tini\nCMD ["app"]\n';
  const out = fixed(text, 'user-root');
  assert.equal(out, 'FROM alpine:3.20\nRUN adduser -D app\nUSER app\nRUN make\nUSER root\nRUN apk add tini\nUSER app\nCMD ["app"]\n');
  const trailing = 'FROM alpine:3.20\nRUN adduser -D app\nUSER app\nUSER root\n';
  assert.equal(fixed(trailing, 'user-root'), 'FROM alpine:3.20\nRUN adduser -D app\nUSER app\nUSER app\n');
});

test('healthcheck-missing: HTTP probes only on HTTP ports; protocol probes with the image\'s own client; never a tool the build removes', () => {
  const template = (text: string) => hits(text, 'healthcheck-missing')[0].fixes[0];
  for (const [port, protocol] of [['5432', 'PostgreSQL'], ['6379', 'Redis'], ['11211', 'memcached'], ['22', 'SSH'], ['587', 'SMTP'], ['9000', 'FastCGI'], ['3306', 'MySQL'], ['27017', 'MongoDB']]) {
    const f = template(`FROM alpine:3.20\nEXPOSE ${port}\nCMD ["x"]\n`);
    assert.deepEqual(f.edits, [], port);
    assert.match(f.title, new RegExp(`port ${port} speaks ${protocol}, not HTTP`));
  }
  assert.match(template('FROM alpine:3.20\nEXPOSE 4567\n').title, /what port 4567 speaks is unknown/);
  assert.match(fixed('FROM postgres:16-alpine\nCOPY init.sql /docker-entrypoint-initdb.d/\n', 'healthcheck-missing'), /CMD pg_isready -q -h 127\.0\.0\.1 -p 5432 \|\| exit 1/);
  assert.match(fixed('FROM redis:7\nEXPOSE 6380\n', 'healthcheck-missing'), /CMD redis-cli -h 127\.0\.0\.1 -p 6380 ping \|\| exit 1/);
  assert.deepEqual(template('FROM mariadb:11\n').edits, [], 'no credential-free probe for MySQL');
  // wget installed, then purged later in the file.
  assert.deepEqual(template('FROM debian:12-slim\nRUN apt-get update && apt-get install -y wget\nRUN wget -O /app https://x/app && apt-get purge -y wget\nEXPOSE 8080\n').edits, []);
  assert.deepEqual(template('FROM alpine:3.20\nRUN rm -f /usr/bin/wget /bin/wget\nEXPOSE 8080\n').edits, []);
  assert.match(fixed('FROM alpine:3.20\nRUN apk add curl\nRUN apk del wget\nEXPOSE 8080\n', 'healthcheck-missing'), /CMD curl -fsS http:\/\/127\.0\.0\.1:8080\//);
});

test('image-unpinned: refs describe the case (DL3007 latest, DL3006 untagged, neither for a tag without digest)', () => {
  const refs = (text: string) => hits(text, 'image-unpinned')[0].refs?.hadolint;
  assert.deepEqual(refs('FROM node:latest\n'), ['DL3007']);
  assert.deepEqual(refs('FROM node\n'), ['DL3006']);
  assert.equal(refs('FROM node:20\n'), undefined);
  const compose = (image: string) => hits(`services:\n  a:\n    image: ${image}\n`, 'image-unpinned', { kind: 'compose' })[0].refs?.hadolint;
  assert.deepEqual(compose('redis:latest'), ['DL3007']);
  assert.equal(compose('redis:7'), undefined);
});

test('compose: VPN containers keep NET_ADMIN, their UDP port and a writable root; other fixes state what changes', () => {
  const vpn = 'services:\n  wg:\n    image: linuxserver/wireguard:1.0\n    cap_add: [NET_ADMIN, SYS_MODULE, SYS_PTRACE]\n    ports: ["51820:51820/udp"]\n';
  const caps = hits(vpn, 'cap-add', { kind: 'compose' });
  assert.deepEqual(caps.map((f) => f.fixes.length), [0, 0, 1]);
  assert.match(caps[2].fixes[0].title, /Remove SYS_PTRACE from cap_add \(whatever the service does with it then fails/);
  assert.deepEqual(hits(vpn, 'port-all-interfaces', { kind: 'compose' })[0].fixes, []);
  assert.deepEqual(hits(vpn, 'read-only-rootfs', { kind: 'compose' })[0].fixes, []);
  const tun = 'services:\n  tunnel:\n    image: corp/edge:1\n    devices: [/dev/net/tun]\n    cap_add: [NET_ADMIN]\n';
  assert.deepEqual(hits(tun, 'cap-add', { kind: 'compose' })[0].fixes, []);
  const web = 'services:\n  web:\n    image: corp/web:1\n    cap_add: [NET_ADMIN]\n    ports: ["8080:80", "5353:53/udp"]\n';
  assert.equal(hits(web, 'cap-add', { kind: 'compose' })[0].fixes.length, 1);
  const ports = hits(web, 'port-all-interfaces', { kind: 'compose' });
  assert.match(ports[0].fixes[0].title, /other hosts can no longer connect/);
  assert.deepEqual(ports[1].fixes, [], 'a UDP port is never bound to loopback');
  assert.deepEqual(hits('services:\n  g:\n    image: grafana/grafana:10.4.2\n', 'user-root', { kind: 'compose' }), []);
});
