import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ContainerInspect } from '../../src/engine/runtime/container';
import { decodeCapabilityMask, parseProcStatus } from '../../src/docker/capabilities';
import { DEFAULT_CAPABILITIES } from '../../src/engine/runtime/engine-defaults';
import { analyseInspect, composeLabels, mapLimited, type ContainerAnalysis } from '../../src/docker/containers';
import { hardenedComposeService, hardenedRunArgs, hardenedRunCommand, hardenedSpec } from '../../src/engine/runtime/hardened';
import { shellQuote } from '../../src/engine/output/shell-quote';
import { escapeMarkdown } from '../../src/engine/output/escape';
import { codeBlock, containerReportMarkdown, severitySummary } from '../../src/engine/output/container-report';
import { allContainerNodes, childrenOf, rootNodes, singleEngineProblem, type EngineSnapshot } from '../../src/extension/containers/model';

function inspectOf(over: { name?: string; config?: Partial<NonNullable<ContainerInspect['Config']>> & Record<string, unknown>; host?: Partial<NonNullable<ContainerInspect['HostConfig']>>; mounts?: ContainerInspect['Mounts']; state?: string }): ContainerInspect {
  return {
    Id: 'f'.repeat(64),
    Name: `/${over.name ?? 'web'}`,
    State: { Status: over.state ?? 'running', Running: (over.state ?? 'running') === 'running', Pid: 0 },
    Config: { Image: 'local/busybox:test', User: '', Env: ['PATH=/usr/bin'], Labels: {}, Cmd: ['sleep', '100'], ...over.config },
    HostConfig: { NetworkMode: 'default', ...over.host },
    Mounts: over.mounts ?? [],
  };
}

/** What POSIX sh makes of a command line: its argument vector (printed NUL-separated). */
function shellWords(commandLine: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${commandLine}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

test('capability masks decode to names; 0xa80425fb is exactly Docker\'s default set', () => {
  assert.deepEqual(new Set(decodeCapabilityMask('00000000a80425fb')), new Set(DEFAULT_CAPABILITIES.docker));
  assert.deepEqual(decodeCapabilityMask('0000000000200000'), ['SYS_ADMIN']);
  assert.deepEqual(decodeCapabilityMask('0'), []);
  assert.equal(decodeCapabilityMask('zz'), undefined);
  assert.ok(decodeCapabilityMask('000001ffffffffff')!.includes('CHECKPOINT_RESTORE'));
});

test('/proc/self/status parses into capability sets (real kernel text)', () => {
  const live = parseProcStatus(process.pid, readFileSync('/proc/self/status', 'utf8'));
  assert.ok(live, 'CapEff/CapPrm/CapBnd present');
  assert.ok(live.bounding.length >= live.effective.length);
  assert.ok(typeof live.seccomp === 'number');
  assert.equal(parseProcStatus(1, 'Name: x\n'), undefined);
});

test('shellQuote survives POSIX sh for hostile strings', () => {
  const hostile = ["it's", '$(touch /tmp/bulkhead-pwned)', '`id`', 'a b\tc', 'new\nline', '', '*', '--flag=x', 'héllo', "'''", '\\'];
  const line = hostile.map(shellQuote).join(' ');
  assert.deepEqual(shellWords(line), hostile);
  assert.equal(shellQuote('local/busybox:test'), 'local/busybox:test');
});

test('the hardened run command drops what the findings are about and keeps the workload', () => {
  const inspect = inspectOf({
    name: "evil'; rm -rf /",
    config: { User: '', Env: ['PATH=/usr/bin', 'DB_PASSWORD=hunter2', "GREETING=it's $(x)"], Cmd: ['sh', '-c', 'echo "$HOME" && sleep 9'], Entrypoint: ['/bin/tini', '--'] },
    host: {
      Privileged: true,
      CapAdd: ['SYS_ADMIN', 'NET_BIND_SERVICE'],
      SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined', 'label=level:s0:c100'],
      NetworkMode: 'host',
      PidMode: 'host',
      Devices: [{ PathOnHost: '/dev/kmsg', PathInContainer: '/dev/kmsg', CgroupPermissions: 'rwm' }],
      PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': [{ HostIp: '10.0.0.5', HostPort: '53' }] },
      RestartPolicy: { Name: 'always' },
    },
    mounts: [
      { Type: 'bind', Source: '/', Destination: '/host', RW: true },
      { Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock', RW: true },
      { Type: 'bind', Source: '/etc', Destination: '/host-etc', RW: true },
      { Type: 'bind', Source: '/srv/data dir', Destination: '/data', RW: true },
    ],
  });
  const spec = hardenedSpec(inspect);
  const args = hardenedRunArgs(spec);
  const command = hardenedRunCommand(inspect);
  const words = shellWords(command.split('\n').filter((l) => l && !l.startsWith('#')).join(' ').replace(/^docker /, ''));
  assert.deepEqual(words, args, 'the printed command is exactly the argument vector');
  assert.ok(!args.includes('--privileged'));
  assert.deepEqual(spec.capAdd, ['NET_BIND_SERVICE']);
  assert.deepEqual(spec.securityOpt, ['no-new-privileges:true', 'label=level:s0:c100']);
  assert.ok(!args.some((a) => /docker\.sock/.test(a)), 'engine socket not mounted');
  assert.ok(!args.includes('/:/host'));
  assert.ok(!args.some((a) => a.startsWith('/etc:')), 'a whole sensitive directory is not mounted, not even read-only (sensitive-mount flags both)');
  assert.ok(args.includes('/srv/data dir:/data'));
  assert.ok(args.includes('127.0.0.1:8080:80') && args.includes('10.0.0.5:53:53/udp'));
  assert.ok(!args.includes('--network') && !args.includes('--pid'));
  assert.ok(args.includes('--read-only') && args.join(' ').includes('--cap-drop ALL'));
  assert.deepEqual(args.slice(args.indexOf('--restart'), args.indexOf('--restart') + 2), ['--restart', 'on-failure:5']);
  assert.ok(args.includes('DB_PASSWORD') && !command.includes('hunter2'), 'secret values are not copied');
  assert.deepEqual(args.slice(-7), ['--entrypoint', '/bin/tini', 'local/busybox:test', '--', 'sh', '-c', 'echo "$HOME" && sleep 9']);
  assert.equal(args[args.indexOf('--user') + 1], '65534:65534');
  assert.ok(spec.notes.some((n) => /privileged removed/.test(n)));
});

test('the hardened compose service is valid YAML 1.1 with compose interpolation escaped', () => {
  const inspect = inspectOf({
    config: { User: 'app', Env: ['MSG=cost $5', 'PATH=/bin'], Cmd: ['echo', 'no'] },
    host: { PortBindings: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '80' }] }, Memory: 268435456, NanoCpus: 500000000, PidsLimit: 100 },
    mounts: [{ Type: 'volume', Source: '/var/lib/docker/volumes/data/_data', Destination: '/data', RW: true, Name: 'data' }],
  });
  const text = hardenedComposeService(inspect, 'api');
  const parsed = parse(text, { version: '1.1' }) as Record<string, Record<string, unknown>>;
  const api = parsed.api;
  assert.equal(api.user, 'app');
  assert.deepEqual(api.command, ['echo', 'no'], '"no" stays a string for PyYAML');
  assert.deepEqual(api.environment, ['MSG=cost $$5', 'PATH=/bin']);
  assert.deepEqual(api.ports, ['127.0.0.1:80:80']);
  assert.deepEqual(api.volumes, ['data:/data']);
  assert.deepEqual([api.mem_limit, api.cpus, api.pids_limit, api.read_only], ['256m', 0.5, 100, true]);
  assert.deepEqual(api.cap_drop, ['ALL']);
  assert.equal(api.restart, 'no');
  assert.match(text, /^ {2}api:/m, 'indented to paste under services:');
});

test('markdown escaping keeps Docker strings literal; code fences outgrow backticks', () => {
  assert.equal(escapeMarkdown('[x](javascript:alert(1))'), '\\[x\\]\\(javascript:alert\\(1\\)\\)');
  assert.equal(escapeMarkdown('<img src=x>'), '\\<img src=x\\>');
  assert.equal(escapeMarkdown('a\nb'), 'a\\\\nb', 'a line break is shown, never breaks a table row');
  assert.match(codeBlock('echo ```'), /^````\n/);
});

test('the report names every finding with rule id, message and evidence', async () => {
  const a = await analyseInspect(inspectOf({ name: 'evil](http://x)', host: { Privileged: true } }), 'unix:///var/run/docker.sock');
  const md = containerReportMarkdown(a);
  assert.ok(a.findings.length > 0);
  for (const f of a.findings) assert.ok(md.includes(`\`${f.ruleId}\``), f.ruleId);
  assert.ok(md.includes('evil\\]\\(http://x\\)'));
  assert.match(md, /## Hardened `docker run`/);
  assert.ok(severitySummary(a.findings).length > 0);
});

test('compose labels are read from the engine labels', () => {
  assert.equal(composeLabels({}), undefined);
  assert.deepEqual(
    composeLabels({
      'com.docker.compose.project': 'shop',
      'com.docker.compose.service': 'db',
      'com.docker.compose.project.working_dir': '/src/shop',
      'com.docker.compose.project.config_files': 'compose.yml,compose.override.yml',
    }),
    { project: 'shop', service: 'db', workingDir: '/src/shop', configFiles: ['compose.yml', 'compose.override.yml'] },
  );
});

test('mapLimited keeps order and never exceeds its limit', async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapLimited([...Array(25).keys()], 4, async (i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, 1 + (i % 3)));
    inFlight--;
    return i * 2;
  });
  assert.deepEqual(out, [...Array(25).keys()].map((i) => i * 2));
  assert.equal(peak, 4);
  assert.deepEqual(await mapLimited([], 4, async (x) => x), []);
});

async function analysis(name: string, over: Parameters<typeof inspectOf>[0], engine = 'unix:///var/run/docker.sock'): Promise<ContainerAnalysis> {
  return analyseInspect({ ...inspectOf({ name, ...over }), Id: name.padEnd(64, '0') }, engine);
}

test('tree model: compose projects first, then standalone; one root per engine when several', async () => {
  const composeLabelsOf = (project: string, service: string) => ({ 'com.docker.compose.project': project, 'com.docker.compose.service': service, 'com.docker.compose.project.config_files': '/x/compose.yml' });
  const snapshot: EngineSnapshot = {
    target: { host: 'unix:///var/run/docker.sock', source: 'default socket' },
    status: 'ready',
    containers: [
      await analysis('alone', { host: { Privileged: true } }),
      await analysis('shop-db-1', { config: { Labels: composeLabelsOf('shop', 'db') } }),
      await analysis('shop-web-1', { config: { Labels: composeLabelsOf('shop', 'web') }, state: 'exited' }),
    ],
  };
  const roots = rootNodes([snapshot]);
  assert.deepEqual(roots.map((n) => [n.kind, n.label]), [
    ['project', 'shop'],
    ['container', 'alone (local/busybox:test)'],
  ]);
  const alone = roots[1];
  assert.equal(alone.kind === 'container' && alone.worst, 'error');
  assert.match(alone.kind === 'container' ? alone.description : '', /^running · \d+ errors?/);
  const findings = childrenOf(alone, [snapshot]);
  assert.ok(findings.some((n) => n.kind === 'finding' && n.finding.ruleId === 'privileged'));
  assert.deepEqual(childrenOf(roots[0], [snapshot]).map((n) => n.label), ['shop-db-1 (local/busybox:test)', 'shop-web-1 (local/busybox:test)']);
  assert.match(childrenOf(roots[0], [snapshot])[1].kind === 'container' ? (childrenOf(roots[0], [snapshot])[1] as { description: string }).description : '', /^exited/);

  const down: EngineSnapshot = {
    target: { host: 'unix:///run/user/1000/docker.sock', source: 'rootless Docker' },
    status: 'problem',
    problem: { kind: 'permissionDenied', message: 'Permission denied on the Docker socket /run/user/1000/docker.sock.', hint: 'docker group' },
    containers: [],
  };
  const two = rootNodes([snapshot, down]);
  assert.deepEqual(two.map((n) => n.kind), ['engine', 'engine']);
  const [problemNode] = childrenOf(two[1], [snapshot, down]);
  assert.deepEqual([problemNode.kind, problemNode.label], ['problem', 'Permission denied on the Docker socket']);
  assert.equal(problemNode.kind === 'problem' && problemNode.problem.message, down.problem!.message);
  assert.equal(allContainerNodes([snapshot, down]).length, 3);
  assert.deepEqual(rootNodes([{ ...snapshot, containers: [] }]).map((n) => n.kind), ['empty']);
  assert.deepEqual(rootNodes([down]), [], 'a lone engine in trouble: the welcome view explains it');
  assert.equal(singleEngineProblem([down])?.kind, 'permissionDenied');
  assert.equal(singleEngineProblem([snapshot, down]), undefined);
});
