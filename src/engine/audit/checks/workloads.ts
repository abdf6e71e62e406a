// Sections 4 (images), 5 (container runtime), 6 (security operations), 7 (swarm) and 8 (items
// added after CIS v1.6.0). Section 5 covers every container the engine has, not only running ones.
import { containerName, daemonSetting, perContainer, skip, type AuditContainer, type AuditContext, type CheckDef, type ContainerJudge, type Outcome } from '../context';
import { isRootUser } from '../../runtime/judge';
import { judgeSecret } from '../../runtime/secrets';
import type { ImageEvidence } from '../model';

const note = (...evidence: string[]): Outcome => ({ status: 'note', evidence: [...evidence, 'manual review'] });
const imageName = (i: ImageEvidence) => i.RepoTags?.find((t) => t !== '<none>:<none>') ?? i.Id.replace(/^sha256:/, '').slice(0, 12);
const hc = (c: AuditContainer) => c.HostConfig ?? {};
const secOpts = (c: AuditContainer) => hc(c).SecurityOpt ?? [];

function perImage(ctx: AuditContext, offends: (i: ImageEvidence) => string | undefined, found: 'warn' | 'info' = 'warn'): Outcome {
  if (!ctx.ev.images.length) return { status: 'pass', evidence: ['no images'] };
  const bad = ctx.ev.images.map((i) => [i, offends(i)] as const).filter(([, r]) => r);
  if (!bad.length) return { status: 'pass', evidence: [`${ctx.ev.images.length} image(s) checked`] };
  return { status: found, evidence: [...bad.map(([i, r]) => `${imageName(i)}: ${r}`), `${ctx.ev.images.length} image(s) checked`] };
}

const UPDATE_ALONE = /\b(apt-get|apt|yum|dnf|apk|zypper|microdnf)\s+(-\S+\s+)*(update|upgrade)\b/;
const INSTALL = /\b(install|add)\b/;

const portsOf = (c: AuditContainer) => {
  const out: { container: string; hostIp: string; hostPort: number }[] = [];
  const bindings = { ...(hc(c).PortBindings ?? {}), ...(c.NetworkSettings?.Ports ?? {}) };
  for (const [containerPort, list] of Object.entries(bindings)) for (const b of list ?? []) out.push({ container: containerPort, hostIp: b.HostIp ?? '', hostPort: Number(b.HostPort ?? 0) });
  return out;
};

function nsShared(field: 'NetworkMode' | 'PidMode' | 'IpcMode' | 'UTSMode' | 'UsernsMode') {
  return (c: AuditContainer) => (hc(c)[field] === 'host' ? `${field}=host` : undefined);
}

type ContainerOffends = (c: AuditContainer) => string | undefined;

/** A per-container CIS check decided by the container rules that declare its id, or (where none does) by `offends`. */
function containerCheck(id: string, title: string, level: 1 | 2, remediation: string, impact: string, judge: ContainerOffends | 'rules', scored = true): CheckDef {
  const how: ContainerJudge = judge === 'rules' ? { byRules: true } : { offends: judge };
  return { id, title, level, scored, remediation, impact, run: (ctx) => perContainer(ctx, id, how) };
}
const BY_RULES = 'rules';
const MANUAL = false;
const daemonNoNewPrivileges = (ctx: AuditContext) => {
  const v = ctx.daemon?.settings.get('no-new-privileges')?.value;
  return v === true || v === 'true';
};

function sshd(ctx: AuditContext): Outcome {
  const procs = ctx.host?.containerProcesses;
  return perContainer(ctx, '5.7', { offends: (c) => {
    const argv = [...(c.Config?.Entrypoint ?? []), ...(c.Config?.Cmd ?? [])].join(' ');
    if (/(^|\/|\s)sshd(\s|$)/.test(argv)) return `command runs sshd: ${argv}`;
    const seen = procs?.[c.Id];
    if (seen?.includes('sshd')) return 'an sshd process runs inside';
    return undefined;
  } });
}

function apparmor(ctx: AuditContext): Outcome {
  if (ctx.host && ctx.host.apparmor !== 'enabled') return skip(`AppArmor not available on this host (${ctx.host.apparmor})`);
  if (!ctx.host && !ctx.securityOptions.some((o) => o.startsWith('name=apparmor'))) return skip('AppArmor not available on the engine host (not in SecurityOptions)');
  return perContainer(ctx, '5.2', { offends: (c) => (c.AppArmorProfile === 'unconfined' || (c.AppArmorProfile === '' && !hc(c).Privileged) ? `AppArmorProfile=${c.AppArmorProfile || '(none)'}` : undefined) });
}

function selinux(ctx: AuditContext): Outcome {
  if (!ctx.securityOptions.some((o) => o.startsWith('name=selinux'))) {
    return skip(`SELinux not enabled in this engine${ctx.host ? ` (host: ${ctx.host.selinux})` : ''}`);
  }
  return perContainer(ctx, '5.3', { offends: (c) => (secOpts(c).some((o) => /^label[=:]/.test(o) && !/disable/.test(o)) ? undefined : 'no label: security option') });
}

function execCheck(ctx: AuditContext, id: string, offends: (e: AuditContext['ev']['execs'][number]) => boolean, what: string): Outcome {
  const names = new Map(ctx.ev.containers.map((c) => [c.Id, containerName(c)]));
  const bad = ctx.ev.execs.filter(offends);
  const scope = `${ctx.ev.execs.length} exec session(s) running now (the engine forgets finished ones; auditd rules on dockerd keep the history)`;
  // Finished sessions are invisible to the engine: none offending now is not a pass (manual review).
  if (!bad.length) return { status: 'note', evidence: [scope, 'manual: review the audit log of dockerd for finished exec sessions'] };
  return {
    status: 'warn',
    evidence: [...bad.map((e) => `${names.get(e.ContainerID) ?? e.ContainerID.slice(0, 12)}: exec ${e.ID.slice(0, 12)} ${what}`), scope],
    containers: bad.map((e) => ({ id: e.ContainerID, name: names.get(e.ContainerID) ?? e.ContainerID.slice(0, 12) })),
  };
}

const swarmActive = (ctx: AuditContext) => ctx.ev.info?.Swarm?.LocalNodeState === 'active';
const NOT_SWARM: Outcome = { status: 'info', evidence: ['swarm mode is not active: not applicable'] };
function swarmOnly(run: (ctx: AuditContext) => Outcome) {
  return (ctx: AuditContext): Outcome => {
    if (!ctx.ev.info) return skip('engine info unavailable');
    if (!swarmActive(ctx)) return NOT_SWARM;
    return run(ctx);
  };
}
function managerOnly(run: (ctx: AuditContext) => Outcome) {
  return swarmOnly((ctx) => (ctx.ev.info?.Swarm?.ControlAvailable ? run(ctx) : skip('this node is not a swarm manager')));
}

export const SECTION_4: CheckDef[] = [
  containerCheck('4.1', 'Ensure that a user for the container has been created', 1, 'Create a non-root user in the image (`USER app`) or run with `--user`.', 'None for images that do not need root.', (c) => {
    const u = c.Config?.User ?? '';
    return isRootUser(u) ? `runs as ${u || 'root (no user set)'}` : undefined;
  }),
  { id: '4.2', title: 'Ensure that containers use only trusted base images', level: 1, scored: false, remediation: 'Use images from trusted registries, verified with content trust or signatures.', impact: 'None.', run: (ctx) => note(`${ctx.ev.images.length} image(s) on this engine`) },
  { id: '4.3', title: 'Ensure that unnecessary packages are not installed in the container', level: 1, scored: false, remediation: 'Use minimal base images (distroless, alpine, scratch).', impact: 'None.', run: () => note() },
  { id: '4.4', title: 'Ensure images are scanned and rebuilt to include security patches', level: 1, scored: false, remediation: 'Scan images (Trivy, Grype) and rebuild regularly.', impact: 'None.', run: () => note() },
  {
    id: '4.5',
    title: 'Ensure Content trust for Docker is Enabled',
    level: 2,
    scored: true,
    remediation: 'Export `DOCKER_CONTENT_TRUST=1` for the docker CLI.',
    impact: 'Unsigned images can no longer be pulled or run by that client.',
    run: (ctx) => {
      const v = ctx.ev.clientEnv.DOCKER_CONTENT_TRUST;
      return { status: v === '1' || v === 'true' ? 'pass' : 'warn', evidence: [`DOCKER_CONTENT_TRUST=${v ?? '(unset)'} in the auditing client's environment`] };
    },
  },
  {
    id: '4.6',
    title: 'Ensure that HEALTHCHECK instructions have been added to container images',
    level: 1,
    scored: true,
    remediation: 'Add a `HEALTHCHECK` instruction to the Dockerfile.',
    impact: 'None.',
    run: (ctx) => perImage(ctx, (i) => (i.Config?.Healthcheck?.Test?.length && i.Config.Healthcheck.Test[0] !== 'NONE' ? undefined : 'no HEALTHCHECK')),
  },
  {
    id: '4.7',
    title: 'Ensure update instructions are not used alone in the Dockerfile',
    level: 1,
    scored: false,
    remediation: 'Combine update and install in one RUN (`apt-get update && apt-get install -y …`) or use --no-cache.',
    impact: 'None.',
    // docker-bench-security only prints these for review; a lone update layer is a finding we can name.
    run: (ctx) => perImage(ctx, (i) => {
      const lone = (i.history ?? []).map((h) => h.CreatedBy ?? '').find((cmd) => UPDATE_ALONE.test(cmd) && !INSTALL.test(cmd.replace(UPDATE_ALONE, '')));
      return lone ? `update without install in one layer: ${lone.slice(0, 160)}` : undefined;
    }),
  },
  { id: '4.8', title: 'Ensure setuid and setgid permissions are removed', level: 2, scored: false, remediation: 'Remove setuid/setgid bits in the Dockerfile: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} \\;`', impact: 'Programs needing them stop working.', run: () => note('needs a file-system scan of each image') },
  {
    id: '4.9',
    title: 'Ensure that COPY is used instead of ADD in Dockerfiles',
    level: 1,
    scored: false,
    remediation: 'Use COPY; fetch remote files with curl in a verified RUN step.',
    impact: 'None.',
    // The first `ADD file:… in /` is how base images add their root file system: not a finding.
    run: (ctx) => perImage(ctx, (i) => {
      const adds = (i.history ?? []).map((h) => h.CreatedBy ?? '').filter((c) => /\bADD\b/.test(c) && !/ADD file:\S+ in \/\s*$/.test(c));
      return adds.length ? `ADD used: ${adds[0].slice(0, 160)}` : undefined;
    }, 'info'),
  },
  {
    id: '4.10',
    title: 'Ensure secrets are not stored in Dockerfiles',
    level: 1,
    scored: false,
    remediation: 'Use build secrets (`RUN --mount=type=secret`) and runtime secrets instead of ENV/ARG.',
    impact: 'None.',
    run: (ctx) => perImage(ctx, (i) => {
      const names = new Set<string>();
      // The same judgement as secret-in-env: ENV in the config, ENV/ARG assignments in the history.
      const assignments = [...(i.Config?.Env ?? []), ...(i.history ?? []).flatMap((h) => (h.CreatedBy ?? '').match(/[A-Za-z_][A-Za-z0-9_]*=\S*/g) ?? [])];
      for (const e of assignments) {
        const eq = e.indexOf('=');
        if (judgeSecret(e.slice(0, eq), e.slice(eq + 1))) names.add(e.slice(0, eq));
      }
      // Names only: values never leave the engine.
      return names.size ? `secret-like variables: ${[...names].join(', ')}` : undefined;
    }),
  },
  { id: '4.11', title: 'Ensure only verified packages are installed', level: 2, scored: false, remediation: 'Verify package signatures (GPG) when installing.', impact: 'None.', run: () => note() },
  { id: '4.12', title: 'Ensure all signed artifacts are validated', level: 2, scored: false, remediation: 'Validate signatures of artifacts before use.', impact: 'None.', run: () => note() },
];

export const SECTION_5: CheckDef[] = [
  {
    id: '5.1',
    title: 'Ensure swarm mode is not Enabled, if not needed',
    level: 1,
    scored: true,
    remediation: 'If swarm is not needed: `docker swarm leave`.',
    impact: 'Swarm services stop.',
    run: (ctx) => (ctx.ev.info ? { status: swarmActive(ctx) ? 'warn' : 'pass', evidence: [`swarm state: ${ctx.ev.info.Swarm?.LocalNodeState ?? 'unknown'}`] } : skip('engine info unavailable')),
  },
  { id: '5.2', title: 'Ensure that, if applicable, an AppArmor Profile is enabled', level: 1, scored: true, remediation: 'Run containers with an AppArmor profile (`--security-opt apparmor=docker-default` or your own).', impact: 'A wrong profile blocks legitimate actions.', run: apparmor },
  { id: '5.3', title: 'Ensure that, if applicable, SELinux security options are set', level: 2, scored: true, remediation: 'Run with `--security-opt label=level:…` / `label=type:…`.', impact: 'A wrong label blocks file access.', run: selinux },
  containerCheck('5.4', 'Ensure that Linux kernel capabilities are restricted within containers', 1, 'Drop all capabilities (`--cap-drop ALL`) and add back only those needed.', 'Programs needing a dropped capability fail.', BY_RULES),
  containerCheck('5.5', 'Ensure that privileged containers are not used', 1, 'Do not use `--privileged`; add the specific capabilities and devices needed.', 'None for containers that do not need it.', BY_RULES),
  containerCheck('5.6', 'Ensure sensitive host system directories are not mounted on containers', 1, 'Do not bind-mount /, /boot, /dev, /etc, /lib, /proc, /sys or /usr; mount narrower paths read-only.', 'None.', BY_RULES),
  { id: '5.7', title: 'Ensure sshd is not run within containers', level: 1, scored: true, remediation: 'Use `docker exec` instead of sshd in containers.', impact: 'None.', run: sshd },
  containerCheck('5.8', 'Ensure privileged ports are not mapped within containers', 1, 'Publish on host ports above 1023.', 'None.', BY_RULES),
  {
    id: '5.9',
    title: 'Ensure that only needed ports are open on the container',
    level: 1,
    scored: false,
    remediation: 'Publish only the ports the service needs; avoid `-P`.',
    impact: 'None.',
    run: (ctx) => {
      const lines = ctx.ev.containers.map((c) => [c, portsOf(c)] as const).filter(([, p]) => p.length).map(([c, p]) => `${containerName(c)}: ${p.map((x) => `${x.hostIp || '0.0.0.0'}:${x.hostPort}->${x.container}`).join(', ')}`);
      return note(...(lines.length ? lines : ['no published ports']));
    },
  },
  containerCheck('5.10', "Ensure that the host's network namespace is not shared", 1, 'Do not use `--network host`.', 'None.', BY_RULES),
  containerCheck('5.11', 'Ensure that the memory usage for containers is limited', 1, 'Set `--memory`.', 'Containers exceeding the limit are OOM-killed.', (c) => (!hc(c).Memory ? 'no memory limit' : undefined)),
  containerCheck('5.12', 'Ensure that CPU priority is set appropriately on containers', 1, 'Set `--cpu-shares` or `--cpus`.', 'None.', (c) => {
    const h = hc(c);
    return (!h.CpuShares || h.CpuShares === 1024) && !h.NanoCpus && !h.CpuQuota ? 'no CPU shares or limit' : undefined;
  }),
  containerCheck('5.13', "Ensure that the container's root filesystem is mounted as read only", 1, 'Run with `--read-only` and writable volumes/tmpfs where needed.', 'Writes outside volumes fail.', BY_RULES),
  containerCheck('5.14', 'Ensure that incoming container traffic is bound to a specific host interface', 1, 'Publish as `-p 127.0.0.1:8080:80` (or a specific interface).', 'None.', BY_RULES),
  containerCheck('5.15', "Ensure that the 'on-failure' container restart policy is set to '5'", 1, 'Use `--restart on-failure:5`.', 'None.', BY_RULES),
  containerCheck('5.16', "Ensure that the host's process namespace is not shared", 1, 'Do not use `--pid host`.', 'None.', nsShared('PidMode')),
  containerCheck('5.17', "Ensure that the host's IPC namespace is not shared", 1, 'Do not use `--ipc host`.', 'None.', nsShared('IpcMode')),
  containerCheck('5.18', 'Ensure that host devices are not directly exposed to containers', 1, 'Do not pass `--device`; when needed, limit permissions (`:r`).', 'None.', BY_RULES, MANUAL),
  {
    id: '5.19',
    title: 'Ensure that the default ulimit is overwritten at runtime if needed',
    level: 1,
    scored: false,
    remediation: 'Use `--ulimit` only where the daemon default does not fit.',
    impact: 'None.',
    run: (ctx) => {
      const lines = ctx.ev.containers.filter((c) => ((hc(c).Ulimits as unknown[] | null | undefined) ?? []).length).map((c) => `${containerName(c)}: ${JSON.stringify(hc(c).Ulimits)}`);
      return note(...(lines.length ? lines : ['no container overrides the default ulimits']));
    },
  },
  containerCheck('5.20', 'Ensure mount propagation mode is not set to shared', 1, 'Do not mount with `shared`/`rshared` propagation.', 'None.', BY_RULES),
  containerCheck('5.21', "Ensure that the host's UTS namespace is not shared", 1, 'Do not use `--uts host`.', 'None.', nsShared('UTSMode')),
  containerCheck('5.22', 'Ensure the default seccomp profile is not Disabled', 1, 'Do not use `--security-opt seccomp=unconfined`.', 'None.', (c) => (secOpts(c).some((o) => /^seccomp[=:]unconfined$/.test(o)) ? 'seccomp=unconfined' : undefined)),
  { id: '5.23', title: 'Ensure that docker exec commands are not used with the privileged option', level: 2, scored: true, remediation: 'Do not use `docker exec --privileged`.', impact: 'None.', run: (ctx) => execCheck(ctx, '5.23', (e) => !!e.Privileged, 'ran --privileged') },
  { id: '5.24', title: 'Ensure that docker exec commands are not used with the user=root option', level: 2, scored: false, remediation: 'Do not use `docker exec --user root`.', impact: 'None.', run: (ctx) => execCheck(ctx, '5.24', (e) => !!e.User && isRootUser(e.User), 'ran as --user root') },
  containerCheck('5.25', 'Ensure that cgroup usage is confirmed', 1, 'Leave `--cgroup-parent` unset unless intended.', 'None.', BY_RULES),
  {
    id: '5.26',
    title: 'Ensure that the container is restricted from acquiring additional privileges',
    level: 1,
    scored: true,
    remediation: 'Run with `--security-opt no-new-privileges` (or set it daemon-wide).',
    impact: 'setuid binaries no longer gain privileges.',
    // The container rule cannot see the daemon-wide default; the audit can: with it, only an explicit opt-out offends.
    run: (ctx) => perContainer(ctx, '5.26', daemonNoNewPrivileges(ctx)
      ? { offends: (c) => (secOpts(c).some((o) => /^no-new-privileges[=:]false$/.test(o)) ? 'no-new-privileges=false overrides the daemon default' : undefined) }
      : { byRules: true }),
  },
  containerCheck('5.27', 'Ensure that container health is checked at runtime', 1, 'Add a HEALTHCHECK to the image or `--health-cmd`.', 'None.', (c) => {
    const t = c.Config?.Healthcheck?.Test;
    return t?.length && t[0] !== 'NONE' ? undefined : 'no health check';
  }),
  { id: '5.28', title: 'Ensure that Docker commands always make use of the latest version of their image', level: 1, scored: false, remediation: 'Pull before running; pin by digest and update deliberately.', impact: 'None.', run: () => note() },
  containerCheck('5.29', 'Ensure that the PIDs cgroup limit is used', 1, 'Set `--pids-limit`.', 'Fork bombs and runaway workers hit the limit.', (c) => {
    const l = hc(c).PidsLimit;
    return !l || l <= 0 ? 'no PIDs limit' : undefined;
  }),
  containerCheck('5.30', "Ensure that Docker's default bridge 'docker0' is not used", 2, 'Use user-defined networks.', 'None.', BY_RULES, MANUAL),
  containerCheck('5.31', "Ensure that the host's user namespaces are not shared", 1, 'Do not use `--userns host`.', 'None.', nsShared('UsernsMode')),
  containerCheck('5.32', 'Ensure that the Docker socket is not mounted inside any containers', 1, 'Do not mount the Docker socket; use a narrowly-scoped proxy if unavoidable.', 'None.', BY_RULES),
];

export const SECTION_6: CheckDef[] = [
  {
    id: '6.1',
    title: 'Ensure that image sprawl is avoided',
    level: 1,
    scored: false,
    remediation: 'Remove unused images (`docker image prune -a`).',
    impact: 'Removed images must be pulled again.',
    run: (ctx) => {
      const used = new Set(ctx.ev.containers.map((c) => (c as { Image?: string }).Image).filter(Boolean));
      const unused = ctx.ev.images.filter((i) => !used.has(i.Id));
      return { status: 'info', evidence: [`${ctx.ev.images.length} image(s), ${unused.length} not used by any container`] };
    },
  },
  {
    id: '6.2',
    title: 'Ensure that container sprawl is avoided',
    level: 1,
    scored: false,
    remediation: 'Remove stopped containers you no longer need (`docker container prune`).',
    impact: 'None.',
    run: (ctx) => {
      const running = ctx.ev.containers.filter((c) => c.State?.Running).length;
      return { status: 'info', evidence: [`${ctx.ev.containers.length} container(s), ${running} running, ${ctx.ev.containers.length - running} stopped or created`] };
    },
  },
];

function managers(ctx: AuditContext): Outcome {
  // Count managers, not leaders: there is always exactly one leader (docker-bench-security's mistake).
  const fromNodes = ctx.ev.swarm?.nodes?.filter((n) => n.ManagerStatus).length;
  const count = fromNodes ?? ctx.ev.info?.Swarm?.Managers;
  if (count === undefined) return skip('manager count unavailable');
  const ok = count % 2 === 1 && count <= 7;
  return { status: ok ? 'pass' : 'warn', evidence: [`${count} manager node(s)${ok ? '' : count % 2 === 0 ? ': an even count adds no fault tolerance' : ': more than 7 slows consensus'}`] };
}

export const SECTION_7: CheckDef[] = [
  { id: '7.1', title: 'Ensure that the minimum number of manager nodes have been created in a swarm', level: 1, scored: true, remediation: 'Keep an odd number of managers, as few as fault tolerance needs (`docker node demote`).', impact: 'None.', run: swarmOnly(managers) },
  {
    id: '7.2',
    title: 'Ensure that swarm services are bound to a specific host interface',
    level: 1,
    scored: true,
    remediation: 'Initialise with `--listen-addr` on a specific interface.',
    impact: 'None.',
    run: swarmOnly((ctx) => {
      const l = ctx.host?.swarmListeners;
      if (!l) return skip(ctx.host ? 'listening sockets unreadable' : 'remote engine: listening sockets not visible', `node address: ${ctx.ev.info?.Swarm?.NodeAddr ?? '?'}`);
      const wild = l.filter((a) => /^(0\.0\.0\.0|::|\[::\]):/.test(a));
      return { status: wild.length ? 'warn' : 'pass', evidence: [`port 2377 listeners: ${l.join(', ') || 'none'}`] };
    }),
  },
  {
    id: '7.3',
    title: 'Ensure that all Docker swarm overlay networks are encrypted',
    level: 1,
    scored: true,
    remediation: 'Create overlay networks with `--opt encrypted`.',
    impact: 'Encryption costs some throughput.',
    run: swarmOnly((ctx) => {
      const overlays = ctx.ev.networks.filter((n) => n.Driver === 'overlay');
      const plain = overlays.filter((n) => n.Options?.encrypted === undefined);
      return { status: plain.length ? 'warn' : 'pass', evidence: [plain.length ? `unencrypted overlay networks: ${plain.map((n) => n.Name).join(', ')}` : `${overlays.length} overlay network(s), all encrypted`] };
    }),
  },
  { id: '7.4', title: "Ensure that Docker's secret management commands are used for managing secrets in a swarm cluster", level: 2, scored: false, remediation: 'Use `docker secret`.', impact: 'None.', run: swarmOnly((ctx) => note(`${ctx.ev.swarm?.secrets ?? '?'} swarm secret(s)`)) },
  {
    id: '7.5',
    title: 'Ensure that swarm manager is run in auto-lock mode',
    level: 1,
    scored: true,
    remediation: '`docker swarm update --autolock=true`.',
    impact: 'A restarted manager needs the unlock key.',
    run: managerOnly((ctx) => {
      const auto = ctx.ev.swarm?.spec?.EncryptionConfig?.AutoLockManagers ?? ctx.ev.info?.Swarm?.Cluster?.Spec?.EncryptionConfig?.AutoLockManagers;
      return { status: auto ? 'pass' : 'warn', evidence: [`AutoLockManagers=${!!auto}`] };
    }),
  },
  { id: '7.6', title: 'Ensure that the swarm manager auto-lock key is rotated periodically', level: 1, scored: false, remediation: '`docker swarm unlock-key --rotate` periodically.', impact: 'None.', run: managerOnly(() => note()) },
  {
    id: '7.7',
    title: 'Ensure that node certificates are rotated as appropriate',
    level: 1,
    scored: false,
    remediation: '`docker swarm update --cert-expiry 48h`.',
    impact: 'None.',
    run: managerOnly((ctx) => note(`node certificate expiry: ${ctx.ev.swarm?.spec?.CAConfig?.NodeCertExpiry ? `${Math.round(ctx.ev.swarm.spec.CAConfig.NodeCertExpiry / 3.6e12)} h` : 'default (90 days)'}`)),
  },
  { id: '7.8', title: 'Ensure that CA certificates are rotated as appropriate', level: 1, scored: false, remediation: '`docker swarm ca --rotate`.', impact: 'None.', run: managerOnly(() => note()) },
  { id: '7.9', title: 'Ensure that management plane traffic is separated from data plane traffic', level: 2, scored: false, remediation: 'Initialise with `--advertise-addr` and `--data-path-addr` on different interfaces.', impact: 'None.', run: swarmOnly((ctx) => note(`node address: ${ctx.ev.info?.Swarm?.NodeAddr ?? '?'}`)) },
];

/** Items later CIS versions and current practice added, checked where evidence allows. */
export const SECTION_8: CheckDef[] = [
  {
    id: 'BH-1',
    title: 'Ensure the engine runs in rootless mode where possible',
    level: 2,
    scored: false,
    remediation: 'Install rootless Docker (`dockerd-rootless-setuptool.sh install`) or Podman rootless.',
    impact: 'See rootless-mode limitations.',
    run: (ctx) => {
      const rootless = ctx.ev.engine.flavor === 'rootless-docker' || ctx.securityOptions.includes('name=rootless');
      return { status: rootless ? 'pass' : 'info', evidence: [`engine: ${ctx.ev.engine.flavor}${rootless ? ' (rootless)' : ' (runs as root)'}`] };
    },
  },
  {
    id: 'BH-2',
    title: "Ensure the daemon's configuration is consistent (flags and daemon.json)",
    level: 1,
    scored: true,
    remediation: 'Fix daemon.json syntax and keep each directive in one place (flag or file): dockerd refuses to start otherwise.',
    impact: 'None.',
    run: (ctx) => {
      const got = daemonSetting(ctx, 'debug');
      if ('outcome' in got) return got.outcome;
      const problems = ctx.daemon?.problems ?? [];
      return { status: problems.length ? 'warn' : 'pass', evidence: problems.length ? problems : [`${ctx.host?.daemon?.configPath ?? 'daemon.json'}: ${ctx.host?.daemon?.configText === undefined ? 'absent' : 'parses'}; flags: ${(ctx.host?.daemon?.cmdline ?? []).slice(1).join(' ') || 'none'}`] };
    },
  },
];
