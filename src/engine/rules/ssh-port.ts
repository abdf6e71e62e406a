import { defineRule, type Report } from '../rule';
import { portEntries, svc } from '../compose/checks';
import type { ComposeContext } from '../compose/context';
import type { DockerfileContext } from '../dockerfile/context';
import { removeInstructionEdit } from '../dockerfile/context';
import { removeWordEdit } from '../dockerfile/shell';
import { containerPorts, type ContainerContext } from '../runtime/container';
import { includesSshPort } from '../runtime/judge';

/** Whether an EXPOSE argument (`22`, `22/tcp`, `20-25`) includes TCP port 22. */
function includesSsh(value: string): boolean {
  const [ports, protocol = 'tcp'] = value.split('/');
  return includesSshPort(ports, protocol);
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
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
  return reports;
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

export default defineRule({
  meta: {
    id: 'ssh-port',
    title: 'SSH port exposed',
    severity: 'warning',
    targets: ['dockerfile', 'compose', 'container'],
    rationale:
      'An SSH daemon in a container is another network service with credentials to manage and patch, and a way around the engine\'s own access control. `docker exec` already gives operators a shell.',
    remediation: 'Remove port 22 from EXPOSE and the SSH server from the image; use `docker exec` (or `kubectl exec`) for debugging.',
    refs: { trivy: ['DS-0004'], checkov: ['CKV_DOCKER_1'] },
  },
  dockerfile: dockerfileCheck,
  compose: composeCheck,
  container: containerCheck,
});
