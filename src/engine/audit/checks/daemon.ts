// Section 2: Docker daemon configuration. API facts (info, networks) are used where the engine
// reports them, so these also run against remote engines; the rest need dockerd's flags and daemon.json.
import { describeSetting } from '../daemon-config';
import { daemonSetting, skip, type AuditContext, type CheckDef, type Outcome } from '../context';

const secOpt = (ctx: AuditContext, name: string) => ctx.securityOptions.find((o) => o === `name=${name}` || o.startsWith(`name=${name},`));

/** A check decided by one daemon setting. */
function setting(ctx: AuditContext, key: string, judge: (value: unknown) => 'pass' | 'warn' | 'info'): Outcome {
  const got = daemonSetting(ctx, key);
  if ('outcome' in got) return got.outcome;
  return { status: judge(got.setting?.value), evidence: [describeSetting(key, got.setting)] };
}

const isFalse = (v: unknown) => v === false || v === 'false';
const isTrue = (v: unknown) => v === true || v === 'true';

function icc(ctx: AuditContext): Outcome {
  const bridge = ctx.ev.networks.find((n) => n.Name === 'bridge' && n.Driver === 'bridge');
  const opt = bridge?.Options?.['com.docker.network.bridge.enable_icc'];
  if (opt !== undefined) return { status: opt === 'false' ? 'pass' : 'warn', evidence: [`default bridge network: com.docker.network.bridge.enable_icc=${opt}`] };
  // No default bridge (--bridge none): the daemon setting is all there is.
  return setting(ctx, 'icc', (v) => (isFalse(v) ? 'pass' : 'warn'));
}

function insecureRegistries(ctx: AuditContext): Outcome {
  const reg = ctx.ev.info?.RegistryConfig;
  if (!reg) return skip('engine info unavailable');
  // 127.0.0.0/8 (and ::1/128) are always listed by dockerd itself.
  const cidrs = (reg.InsecureRegistryCIDRs ?? []).filter((c) => c !== '127.0.0.0/8' && c !== '::1/128');
  const names = Object.values(reg.IndexConfigs ?? {}).filter((i) => i.Secure === false).map((i) => i.Name ?? '?');
  const all = [...cidrs, ...names];
  return all.length ? { status: 'warn', evidence: [`insecure registries: ${all.join(', ')}`] } : { status: 'pass', evidence: ['no insecure registries besides loopback'] };
}

function tls(ctx: AuditContext): Outcome {
  if (!ctx.host) {
    const h = ctx.ev.engine.host;
    if (/^tcp:|^http:/.test(h) && !/^https:/.test(h)) return { status: 'info', evidence: [`engine reached at ${h}; whether it requires client certificates cannot be seen from here`] };
    return skip('remote engine: daemon configuration not visible', `engine reached at ${h}`);
  }
  const got = daemonSetting(ctx, 'hosts');
  if ('outcome' in got) return got.outcome;
  const hosts = ([] as unknown[]).concat(got.setting?.value ?? []).map(String);
  const tcp = hosts.filter((h) => /^(tcp|http):\/\//.test(h) || /^:?\d+$/.test(h) || /^[\d.]+:\d+$/.test(h));
  if (!tcp.length) return { status: 'pass', evidence: [`listens only on local sockets: ${hosts.join(', ') || 'default socket'}`] };
  const verify = ctx.daemon?.settings.get('tlsverify')?.value;
  const missing = ['tlscacert', 'tlscert', 'tlskey'].filter((k) => !ctx.daemon?.settings.get(k));
  const ok = isTrue(verify) && !missing.length;
  return { status: ok ? 'pass' : 'warn', evidence: [`TCP listeners: ${tcp.join(', ')}`, describeSetting('tlsverify', ctx.daemon?.settings.get('tlsverify')), ...(missing.length ? [`missing: ${missing.join(', ')}`] : [])] };
}

const REMOTE_LOG_DRIVERS = ['syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'gcplogs', 'logentries', 'etwlogs'];

export const SECTION_2: CheckDef[] = [
  {
    id: '2.1',
    title: 'Run the Docker daemon as a non-root user, if possible',
    level: 1,
    scored: false,
    remediation: 'Run the engine rootless (`dockerd-rootless-setuptool.sh install`) or use Podman rootless where the workload allows it.',
    impact: 'Rootless mode cannot use some features (privileged ports without setcap, AppArmor, overlay networks, some storage drivers).',
    run: (ctx) => {
      if (secOpt(ctx, 'rootless') || ctx.ev.engine.flavor === 'rootless-docker') return { status: 'pass', evidence: [`${ctx.ev.engine.flavor} engine runs rootless (SecurityOptions name=rootless)`] };
      return { status: 'info', evidence: [`${ctx.ev.engine.flavor} engine runs as root (no name=rootless in SecurityOptions)`] };
    },
  },
  {
    id: '2.2',
    title: 'Ensure network traffic is restricted between containers on the default bridge',
    level: 1,
    scored: true,
    remediation: 'Set `"icc": false` in daemon.json and use user-defined networks for containers that must talk.',
    impact: 'Containers on the default bridge can no longer reach each other unless linked.',
    run: icc,
  },
  {
    id: '2.3',
    title: "Ensure the logging level is set to 'info'",
    level: 1,
    scored: true,
    remediation: 'Set `"log-level": "info"` (or remove the setting) in daemon.json.',
    impact: 'None.',
    run: (ctx) => {
      const out = setting(ctx, 'log-level', (v) => (v === undefined || v === 'info' ? 'pass' : 'warn'));
      const debug = ctx.daemon?.settings.get('debug');
      if (out.status === 'pass' && debug && isTrue(debug.value)) return { status: 'warn', evidence: [...out.evidence, describeSetting('debug', debug)] };
      return out;
    },
  },
  {
    id: '2.4',
    title: 'Ensure Docker is allowed to make changes to iptables',
    level: 1,
    scored: true,
    remediation: 'Remove `--iptables=false` / `"iptables": false`.',
    impact: 'Docker manages firewall rules for published ports.',
    run: (ctx) => setting(ctx, 'iptables', (v) => (isFalse(v) ? 'warn' : 'pass')),
  },
  {
    id: '2.5',
    title: 'Ensure insecure registries are not used',
    level: 1,
    scored: true,
    remediation: 'Remove `insecure-registries` and give registries TLS certificates (/etc/docker/certs.d/).',
    impact: 'Registries without TLS can no longer be used.',
    run: insecureRegistries,
  },
  {
    id: '2.6',
    title: 'Ensure aufs storage driver is not used',
    level: 1,
    scored: true,
    remediation: 'Use overlay2.',
    impact: 'Changing the storage driver hides existing images and containers until migrated.',
    run: (ctx) => (ctx.ev.info?.Driver ? { status: ctx.ev.info.Driver === 'aufs' ? 'warn' : 'pass', evidence: [`storage driver: ${ctx.ev.info.Driver}`] } : skip('engine info unavailable')),
  },
  {
    id: '2.7',
    title: 'Ensure TLS authentication for Docker daemon is configured',
    level: 1,
    scored: true,
    remediation: 'If dockerd listens on TCP, set `tlsverify`, `tlscacert`, `tlscert` and `tlskey`; better, reach remote engines over ssh://.',
    impact: 'Clients need certificates.',
    run: tls,
  },
  {
    id: '2.8',
    title: 'Ensure the default ulimit is configured appropriately',
    level: 1,
    scored: false,
    remediation: 'Set `default-ulimits` in daemon.json (e.g. nofile, nproc) to what your workloads need.',
    impact: 'Processes hitting the limit fail.',
    run: (ctx) => setting(ctx, 'default-ulimits', (v) => (v === undefined || (typeof v === 'object' && v !== null && !Object.keys(v).length) ? 'warn' : 'pass')),
  },
  {
    id: '2.9',
    title: 'Enable user namespace support',
    level: 2,
    scored: true,
    remediation: 'Set `"userns-remap": "default"` in daemon.json.',
    impact: 'Existing images and volumes need re-pulling/chowning; host namespace sharing and some volume drivers stop working.',
    run: (ctx) => {
      if (!ctx.ev.info) return skip('engine info unavailable');
      if (secOpt(ctx, 'userns')) return { status: 'pass', evidence: ['SecurityOptions: name=userns'] };
      if (secOpt(ctx, 'rootless')) return { status: 'pass', evidence: ['rootless engine: containers run in the user namespace of an unprivileged user'] };
      return { status: 'warn', evidence: [`SecurityOptions: ${ctx.securityOptions.join(' ') || 'none'} (no userns)`] };
    },
  },
  {
    id: '2.10',
    title: 'Ensure the default cgroup usage has been confirmed',
    level: 2,
    scored: true,
    remediation: 'Leave `cgroup-parent` unset unless a specific cgroup is intended.',
    impact: 'None.',
    run: (ctx) => setting(ctx, 'cgroup-parent', (v) => (v === undefined || v === '' ? 'pass' : 'info')),
  },
  {
    id: '2.11',
    title: 'Ensure base device size is not changed until needed',
    level: 2,
    scored: true,
    remediation: 'Remove `dm.basesize` from `storage-opts` unless needed.',
    impact: 'None.',
    run: (ctx) => setting(ctx, 'storage-opts', (v) => (([] as unknown[]).concat(v ?? []).some((o) => String(o).startsWith('dm.basesize')) ? 'warn' : 'pass')),
  },
  {
    id: '2.12',
    title: 'Ensure that authorization for Docker client commands is enabled',
    level: 2,
    scored: true,
    remediation: 'Install an authorization plugin and list it in `authorization-plugins`.',
    impact: 'Every API call goes through the plugin.',
    run: (ctx) => {
      if (!ctx.ev.info) return skip('engine info unavailable');
      const plugins = ctx.ev.info.Plugins?.Authorization ?? [];
      return { status: plugins.length ? 'pass' : 'warn', evidence: [`authorization plugins: ${plugins.join(', ') || 'none'}`] };
    },
  },
  {
    id: '2.13',
    title: 'Ensure centralized and remote logging is configured',
    level: 2,
    scored: true,
    remediation: 'Set `log-driver` to a remote driver (syslog, gelf, fluentd, awslogs, splunk…) with its `log-opts`.',
    impact: '`docker logs` may not work with some drivers.',
    run: (ctx) => {
      const d = ctx.ev.info?.LoggingDriver;
      if (!d) return skip('engine info unavailable');
      return { status: REMOTE_LOG_DRIVERS.includes(d) ? 'pass' : 'warn', evidence: [`default logging driver: ${d}${d === 'journald' ? ' (central only if the journal is forwarded)' : ''}`] };
    },
  },
  {
    id: '2.14',
    title: 'Ensure containers are restricted from acquiring new privileges',
    level: 2,
    scored: true,
    remediation: 'Set `"no-new-privileges": true` in daemon.json.',
    impact: 'setuid binaries (sudo, ping on some images) no longer gain privileges inside containers.',
    run: (ctx) => {
      if (secOpt(ctx, 'no-new-privileges')) return { status: 'pass', evidence: ['SecurityOptions: name=no-new-privileges'] };
      return setting(ctx, 'no-new-privileges', (v) => (isTrue(v) ? 'pass' : 'warn'));
    },
  },
  {
    id: '2.15',
    title: 'Ensure live restore is enabled',
    level: 1,
    scored: true,
    remediation: 'Set `"live-restore": true` in daemon.json.',
    impact: 'None (not available with swarm mode).',
    run: (ctx) => {
      if (!ctx.ev.info) return skip('engine info unavailable');
      if (ctx.ev.info.LiveRestoreEnabled) return { status: 'pass', evidence: ['LiveRestoreEnabled=true'] };
      if (ctx.ev.info.Swarm?.LocalNodeState === 'active') return { status: 'info', evidence: ['LiveRestoreEnabled=false; live restore is incompatible with swarm mode'] };
      return { status: 'warn', evidence: ['LiveRestoreEnabled=false'] };
    },
  },
  {
    id: '2.16',
    title: 'Ensure Userland Proxy is Disabled',
    level: 1,
    scored: true,
    remediation: 'Set `"userland-proxy": false` in daemon.json.',
    impact: 'Hairpin NAT is used instead; some old kernels lack it.',
    run: (ctx) => setting(ctx, 'userland-proxy', (v) => (isFalse(v) ? 'pass' : 'warn')),
  },
  {
    id: '2.17',
    title: 'Ensure that a daemon-wide custom seccomp profile is applied if appropriate',
    level: 2,
    scored: false,
    remediation: 'Set `seccomp-profile` to a profile tailored to your workloads when the default does not fit.',
    impact: 'A wrong profile breaks workloads.',
    run: (ctx) => {
      const s = secOpt(ctx, 'seccomp');
      if (!ctx.ev.info) return skip('engine info unavailable');
      if (!s) return { status: 'warn', evidence: ['seccomp is not enabled in this engine'] };
      const profile = /profile=([^,]+)/.exec(s)?.[1] ?? 'default';
      return { status: profile === 'default' || profile === 'builtin' ? 'info' : profile === 'unconfined' ? 'warn' : 'pass', evidence: [`seccomp profile: ${profile}`] };
    },
  },
  {
    id: '2.18',
    title: 'Ensure that experimental features are not implemented in production',
    level: 1,
    scored: true,
    remediation: 'Remove `"experimental": true`.',
    impact: 'Experimental features become unavailable.',
    run: (ctx) => (ctx.ev.info ? { status: ctx.ev.info.ExperimentalBuild ? 'warn' : 'pass', evidence: [`ExperimentalBuild=${!!ctx.ev.info.ExperimentalBuild}`] } : skip('engine info unavailable')),
  },
];
