import { defineRule, type Report } from '../rule';
import { composeSshPort } from '../compose/shared-checks';
import { containerSshPort } from '../runtime/shared-checks';
import type { DockerfileContext } from '../dockerfile/context';
import { removeInstructionEdit } from '../dockerfile/context';
import { removeWordEdit } from '../dockerfile/shell';

/** Whether an EXPOSE argument (`22`, `22/tcp`, `20-25`) includes port 22. */
function includesSsh(value: string): boolean {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(value);
  if (!m || (m[3] && m[3].toLowerCase() !== 'tcp')) return false;
  const low = Number(m[1]);
  const high = m[2] ? Number(m[2]) : low;
  return low <= 22 && 22 <= high;
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
  compose: composeSshPort,
  container: containerSshPort,
});
