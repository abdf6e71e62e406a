// Section 1 (host configuration) and section 3 (daemon configuration files).
import { describeFile, modeWithin, octal, ownedBy } from '../files';
import { REMOTE_HOST, skip, type AuditContext, type CheckDef, type Outcome } from '../context';
import type { FileEvidence, MountEntry } from '../model';

const AUDIT_REMEDIATION = (path: string) =>
  `Add a watch rule, e.g. \`-w ${path} -k docker\`, to a file in /etc/audit/rules.d/ and reload the rules (\`augenrules --load\`).`;
const AUDIT_IMPACT = 'Audit logs grow; plan log rotation and archiving.';

/** A file the check needs, or an Outcome saying why it cannot be judged. */
function hostFile(ctx: AuditContext, path: string | undefined, what: string): { file: FileEvidence } | { outcome: Outcome } {
  if (!ctx.host) return { outcome: skip(REMOTE_HOST) };
  if (!path) return { outcome: { status: 'info', evidence: [`${what}: not configured on this host`] } };
  const file = ctx.host.files[path];
  if (!file) return { outcome: skip(`${path} was not examined`) };
  if (file.error) return { outcome: skip(/EACCES|EPERM/.test(file.error) ? `needs root: ${path}: ${file.error}` : `${path}: ${file.error}`) };
  if (!file.exists) return { outcome: { status: 'info', evidence: [`${path}: not present on this host`] } };
  return { file };
}

function ownerCheck(ctx: AuditContext, path: string | undefined, what: string, owner: string, groups: string[]): Outcome {
  const got = hostFile(ctx, path, what);
  if ('outcome' in got) return got.outcome;
  return { status: ownedBy(got.file, owner, groups) ? 'pass' : 'warn', evidence: [describeFile(got.file), `expected ${owner}:${groups.join(' or ')}`] };
}

function modeCheck(ctx: AuditContext, path: string | undefined, what: string, allowed: number): Outcome {
  const got = hostFile(ctx, path, what);
  if ('outcome' in got) return got.outcome;
  if (got.file.mode === undefined) return skip(`${path}: mode unknown`);
  return { status: modeWithin(got.file.mode, allowed) ? 'pass' : 'warn', evidence: [describeFile(got.file), `expected ${octal(allowed)} or stricter (no permission bit outside ${octal(allowed)})`] };
}

/** Owner + mode checks over a set of files (registry certificates). */
function manyFiles(ctx: AuditContext, files: FileEvidence[] | undefined, what: string, judge: (f: FileEvidence) => boolean, expected: string): Outcome {
  if (!ctx.host) return skip(REMOTE_HOST);
  if (!files?.length) return { status: 'info', evidence: [`no ${what} on this host`] };
  const denied = files.find((f) => f.error && /EACCES|EPERM/.test(f.error));
  if (denied) return skip(`needs root: ${denied.path}: ${denied.error}`);
  const bad = files.filter((f) => f.exists && !judge(f));
  return { status: bad.length ? 'warn' : 'pass', evidence: [...(bad.length ? bad : files).map(describeFile), `expected ${expected}`] };
}

/** The first rule that covers `path`: a watch on it or on a parent directory (watches are recursive), or a path/dir filter. */
function coveringRule(rules: readonly string[], path: string): string | undefined {
  const covers = (target: string, subtree: boolean) => path === target || (subtree && path.startsWith(target.replace(/\/+$/, '') + '/'));
  return rules.find((rule) => {
    const tokens = rule.split(/\s+/);
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i] === '-w' && tokens[i + 1] && covers(tokens[i + 1], true)) return true;
      if (tokens[i] === '-F') {
        const m = /^(path|dir)=(.+)$/.exec(tokens[i + 1] ?? '');
        if (m && covers(m[2], m[1] === 'dir')) return true;
      }
    }
    return false;
  });
}

function auditRuleCheck(ctx: AuditContext, path: string | undefined, what: string): Outcome {
  if (!ctx.host) return skip(REMOTE_HOST);
  if (!path) return { status: 'info', evidence: [`${what}: not present on this host`] };
  const file = ctx.host.files[path];
  if (file && !file.exists && !file.error) return { status: 'info', evidence: [`${path}: not present on this host`] };
  const remediation = AUDIT_REMEDIATION(path);
  const { rules, sources, error, onDisk } = ctx.host.auditRules;
  const loadedKnown = sources.length > 0;
  const loaded = coveringRule(rules, path);
  if (loaded) return { status: 'pass', evidence: [`loaded audit rule: ${loaded}`, `rules read from ${sources.join(', ')}`], remediation };
  const configured = onDisk ? coveringRule(onDisk.rules, path) : undefined;
  const diskNote = onDisk?.files.length ? `rules files: ${onDisk.files.join(', ')}` : 'no audit rules files';
  if (configured && loadedKnown) {
    return { status: 'warn', evidence: [`configured but not loaded: ${configured}`, `auditctl -l does not list it (${rules.length} rule(s) loaded)`, diskNote], remediation: 'Load the configured rules: `augenrules --load` (or restart auditd), then check `auditctl -l`.' };
  }
  if (!loadedKnown) {
    const why = `loaded audit rules unknown: ${error ?? 'auditctl did not run'}`;
    if (configured) return skip(why, `configured (on disk only, loading not verified): ${configured}`, diskNote);
    if (error && /EACCES|EPERM|permission|not trusted/i.test(error)) return skip(/not trusted/.test(error) ? why : `needs root: ${error}`, `no rule for ${path} on disk either`);
    return { status: 'warn', evidence: [`no audit rule watches ${path}`, why, diskNote], remediation };
  }
  return { status: 'warn', evidence: [`no audit rule watches ${path}`, `${rules.length} rule(s) loaded (auditctl -l)`, diskNote], remediation };
}

function mountOf(mounts: MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const prefix = m.mountPoint === '/' ? '/' : m.mountPoint + '/';
    if ((path === m.mountPoint || path.startsWith(prefix)) && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

function separatePartition(ctx: AuditContext): Outcome {
  if (!ctx.host) return skip(REMOTE_HOST);
  if (!ctx.host.mounts) return skip(`mount table unreadable: ${ctx.host.mountsError ?? 'unknown error'}`);
  const rootDir = ctx.ev.info?.DockerRootDir ?? '/var/lib/docker';
  const m = mountOf(ctx.host.mounts, rootDir);
  const root = mountOf(ctx.host.mounts, '/');
  if (!m || !root) return skip('mount table has no root filesystem');
  const line = `${rootDir} is on ${m.mountPoint} (${m.fsType} ${m.source}, device ${m.device}${m.root !== '/' ? `, bind mount of ${m.root}` : ''})`;
  // A bind mount (root field not "/") of a directory on the root filesystem is not a partition:
  // what matters is the device, not whether something is mounted at that path.
  if (m.mountPoint === '/' || m.device === root.device) return { status: 'warn', evidence: [line, `same device as / (${root.device})`] };
  return { status: 'pass', evidence: [line] };
}

function trustedUsers(ctx: AuditContext): Outcome {
  if (!ctx.host) return skip(REMOTE_HOST);
  const members = ctx.host.dockerGroupMembers;
  if (!members) return { status: 'info', evidence: ['no docker group on this host'] };
  if (!members.length) return { status: 'pass', evidence: ['docker group has no members'] };
  return { status: 'info', evidence: [`docker group members (each is root-equivalent): ${members.join(', ')}`] };
}

const FILE_IMPACT = 'None for correctly set up hosts.';

/** `usual` is the common location, for the generic remediation; outcomes name the resolved path. */
function auditCheck(id: string, path: (ctx: AuditContext) => string | undefined, shown: string, usual = shown): CheckDef {
  return {
    id,
    title: `Ensure auditing is configured for Docker files and directories - ${shown}`,
    level: 1,
    scored: true,
    remediation: AUDIT_REMEDIATION(usual),
    impact: AUDIT_IMPACT,
    run: (ctx) => auditRuleCheck(ctx, path(ctx), shown),
  };
}

const fixed = (p: string) => () => p;
const dockerRoot = (ctx: AuditContext) => ctx.ev.info?.DockerRootDir ?? '/var/lib/docker';
const daemonJson = (ctx: AuditContext) => ctx.daemon?.configFile ?? ctx.host?.daemon?.configPath ?? '/etc/docker/daemon.json';
const dockerdBinary = (ctx: AuditContext) => ctx.host?.daemon?.binary ?? (ctx.host?.daemon?.cmdline?.[0]?.startsWith('/') ? ctx.host.daemon.cmdline[0] : '/usr/bin/dockerd');
const tlsPath = (key: string) => (ctx: AuditContext) => {
  const v = ctx.daemon?.settings.get(key)?.value;
  return typeof v === 'string' && v ? v : undefined;
};

export const SECTION_1: CheckDef[] = [
  {
    id: '1.1.1',
    title: 'Ensure a separate partition for containers has been created',
    level: 2,
    scored: true,
    remediation: 'Create a separate partition (or logical volume) for the Docker root directory and mount it at that path.',
    impact: 'None.',
    run: separatePartition,
  },
  {
    id: '1.1.2',
    title: 'Ensure only trusted users are allowed to control Docker daemon',
    level: 1,
    scored: true,
    remediation: 'Remove untrusted users from the docker group (`gpasswd -d USER docker`).',
    impact: 'Removed users need sudo or rootless Docker to run containers.',
    run: trustedUsers,
  },
  { ...auditCheck('1.1.3', dockerdBinary, 'dockerd', '/usr/bin/dockerd'), title: 'Ensure auditing is configured for the Docker daemon' },
  auditCheck('1.1.4', fixed('/run/containerd'), '/run/containerd'),
  auditCheck('1.1.5', dockerRoot, '/var/lib/docker'),
  auditCheck('1.1.6', fixed('/etc/docker'), '/etc/docker'),
  auditCheck('1.1.7', (ctx) => ctx.host?.units.service, 'docker.service', '/lib/systemd/system/docker.service'),
  auditCheck('1.1.8', (ctx) => ctx.host?.units.containerdSocket, 'containerd.sock', '/run/containerd/containerd.sock'),
  auditCheck('1.1.9', (ctx) => ctx.host?.units.socket, 'docker.socket', '/lib/systemd/system/docker.socket'),
  auditCheck('1.1.10', fixed('/etc/default/docker'), '/etc/default/docker'),
  auditCheck('1.1.11', daemonJson, '/etc/docker/daemon.json'),
  auditCheck('1.1.12', fixed('/etc/containerd/config.toml'), '/etc/containerd/config.toml'),
  auditCheck('1.1.13', fixed('/etc/sysconfig/docker'), '/etc/sysconfig/docker'),
  auditCheck('1.1.14', fixed('/usr/bin/containerd'), '/usr/bin/containerd'),
  auditCheck('1.1.15', fixed('/usr/bin/containerd-shim'), '/usr/bin/containerd-shim'),
  auditCheck('1.1.16', fixed('/usr/bin/containerd-shim-runc-v1'), '/usr/bin/containerd-shim-runc-v1'),
  auditCheck('1.1.17', fixed('/usr/bin/containerd-shim-runc-v2'), '/usr/bin/containerd-shim-runc-v2'),
  auditCheck('1.1.18', fixed('/usr/bin/runc'), '/usr/bin/runc'),
  {
    id: '1.2.1',
    title: 'Ensure the container host has been Hardened',
    level: 2,
    scored: false,
    remediation: 'Harden the host per your OS benchmark (CIS Linux benchmarks, grsecurity/SELinux/AppArmor, minimal packages).',
    impact: 'Depends on the hardening applied.',
    run: (ctx) => ({ status: 'note', evidence: [`operating system: ${ctx.ev.info?.OperatingSystem ?? 'unknown'}, kernel ${ctx.ev.info?.KernelVersion ?? 'unknown'}`, 'manual review'] }),
  },
  {
    id: '1.2.2',
    title: 'Ensure that the version of Docker is up to date',
    level: 1,
    scored: false,
    remediation: 'Track the Docker release notes and upgrade to a maintained release.',
    impact: 'Upgrades can change behaviour; test them first.',
    run: (ctx) => ({
      status: 'info',
      evidence: [
        `engine ${ctx.ev.version?.Version ?? ctx.ev.info?.ServerVersion ?? 'unknown'} (API ${ctx.ev.version?.ApiVersion ?? '?'})`,
        ...(ctx.ev.version?.Components ?? []).filter((c) => c.Name !== 'Engine').map((c) => `${c.Name} ${c.Version}`),
        'compare with the maintained releases (offline: not looked up)',
      ],
    }),
  },
];

const sock = (ctx: AuditContext) => ctx.host?.units.dockerSocket ?? '/var/run/docker.sock';

/** `fix(path)` is the remediation; the generic one uses `usual`, each outcome the path it examined. */
function fileCheck(id: string, title: string, path: (ctx: AuditContext) => string | undefined, what: string, spec: { owner: string; groups: string[] } | { mode: number }, fix: (path: string) => string, usual: string): CheckDef {
  return {
    id,
    title,
    level: 1,
    scored: true,
    remediation: fix(usual),
    impact: FILE_IMPACT,
    run: (ctx) => {
      const resolved = path(ctx);
      const outcome = 'mode' in spec ? modeCheck(ctx, resolved, what, spec.mode) : ownerCheck(ctx, resolved, what, spec.owner, spec.groups);
      return resolved ? { ...outcome, remediation: fix(resolved) } : outcome;
    },
  };
}
const ROOT = { owner: 'root', groups: ['root'] };
const own = (p: string) => `\`chown root:root ${p}\``;
const chmod = (m: string, p: string) => `\`chmod ${m} ${p}\``;
const certs = (ctx: AuditContext) => ctx.host?.registryCertFiles;

export const SECTION_3: CheckDef[] = [
  fileCheck('3.1', "Ensure that the docker.service file ownership is set to root:root", (c) => c.host?.units.service, 'docker.service', ROOT, own, '/lib/systemd/system/docker.service'),
  fileCheck('3.2', 'Ensure that docker.service file permissions are appropriately set', (c) => c.host?.units.service, 'docker.service', { mode: 0o644 }, (p) => chmod('644', p), '/lib/systemd/system/docker.service'),
  fileCheck('3.3', 'Ensure that docker.socket file ownership is set to root:root', (c) => c.host?.units.socket, 'docker.socket', ROOT, own, '/lib/systemd/system/docker.socket'),
  fileCheck('3.4', 'Ensure that docker.socket file permissions are set to 644 or more restrictive', (c) => c.host?.units.socket, 'docker.socket', { mode: 0o644 }, (p) => chmod('644', p), '/lib/systemd/system/docker.socket'),
  fileCheck('3.5', 'Ensure that the /etc/docker directory ownership is set to root:root', fixed('/etc/docker'), '/etc/docker', ROOT, own, '/etc/docker'),
  fileCheck('3.6', 'Ensure that /etc/docker directory permissions are set to 755 or more restrictively', fixed('/etc/docker'), '/etc/docker', { mode: 0o755 }, (p) => chmod('755', p), '/etc/docker'),
  {
    id: '3.7',
    title: 'Ensure that registry certificate file ownership is set to root:root',
    level: 1,
    scored: true,
    remediation: '`chown root:root /etc/docker/certs.d/<registry>/*`',
    impact: FILE_IMPACT,
    run: (ctx) => manyFiles(ctx, certs(ctx), 'registry certificates in /etc/docker/certs.d', (f) => ownedBy(f, 'root', ['root']), 'root:root'),
  },
  {
    id: '3.8',
    title: 'Ensure that registry certificate file permissions are set to 444 or more restrictively',
    level: 1,
    scored: true,
    remediation: '`chmod 444 /etc/docker/certs.d/<registry>/*`',
    impact: FILE_IMPACT,
    run: (ctx) => manyFiles(ctx, certs(ctx), 'registry certificates in /etc/docker/certs.d', (f) => f.mode !== undefined && (f.type === 'dir' ? modeWithin(f.mode, 0o755) : modeWithin(f.mode, 0o444)), '444 or stricter'),
  },
  fileCheck('3.9', 'Ensure that TLS CA certificate file ownership is set to root:root', tlsPath('tlscacert'), 'TLS CA certificate (--tlscacert)', ROOT, own, '<tlscacert>'),
  fileCheck('3.10', 'Ensure that TLS CA certificate file permissions are set to 444 or more restrictively', tlsPath('tlscacert'), 'TLS CA certificate (--tlscacert)', { mode: 0o444 }, (p) => chmod('444', p), '<tlscacert>'),
  fileCheck('3.11', 'Ensure that Docker server certificate file ownership is set to root:root', tlsPath('tlscert'), 'server certificate (--tlscert)', ROOT, own, '<tlscert>'),
  fileCheck('3.12', 'Ensure that the Docker server certificate file permissions are set to 444 or more restrictively', tlsPath('tlscert'), 'server certificate (--tlscert)', { mode: 0o444 }, (p) => chmod('444', p), '<tlscert>'),
  fileCheck('3.13', 'Ensure that the Docker server certificate key file ownership is set to root:root', tlsPath('tlskey'), 'server key (--tlskey)', ROOT, own, '<tlskey>'),
  fileCheck('3.14', 'Ensure that the Docker server certificate key file permissions are set to 400', tlsPath('tlskey'), 'server key (--tlskey)', { mode: 0o400 }, (p) => chmod('400', p), '<tlskey>'),
  fileCheck('3.15', 'Ensure that the Docker socket file ownership is set to root:docker', sock, 'Docker socket', { owner: 'root', groups: ['docker', 'root'] }, (p) => `\`chown root:docker ${p}\``, '/var/run/docker.sock'),
  fileCheck('3.16', 'Ensure that the Docker socket file permissions are set to 660 or more restrictively', sock, 'Docker socket', { mode: 0o660 }, (p) => chmod('660', p), '/var/run/docker.sock'),
  fileCheck('3.17', 'Ensure that the daemon.json file ownership is set to root:root', daemonJson, 'daemon.json', ROOT, own, '/etc/docker/daemon.json'),
  fileCheck('3.18', 'Ensure that daemon.json file permissions are set to 644 or more restrictive', daemonJson, 'daemon.json', { mode: 0o644 }, (p) => chmod('644', p), '/etc/docker/daemon.json'),
  fileCheck('3.19', 'Ensure that the /etc/default/docker file ownership is set to root:root', fixed('/etc/default/docker'), '/etc/default/docker', ROOT, own, '/etc/default/docker'),
  fileCheck('3.20', 'Ensure that the /etc/default/docker file permissions are set to 644 or more restrictively', fixed('/etc/default/docker'), '/etc/default/docker', { mode: 0o644 }, (p) => chmod('644', p), '/etc/default/docker'),
  fileCheck('3.21', 'Ensure that the /etc/sysconfig/docker file permissions are set to 644 or more restrictively', fixed('/etc/sysconfig/docker'), '/etc/sysconfig/docker', { mode: 0o644 }, (p) => chmod('644', p), '/etc/sysconfig/docker'),
  fileCheck('3.22', 'Ensure that the /etc/sysconfig/docker file ownership is set to root:root', fixed('/etc/sysconfig/docker'), '/etc/sysconfig/docker', ROOT, own, '/etc/sysconfig/docker'),
  fileCheck('3.23', 'Ensure that the Containerd socket file ownership is set to root:root', (c) => c.host?.units.containerdSocket, 'containerd socket', ROOT, own, '/run/containerd/containerd.sock'),
  fileCheck('3.24', 'Ensure that the Containerd socket file permissions are set to 660 or more restrictively', (c) => c.host?.units.containerdSocket, 'containerd socket', { mode: 0o660 }, (p) => chmod('660', p), '/run/containerd/containerd.sock'),
];

/** Every host file sections 1 and 3 look at, so the probe stats exactly these. */
export const FIXED_HOST_PATHS = [
  '/etc/docker', '/etc/docker/daemon.json', '/etc/default/docker', '/etc/sysconfig/docker', '/etc/containerd/config.toml', '/run/containerd',
  '/usr/bin/containerd', '/usr/bin/containerd-shim', '/usr/bin/containerd-shim-runc-v1', '/usr/bin/containerd-shim-runc-v2', '/usr/bin/runc', '/var/lib/docker',
];
