import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { lintText } from '../../src/engine/lint';
import { fixAll } from '../../src/engine/fix';
import type { Finding } from '../../src/engine/model';

const lint = (text: string, file?: string) => {
  const r = lintText(text, file ? { file } : { kind: 'compose' });
  assert.deepEqual(r.errors, [], 'no errors');
  return r.findings;
};
const of = (text: string, ruleId: string, file?: string) => lint(text, file).filter((f) => f.ruleId === ruleId);
const at = (text: string, f: Finding) => text.slice(f.range!.start, f.range!.end);
/** Applies the rule's preferred fixes (unsafe allowed) until nothing changes; checks idempotence. */
const fixRule = (text: string, ruleId: string) => {
  const once = fixAll(text, { kind: 'compose', ruleId, unsafe: true });
  assert.equal(fixAll(once.text, { kind: 'compose', ruleId, unsafe: true }).text, once.text, 'applying twice equals once');
  assert.equal(of(once.text, ruleId).filter((f) => f.fixes.some((x) => x.edits.length)).length, 0, `${ruleId} no longer fires with a fix`);
  return once.text;
};

// ---- privileged --------------------------------------------------------------------------------

test('privileged: reported at the key, removal keeps comments and neighbours', () => {
  const text = 'services:\n  app:\n    image: busybox:1.36 # pinned\n    # needs nothing special\n    privileged: true\n    command: ["sleep", "1"]\n';
  const [f] = of(text, 'privileged');
  assert.equal(at(text, f), 'privileged: true');
  assert.equal(f.fixes[0].safe, false);
  assert.equal(fixRule(text, 'privileged'), 'services:\n  app:\n    image: busybox:1.36 # pinned\n    # needs nothing special\n    command: ["sleep", "1"]\n');
});

test('privileged: yes (YAML 1.1, as docker-compose reads it) counts; an interpolation never does', () => {
  assert.equal(of('services:\n  a:\n    image: x:1\n    privileged: yes\n', 'privileged').length, 1);
  assert.equal(of('services:\n  a:\n    image: x:1\n    privileged: ${PRIV:-false}\n', 'privileged').length, 0);
  assert.equal(of('services:\n  a:\n    image: x:1\n    privileged: false\n', 'privileged').length, 0);
});

test('merge keys: a shared anchor is overridden in each service; the anchor stays as it is', () => {
  const text = [
    'x-common: &common',
    '  privileged: true # legacy',
    '  restart: always',
    'services:',
    '  api:',
    '    <<: *common',
    '    image: api:1.0',
    '  worker:',
    '    <<: *common',
    '    image: worker:1.0',
    '',
  ].join('\n');
  const found = of(text, 'privileged');
  assert.equal(found.length, 2);
  assert.deepEqual(found.map((f) => at(text, f)), ['privileged: true', 'privileged: true']);
  assert.match(found[0].message, /"api".*inherited/);
  const fixed = fixRule(text, 'privileged');
  assert.ok(fixed.startsWith('x-common: &common\n  privileged: true # legacy\n'), 'anchor unchanged');
  const value = parse(fixed, { merge: true });
  assert.equal(value.services.api.privileged, false);
  assert.equal(value.services.worker.privileged, false);
  assert.equal(value.services.api.restart, 'always');
});

test('merge keys: an anchor only one service uses is fixed where the value lives', () => {
  const text = 'x-base: &base\n  privileged: true\n  image: app:1.0\nservices:\n  app:\n    <<: *base\n';
  const fixed = fixRule(text, 'privileged');
  assert.equal(fixed, 'x-base: &base\n  image: app:1.0\nservices:\n  app:\n    <<: *base\n');
});

test('merge keys: own keys win over merged ones, earlier merge sources over later', () => {
  const text = 'x-a: &a\n  privileged: false\nx-b: &b\n  privileged: true\nservices:\n  one:\n    <<: [*a, *b]\n    image: x:1\n  two:\n    <<: *b\n    privileged: false\n    image: x:1\n';
  assert.equal(of(text, 'privileged').length, 0);
});

test('a service defined by an anchor on another service (`<<: *web`) is shared: overrides, not edits', () => {
  const text = 'services:\n  web: &web\n    image: web:1.0\n    cap_add: [SYS_ADMIN]\n  web2:\n    <<: *web\n';
  const found = of(text, 'cap-add');
  assert.equal(found.length, 2);
  const fixed = fixRule(text, 'cap-add');
  const value = parse(fixed, { merge: true });
  assert.equal(value.services.web.cap_add, undefined);
  assert.deepEqual(value.services.web2.cap_add, []);
});

// ---- capabilities ------------------------------------------------------------------------------

test('cap-add: each capability beyond the default set, at the item; one fix removes them all', () => {
  const text = 'services:\n  app:\n    image: x:1\n    cap_add:\n      - NET_ADMIN   # for iptables\n      - CHOWN\n      - cap_sys_admin\n';
  const found = of(text, 'cap-add');
  assert.deepEqual(found.map((f) => at(text, f)), ['NET_ADMIN', 'cap_sys_admin']);
  assert.ok(found.every((f) => f.severity === 'error'));
  assert.equal(fixRule(text, 'cap-add'), 'services:\n  app:\n    image: x:1\n    cap_add:\n      - CHOWN\n');
});

test('cap-add: removing every item removes the key (an empty cap_add: would be null)', () => {
  const text = 'services:\n  app:\n    image: x:1\n    cap_add: [SYS_PTRACE]\n    user: "1000"\n';
  assert.equal(fixRule(text, 'cap-add'), 'services:\n  app:\n    image: x:1\n    user: "1000"\n');
});

test('cap-add: an aliased list used twice is replaced in the service only', () => {
  const text = 'x-caps: &caps [NET_ADMIN, CHOWN]\nservices:\n  a:\n    image: x:1\n    cap_add: *caps\n  b:\n    image: x:1\n    cap_add: *caps\n';
  const fixed = fixRule(text, 'cap-add');
  assert.ok(fixed.startsWith('x-caps: &caps [NET_ADMIN, CHOWN]\n'));
  const value = parse(fixed);
  assert.deepEqual(value.services.a.cap_add, ['CHOWN']);
  assert.deepEqual(value.services.b.cap_add, ['CHOWN']);
});

test('cap-drop-all: missing is reported at the service, fixed with a block list in its indentation', () => {
  const text = 'services:\n    app:\n        image: x:1\n        cap_drop:\n            - NET_RAW\n';
  const [f] = of(text, 'cap-drop-all');
  assert.equal(at(text, f), 'cap_drop');
  assert.equal(fixRule(text, 'cap-drop-all'), 'services:\n    app:\n        image: x:1\n        cap_drop:\n            - NET_RAW\n            - ALL\n');
  const none = 'services:\n  app:\n    image: x:1\n';
  assert.equal(at(none, of(none, 'cap-drop-all')[0]), 'app');
  assert.equal(fixRule(none, 'cap-drop-all'), 'services:\n  app:\n    image: x:1\n    cap_drop:\n      - ALL\n');
  assert.equal(of('services:\n  app:\n    image: x:1\n    cap_drop: [all]\n', 'cap-drop-all').length, 0);
});

// ---- security options --------------------------------------------------------------------------

test('no-new-privileges: added (unsafe without evidence about setuid files) to an existing flow list, to a block list, or as a new key', () => {
  const flow = 'services:\n  app:\n    image: x:1\n    security_opt: [apparmor:docker-default]\n';
  const [f] = of(flow, 'no-new-privileges');
  assert.equal(f.fixes[0].safe, false);
  assert.match(f.fixes[0].title, /setuid helpers such as sudo, su, ping, crontab/);
  assert.equal(fixAll(flow, { kind: 'compose', ruleId: 'no-new-privileges', unsafe: true }).text, 'services:\n  app:\n    image: x:1\n    security_opt: [apparmor:docker-default, "no-new-privileges:true"]\n');
  const absent = 'services:\n  app:\n    image: x:1 # keep\n\n  db:\n    image: y:1\n';
  const fixed = fixAll(absent, { kind: 'compose', ruleId: 'no-new-privileges', unsafe: true }).text;
  assert.equal(fixed, 'services:\n  app:\n    image: x:1 # keep\n    security_opt:\n      - "no-new-privileges:true"\n\n  db:\n    image: y:1\n    security_opt:\n      - "no-new-privileges:true"\n');
  assert.deepEqual(parse(fixed).services.db.security_opt, ['no-new-privileges:true']);
});

test('no-new-privileges: explicit false is replaced; all spellings of true are accepted', () => {
  const text = 'services:\n  app:\n    image: x:1\n    security_opt:\n      - no-new-privileges:false\n';
  assert.equal(at(text, of(text, 'no-new-privileges')[0]), 'no-new-privileges:false');
  assert.equal(fixRule(text, 'no-new-privileges'), 'services:\n  app:\n    image: x:1\n    security_opt:\n      - "no-new-privileges:true"\n');
  for (const spelling of ['no-new-privileges', 'no-new-privileges=true', 'no-new-privileges:true']) {
    assert.equal(of(`services:\n  app:\n    image: x:1\n    security_opt: ["${spelling}"]\n`, 'no-new-privileges').length, 0, spelling);
  }
});

test('security-unconfined: seccomp, apparmor and label each reported; removal keeps the rest', () => {
  const text = 'services:\n  app:\n    image: x:1\n    security_opt:\n      - seccomp:unconfined\n      - apparmor=unconfined\n      - label:disable\n      - no-new-privileges:true\n';
  const found = of(text, 'security-unconfined');
  assert.deepEqual(found.map((f) => at(text, f)), ['seccomp:unconfined', 'apparmor=unconfined', 'label:disable']);
  assert.match(found[0].message, /5\.22/);
  assert.match(found[1].message, /5\.2\b/);
  assert.match(found[2].message, /5\.3/);
  assert.equal(fixRule(text, 'security-unconfined'), 'services:\n  app:\n    image: x:1\n    security_opt:\n      - no-new-privileges:true\n');
});

// ---- filesystem, namespaces --------------------------------------------------------------------

test('read-only-rootfs: read_only: false replaced in place, missing added', () => {
  const text = 'services:\n  app:\n    image: x:1\n    read_only: false # for now\n';
  assert.equal(fixRule(text, 'read-only-rootfs'), 'services:\n  app:\n    image: x:1\n    read_only: true # for now\n');
  assert.equal(of('services:\n  app:\n    image: x:1\n    read_only: ${RO:-true}\n', 'read-only-rootfs').length, 0);
});

test('host-network and host-namespace: at the key; removal; CIS per namespace', () => {
  const text = 'services:\n  app:\n    image: x:1\n    network_mode: host\n    pid: "host"\n    ipc: host\n    uts: host\n    userns_mode: host\n';
  assert.equal(at(text, of(text, 'host-network')[0]), 'network_mode: host');
  const ns = of(text, 'host-namespace');
  assert.deepEqual(ns.map((f) => at(text, f)), ['pid: "host"', 'ipc: host', 'uts: host', 'userns_mode: host']);
  assert.deepEqual(ns.map((f) => /CIS (5\.\d+)/.exec(f.message)![1]), ['5.16', '5.17', '5.21', '5.31']);
  // Without published ports the removal would leave the service unreachable: only a snippet asking for them.
  const [noPorts] = of(text, 'host-network')[0].fixes;
  assert.deepEqual(noPorts.edits, []);
  assert.match(noPorts.snippet!.body, /ports:\n {6}- "\$\{1:8080\}:\$\{2:8080\}"/);
  assert.equal(fixRule(text, 'host-namespace'), 'services:\n  app:\n    image: x:1\n    network_mode: host\n');
  const withPorts = 'services:\n  app:\n    image: x:1\n    network_mode: host\n    ports: ["8080:80"]\n';
  assert.match(of(withPorts, 'host-network')[0].fixes[0].title, /keep the published ports 8080->80\/tcp/);
  assert.equal(fixRule(withPorts, 'host-network'), 'services:\n  app:\n    image: x:1\n    ports: ["8080:80"]\n');
  assert.equal(of('services:\n  app:\n    image: x:1\n    network_mode: "service:db"\n', 'host-network').length, 0);
});

test('default-bridge: network_mode: bridge is reported, the project network is not', () => {
  assert.equal(of('services:\n  app:\n    image: x:1\n    network_mode: bridge\n', 'default-bridge').length, 1);
  assert.equal(of('services:\n  app:\n    image: x:1\n', 'default-bridge').length, 0);
});

// ---- volumes -----------------------------------------------------------------------------------

test('volumes short syntax: socket, sensitive rw/ro, harmless ro files, named and relative volumes', () => {
  const text = [
    'services:',
    '  app:',
    '    image: x:1',
    '    volumes:',
    '      - /var/run/docker.sock:/var/run/docker.sock:ro',
    '      - /etc:/host/etc',
    "      - '/:/rootfs:ro'",
    '      - /etc/localtime:/etc/localtime:ro',
    '      - ./etc:/app/etc',
    '      - data:/var/lib/data',
    '      - /proc:/host/proc:z',
    '      - ${DATA_DIR}:/data',
    '',
  ].join('\n');
  assert.deepEqual(of(text, 'docker-socket').map((f) => at(text, f)), ['/var/run/docker.sock:/var/run/docker.sock:ro']);
  const sensitive = of(text, 'sensitive-mount');
  assert.deepEqual(sensitive.map((f) => [at(text, f), f.severity]), [['/etc:/host/etc', 'error'], ["'/:/rootfs:ro'", 'warning'], ['/proc:/host/proc:z', 'error']]);
  const fixed = fixRule(text, 'sensitive-mount');
  assert.match(fixed, /\n {6}- \/etc:\/host\/etc:ro\n/);
  assert.match(fixed, /\n {6}- \/proc:\/host\/proc:ro,z\n/);
  assert.match(fixed, /\n {6}- '\/:\/rootfs:ro'\n/);
});

test('volumes long syntax: read_only added to the mapping, propagation removed', () => {
  const text = [
    'services:',
    '  app:',
    '    image: x:1',
    '    volumes:',
    '      - type: bind',
    '        source: /usr/lib',
    '        target: /host/lib',
    '        bind:',
    '          propagation: rshared',
    '',
  ].join('\n');
  const [s] = of(text, 'sensitive-mount');
  assert.equal(at(text, s), '/usr/lib');
  const [p] = of(text, 'mount-propagation');
  assert.match(p.message, /rshared/);
  const fixed = fixRule(fixRule(text, 'sensitive-mount'), 'mount-propagation');
  const v = parse(fixed).services.app.volumes[0];
  assert.equal(v.read_only, true);
  assert.equal(v.bind?.propagation, undefined);
  assert.equal(v.source, '/usr/lib');
});

test('mount-propagation short syntax: shared removed, other options kept', () => {
  const text = 'services:\n  app:\n    image: x:1\n    volumes:\n      - "./data:/data:ro,rshared"\n      - ./cache:/cache:shared\n';
  assert.equal(of(text, 'mount-propagation').length, 2);
  assert.equal(fixRule(text, 'mount-propagation'), 'services:\n  app:\n    image: x:1\n    volumes:\n      - "./data:/data:ro"\n      - ./cache:/cache\n');
});

test('host-devices and tmpfs-exec', () => {
  const text = 'services:\n  app:\n    image: x:1\n    devices:\n      - /dev/sda:/dev/sda\n    tmpfs:\n      - /run\n      - /tmp:exec,size=64m\n';
  assert.equal(at(text, of(text, 'host-devices')[0]), '/dev/sda:/dev/sda');
  const [t] = of(text, 'tmpfs-exec');
  assert.equal(at(text, t), '/tmp:exec,size=64m');
  assert.equal(fixRule(text, 'tmpfs-exec'), 'services:\n  app:\n    image: x:1\n    devices:\n      - /dev/sda:/dev/sda\n    tmpfs:\n      - /run\n      - "/tmp:size=64m"\n');
  assert.equal(of('services:\n  app:\n    image: x:1\n    tmpfs: /tmp\n', 'tmpfs-exec').length, 0);
});

// ---- ports -------------------------------------------------------------------------------------

test('ports short and long syntax: all interfaces, privileged, SSH; bound to 127.0.0.1 keeping quotes', () => {
  const text = [
    'services:',
    '  app:',
    '    image: x:1',
    '    ports:',
    '      - "80:80"',
    "      - '0.0.0.0:8443:443'",
    '      - 9000',
    '      - 127.0.0.1:5432:5432',
    '      - "[::]:2222:22"',
    '      - ${WEB_PORT:-8080}:8080',
    '      - ${ADMIN_PORT}:9090',
    '      - target: 3000',
    '        published: "3000"',
    '        protocol: tcp',
    '',
  ].join('\n');
  const all = of(text, 'port-all-interfaces');
  // The default publishes on every interface; an undecided variable is not judged.
  assert.deepEqual(all.map((f) => at(text, f).split('\n')[0]), ['"80:80"', "'0.0.0.0:8443:443'", '9000', '"[::]:2222:22"', '${WEB_PORT:-8080}:8080', 'target: 3000']);
  assert.deepEqual(of(text, 'port-privileged').map((f) => at(text, f)), ['"80:80"']);
  assert.deepEqual(of(text, 'ssh-port').map((f) => at(text, f)), ['"[::]:2222:22"']);
  const fixed = fixRule(text, 'port-all-interfaces');
  assert.deepEqual(parse(fixed).services.app.ports, [
    '127.0.0.1:80:80',
    '127.0.0.1:8443:443',
    '127.0.0.1::9000',
    '127.0.0.1:5432:5432',
    '127.0.0.1:2222:22',
    // No fix writes a constant over a variable: the value is changed where it is set.
    '${WEB_PORT:-8080}:8080',
    '${ADMIN_PORT}:9090',
    '127.0.0.1:3000:3000',
  ]);
  assert.match(fixed, /- "127\.0\.0\.1:80:80"\n {6}- '127\.0\.0\.1:8443:443'\n/);
});

// ---- limits, restart, health, user, image, env, logging ---------------------------------------

test('resource-limits: both styles count; 0 means none; the fix adds only what is missing', () => {
  assert.equal(of('services:\n  a:\n    image: x:1\n    mem_limit: 256m\n    cpus: 0.5\n    pids_limit: 100\n', 'resource-limits').length, 0);
  assert.equal(of('services:\n  a:\n    image: x:1\n    deploy:\n      resources:\n        limits: {memory: 256M, cpus: "0.5", pids: 50}\n', 'resource-limits').length, 0);
  const text = 'services:\n  a:\n    image: x:1\n    deploy:\n      resources:\n        limits:\n          memory: 256M\n    pids_limit: 0\n';
  const [f] = of(text, 'resource-limits');
  assert.match(f.message, /no CPU, PIDs limit/);
  // A guessed number is a placeholder to fill in, never a value written unattended.
  assert.deepEqual(f.fixes[0].edits, []);
  assert.equal(f.fixes[0].snippet?.body, '    cpus: "${2:1.0}"\n    pids_limit: ${3:200}\n');
  assert.equal(fixRule(text, 'resource-limits'), text);
  assert.equal(of('services:\n  a:\n    image: x:1\n    mem_limit: ${MEM}\n    cpus: 1\n    pids_limit: 10\n', 'resource-limits').length, 0);
});

test('restart-policy: always / unless-stopped / unbounded on-failure, fixed to on-failure:5', () => {
  const text = 'services:\n  a:\n    image: x:1\n    restart: unless-stopped\n';
  assert.equal(fixRule(text, 'restart-policy'), 'services:\n  a:\n    image: x:1\n    restart: "on-failure:5"\n');
  assert.equal(of('services:\n  a:\n    image: x:1\n    restart: on-failure\n', 'restart-policy').length, 1);
  assert.equal(of('services:\n  a:\n    image: x:1\n    restart: "on-failure:3"\n', 'restart-policy').length, 0);
  assert.equal(of('services:\n  a:\n    image: x:1\n    restart: "no"\n', 'restart-policy').length, 0);
});

test('healthcheck-missing: disabled is a warning, missing an info with a snippet only', () => {
  const disabled = 'services:\n  a:\n    image: x:1\n    healthcheck:\n      disable: true\n';
  const [d] = of(disabled, 'healthcheck-missing');
  assert.equal(d.severity, 'warning');
  assert.equal(at(disabled, d), 'disable: true');
  assert.equal(of('services:\n  a:\n    image: x:1\n    healthcheck:\n      test: ["NONE"]\n', 'healthcheck-missing').length, 1);
  assert.equal(of('services:\n  a:\n    image: x:1\n    healthcheck:\n      test: ["CMD", "true"]\n', 'healthcheck-missing').length, 0);
  const [m] = of('services:\n  a:\n    image: x:1\n', 'healthcheck-missing');
  assert.equal(m.severity, 'info');
  assert.deepEqual(m.fixes[0].edits, []);
  assert.match(m.fixes[0].snippet!.body, /\n {4}healthcheck:\n {6}test: \["CMD-SHELL"/);
});

test('user-root: root, 0:0 and unset; interpolated is never judged', () => {
  const text = 'services:\n  a:\n    image: x:1\n    user: "0:0"\n';
  assert.equal(fixRule(text, 'user-root'), 'services:\n  a:\n    image: x:1\n    user: "10001:10001"\n');
  assert.equal(of('services:\n  a:\n    image: x:1\n    user: root\n', 'user-root')[0].severity, 'warning');
  assert.equal(of('services:\n  a:\n    image: x:1\n', 'user-root')[0].severity, 'info');
  assert.equal(of('services:\n  a:\n    image: x:1\n    user: ${APP_UID}\n', 'user-root').length, 0);
  assert.equal(of('services:\n  a:\n    image: x:1\n    user: "1000:1000"\n', 'user-root').length, 0);
});

test('image-unpinned: latest, untagged, tag without digest; build and an undecided variable skipped, a default judged', () => {
  const text = 'services:\n  a:\n    image: nginx\n  b:\n    image: nginx:latest\n  c:\n    image: registry:5000/nginx:1.25\n  d:\n    image: nginx:1.25@sha256:' + 'a'.repeat(64) + '\n  e:\n    build: .\n    image: me/app\n  f:\n    image: nginx:${TAG}\n  g:\n    image: nginx:${TAG:-latest}\n';
  const found = of(text, 'image-unpinned');
  assert.deepEqual(found.map((f) => [at(text, f), f.severity]), [['nginx', 'warning'], ['nginx:latest', 'warning'], ['registry:5000/nginx:1.25', 'info'], ['nginx:${TAG:-latest}', 'warning']]);
  assert.match(found[3].message, /default of \$\{TAG\}/);
});

test('secret-in-env: map and list forms, connection strings; values never in messages', () => {
  const text = [
    'services:',
    '  a:',
    '    image: x:1',
    '    environment:',
    '      POSTGRES_PASSWORD: hunter2',
    '      API_TOKEN: "${API_TOKEN}"',
    '      PASSWORD_FILE: /run/secrets/pw',
    '      DATABASE_URL: postgres://app:topsecret@db:5432/app',
    '  b:',
    '    image: x:1',
    '    environment:',
    '      - SECRET_KEY=abc123',
    '      - DEBUG=1',
    '',
  ].join('\n');
  const found = of(text, 'secret-in-env');
  assert.deepEqual(found.map((f) => at(text, f)), ['hunter2', 'postgres://app:topsecret@db:5432/app', 'SECRET_KEY=abc123']);
  for (const f of found) assert.doesNotMatch(f.message, /hunter2|topsecret|abc123/);
  const fixed = fixRule(text, 'secret-in-env');
  const v = parse(fixed);
  assert.equal(v.services.a.environment.POSTGRES_PASSWORD, '${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}', 'unset, compose refuses to start instead of running with an empty password');
  assert.deepEqual(v.services.b.environment, ['SECRET_KEY=${SECRET_KEY:?SECRET_KEY must be set}', 'DEBUG=1']);
});

test('logging-disabled and cgroup-parent', () => {
  const text = 'services:\n  a:\n    image: x:1\n    cgroup_parent: /custom\n    logging:\n      driver: none\n      options: {}\n';
  assert.equal(at(text, of(text, 'logging-disabled')[0]), 'driver: none');
  assert.equal(fixRule(text, 'logging-disabled'), 'services:\n  a:\n    image: x:1\n    cgroup_parent: /custom\n    logging:\n      driver: json-file\n      options: {}\n');
  assert.equal(at(text, of(text, 'cgroup-parent')[0]), 'cgroup_parent: /custom');
});

// ---- structure: flow maps, extends, overrides, CRLF, ignore comments ---------------------------

test('a flow-style service mapping gets flow-style insertions', () => {
  const text = 'services:\n  a: {image: "x:1", privileged: true}\n';
  assert.equal(fixRule(text, 'privileged'), 'services:\n  a: {image: "x:1"}\n');
  assert.equal(fixRule(text, 'read-only-rootfs'), 'services:\n  a: {image: "x:1", privileged: true, read_only: true}\n');
});

test('extends in the same file: the base is judged too and never edited; another file makes the service partial', () => {
  const text = 'services:\n  base:\n    image: x:1\n    read_only: true\n    privileged: true\n  app:\n    extends: base\n';
  const priv = of(text, 'privileged');
  assert.equal(priv.length, 2);
  assert.equal(of(text, 'read-only-rootfs').length, 0, 'app inherits read_only from base');
  const other = 'services:\n  app:\n    extends:\n      file: common.yml\n      service: web\n';
  for (const rule of ['read-only-rootfs', 'cap-drop-all', 'resource-limits', 'user-root', 'no-new-privileges', 'healthcheck-missing']) {
    assert.equal(of(other, rule).length, 0, `${rule} stays quiet: common.yml may set it`);
  }
});

test('override files and fragments: nothing "missing" is reported, present problems are', () => {
  const text = 'services:\n  web:\n    ports:\n      - "8080:80"\n    privileged: true\n';
  const found = lint(text, 'compose.override.yaml').map((f) => f.ruleId).sort();
  assert.deepEqual(found, ['port-all-interfaces', 'privileged']);
  assert.deepEqual(lint(text, 'docker-compose.yml').map((f) => f.ruleId).sort(), ['port-all-interfaces', 'privileged'], 'a service with neither image nor build is a fragment');
});

test('CRLF files keep CRLF in inserted lines', () => {
  const text = 'services:\r\n  app:\r\n    image: x:1\r\n';
  assert.equal(fixRule(text, 'read-only-rootfs'), 'services:\r\n  app:\r\n    image: x:1\r\n    read_only: true\r\n');
});

test('ignore comments work on compose findings', () => {
  const text = 'services:\n  app:\n    image: x:1\n    # bulkhead-ignore docker-socket -- portainer needs the API\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock # bulkhead-ignore docker-socket -- portainer\n';
  assert.equal(of(text, 'docker-socket').length, 0);
});

test('fix-all of every safe fix, then of every fix, converges and keeps the document valid', () => {
  const text = 'x-base: &base\n  restart: always\n  privileged: true\nservices:\n  web:\n    <<: *base\n    image: web:1.0\n    ports: ["80:80"]\n    volumes: [/etc:/etc]\n  db:\n    <<: *base\n    image: db:1.0\n    environment: {DB_PASSWORD: pw123456}\n';
  const safe = fixAll(text, { kind: 'compose' });
  assert.equal(fixAll(safe.text, { kind: 'compose' }).text, safe.text);
  const all = fixAll(text, { kind: 'compose', unsafe: true });
  assert.equal(fixAll(all.text, { kind: 'compose', unsafe: true }).text, all.text);
  const value = parse(all.text, { merge: true });
  assert.equal(value.services.web.privileged, false);
  assert.equal(value.services.web.read_only, true);
  assert.deepEqual(value.services.web.cap_drop, ['ALL']);
  assert.deepEqual(value.services.web.volumes, ['/etc:/etc:ro']);
  assert.equal(value['x-base'].privileged, true, 'the shared anchor itself is untouched');
  const left = new Set(all.remaining.map((f) => f.ruleId));
  for (const fixedRule of ['privileged', 'cap-drop-all', 'no-new-privileges', 'read-only-rootfs', 'restart-policy', 'port-all-interfaces', 'user-root']) {
    assert.ok(!left.has(fixedRule), `${fixedRule} fixed`);
  }
});

// ---- snippet -----------------------------------------------------------------------------------

/** Expands VS Code snippet syntax with each placeholder's default (enough for our snippets). */
function expandSnippet(body: string): string {
  const values = new Map<string, string>();
  let text = body.replace(/\\\$/g, '\u0000');
  for (let guard = 0; guard < 50 && /\$\{\d+:[^{}$]*\}/.test(text); guard++) {
    text = text.replace(/\$\{(\d+):([^{}$]*)\}/g, (_m, n: string, d: string) => {
      values.set(n, d);
      return d;
    });
    text = text.replace(/\$\{(\d+)\}/g, (m, n: string) => values.get(n) ?? m);
  }
  return text.replace(/\$\{(\d+)\}/g, (_m, n: string) => values.get(n) ?? '').replace(/\$0/g, '').replace(/\u0000/g, '$');
}

test('the hardened-service snippet, expanded with its defaults, has no hardening findings', async () => {
  const { readFileSync } = await import('node:fs');
  const { repoPath } = await import('../support/paths');
  const snippets = JSON.parse(readFileSync(repoPath('snippets', 'compose.code-snippets'), 'utf8')) as Record<string, { body: string[] }>;
  const service = expandSnippet(snippets['Hardened compose service'].body.join('\n'));
  const text = 'services:\n' + service.split('\n').map((l) => (l ? '  ' + l : l)).join('\n');
  const value = parse(text);
  assert.equal(value.services.app.environment.DATABASE_PASSWORD, '${DATABASE_PASSWORD}');
  assert.deepEqual(lint(text).map((f) => `${f.ruleId}:${f.severity}`), ['image-unpinned:info']);
});

test('safe fixes are exactly the ones that keep behaviour: logging (no-new-privileges needs evidence)', () => {
  const text = 'services:\n  a:\n    image: x:1\n    privileged: true\n    cap_add: [SYS_ADMIN]\n    ports: ["8080:80"]\n    restart: always\n    logging: {driver: none}\n    volumes: [/etc:/etc]\n    tmpfs: [/tmp:exec]\n    environment: {DB_PASSWORD: abcdef}\n';
  const safe = new Set(lint(text).filter((f) => f.fixes.some((x) => x.safe && x.edits.length)).map((f) => f.ruleId));
  assert.deepEqual([...safe].sort(), ['logging-disabled']);
  const fixed = fixAll(text, { kind: 'compose' }).text;
  assert.match(fixed, /privileged: true/);
  assert.match(fixed, /logging: \{driver: json-file\}/);
  assert.doesNotMatch(fixed, /no-new-privileges/);
});

test('extends appends list keys: cap_drop ALL and no-new-privileges of the base count for the child', () => {
  const text = 'services:\n  base:\n    image: x:1\n    cap_drop: [ALL]\n    security_opt: ["no-new-privileges:true"]\n  app:\n    extends: base\n    cap_drop: [NET_RAW]\n    security_opt: [apparmor:docker-default]\n';
  assert.equal(of(text, 'cap-drop-all').length, 0);
  assert.equal(of(text, 'no-new-privileges').length, 0);
  const fragment = 'services:\n  web:\n    cap_drop: [NET_RAW]\n    security_opt: [apparmor:docker-default]\n';
  assert.equal(of(fragment, 'cap-drop-all').length, 0, 'the base file may add ALL');
  assert.equal(of(fragment, 'no-new-privileges').length, 0);
  assert.equal(of('services:\n  web:\n    security_opt: [no-new-privileges:false]\n', 'no-new-privileges').length, 1, 'an explicit disable still counts');
});

test('ulimits: an override is a note, unlimited a warning', () => {
  const text = 'services:\n  a:\n    image: x:1\n    ulimits:\n      nofile: {soft: 20000, hard: 40000}\n  b:\n    image: x:1\n    ulimits:\n      nproc: -1\n';
  const found = of(text, 'ulimits');
  assert.deepEqual(found.map((f) => [at(text, f), f.severity]), [['ulimits', 'info'], ['nproc: -1', 'warning']]);
});
