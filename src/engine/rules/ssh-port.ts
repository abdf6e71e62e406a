import { defineRule, type Report } from '../rule';
import type { ImageContext } from '../image/context';
import { lastStep } from '../image/history';
import { portEntries, svc } from '../compose/checks';
import type { ComposeContext } from '../compose/context';
import type { DockerfileContext } from '../dockerfile/context';
import { removeInstructionEdit } from '../dockerfile/context';
import { removeWordEdit } from '../dockerfile/shell';
import { packagesInFinalImage, type OsManager } from '../dockerfile/packages';
import { containerPorts, type ContainerContext } from '../runtime/container';
import { includesSshPort } from '../runtime/judge';

/** Whether an EXPOSE argument (`22`, `22/tcp`, `20-25`) includes TCP port 22. */
function includesSsh(value: string): boolean {
  const [ports, protocol = 'tcp'] = value.split('/');
  return includesSshPort(ports, protocol);
}

/**
 * Packages that install a remote-login daemon (an SSH server is this concern whether or not port
 * 22 is exposed; telnetd is the same service without encryption). A telnet or ssh client opens
 * no port and is not reported.
 */
const LOGIN_SERVERS: Partial<Record<OsManager, RegExp>> = {
  apt: /^(?:openssh-server|ssh|dropbear|dropbear-bin|telnetd|inetutils-telnetd|telnetd-ssl)$/,
  apk: /^(?:openssh|openssh-server|dropbear)$/,
};
const RPM_LOGIN_SERVERS = /^(?:openssh-server|dropbear|telnet-server)$/;

function loginServerReports(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const [name, { word, change }] of packagesInFinalImage(ctx)) {
    if (!(LOGIN_SERVERS[change.manager] ?? RPM_LOGIN_SERVERS).test(name)) continue;
    const telnet = name.includes('telnet');
    reports.push({
      message: `${change.cmd.name} installs ${telnet ? 'a telnet server (plain-text logins)' : 'an SSH server'} in the final image: containers should not run a remote-login daemon`,
      range: { start: word.start, end: word.end },
      fixes: [],
    });
  }
  return reports;
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = loginServerReports(ctx);
  for (const instruction of ctx.ofKeyword('EXPOSE')) {
    const args = instruction.getArguments();
    for (const arg of args) {
      if (!includesSsh(arg.getValue())) continue;
      const range = ctx.rangeOf(arg.getRange());
      const single = /^22(?:\/tcp)?$/i.test(arg.getValue());
      reports.push({
        message: 'exposes port 22 (SSH): containers should not run an SSH daemon',
        range,
        fixes: single
          ? [{
              title: args.length === 1 ? 'Remove EXPOSE 22' : 'Remove port 22 from EXPOSE',
              // `docker run -P` would no longer publish it.
              safe: false,
              preferred: true,
              edits: [args.length === 1 ? removeInstructionEdit(ctx, instruction) : removeWordEdit(ctx.text, { value: arg.getValue(), ...range })],
            }]
          : [],
      });
    }
  }
  return reports.sort((a, b) => a.range!.start - b.range!.start);
}

function composeCheck(ctx: ComposeContext): Report[] {
  const reports: Report[] = [];
  for (const s of ctx.services) {
    for (const p of portEntries(ctx, s)) {
      if (!includesSshPort(p.containerPort, p.protocol)) continue;
      reports.push({ message: `${svc(s)} publishes container port 22 (SSH): containers should not run an SSH daemon`, range: p.range, fixes: [] });
    }
  }
  return reports;
}

function containerCheck(ctx: ContainerContext): Report[] {
  const published = containerPorts(ctx.inspect).filter((p) => includesSshPort(p.containerPort, p.protocol));
  if (published.length) return [{ message: 'publishes port 22 (SSH)', evidence: `HostConfig.PortBindings["22/tcp"] -> ${published.map((p) => `${p.hostIp || '0.0.0.0'}:${p.hostPort}`).join(', ')}` }];
  const exposed = Object.keys(ctx.inspect.Config?.ExposedPorts ?? {}).some(includesSsh);
  return exposed ? [{ message: 'exposes port 22 (SSH)', evidence: 'Config.ExposedPorts has "22/tcp"', severity: 'info' }] : [];
}

function imageCheck(ctx: ImageContext): Report[] {
  const exposed = Object.keys(ctx.config.ExposedPorts ?? {}).filter((k) => k.endsWith('/tcp') && includesSshPort(k.split('/')[0]));
  return exposed.length ? [{ message: 'the image exposes port 22 (SSH)', evidence: `Config.ExposedPorts has ${exposed.map((p) => JSON.stringify(p)).join(', ')}`, step: lastStep(ctx, 'EXPOSE') }] : [];
}

export default defineRule({
  meta: {
    id: 'ssh-port',
    title: 'SSH server or port in the container',
    severity: 'warning',
    severityWhen: { info: 'a container exposes port 22 without publishing it' },
    targets: ['dockerfile', 'compose', 'container', 'image'],
    rationale:
      'An SSH daemon in a container is another network service with credentials to manage and patch, and a way around the engine\'s own access control. `docker exec` already gives operators a shell.',
    remediation:
      'Remove port 22 from EXPOSE and the SSH server from the image; use `docker exec` (or `kubectl exec`) for debugging. In a Dockerfile, installing an SSH or telnet server (openssh-server, dropbear, telnetd) that stays in the final image is reported too.',
    refs: { trivy: ['DS-0004'], checkov: ['CKV_DOCKER_1'] },
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nEXPOSE 22 8080\n', 'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends openssh-server\n'],
        good: ['FROM debian:12\nEXPOSE 8080\n'],
      },
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    ports:\n      - "2222:22"\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    ports:\n      - "127.0.0.1:8080:8080"\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
  compose: composeCheck,
  container: containerCheck,
  image: imageCheck,
});
