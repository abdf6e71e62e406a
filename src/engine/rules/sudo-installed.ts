import { defineRule, type Report } from '../rule';
import type { ImageContext } from '../image/context';
import { layerLabel } from '../image/describe';

function imageCheck(ctx: ImageContext): Report[] {
  const tools = ctx.files?.tools ?? {};
  return ['/usr/bin/sudo', '/bin/sudo', '/usr/sbin/sudo']
    .filter((p) => tools[p])
    .map((p) => ({ message: `sudo is installed (${p}, from ${layerLabel(ctx, tools[p].layer)}): a way back to root for any user sudoers allows`, evidence: p, layer: tools[p].layer, path: p }));
}

export default defineRule({
  meta: {
    id: 'sudo-installed',
    title: 'sudo installed in the image',
    severity: 'warning',
    targets: ['image'],
    rationale:
      'Containers run one process as one user; sudo in an image exists to let that user become root again, which undoes running as non-root. Its setuid binary is also attack surface.',
    remediation: 'Do the privileged steps at build time as root, then switch with `USER`; remove the sudo package from the final stage. Use `gosu`/`su-exec` in an entrypoint if a step must drop privileges at start.',
    refs: {},
  },
  image: imageCheck,
});
