import { defineRule, type Report } from '../rule';
import type { ImageContext } from '../image/context';
import { layerLabel } from '../image/describe';
import type { DockerfileContext } from '../dockerfile/context';
import { packagesInFinalImage } from '../dockerfile/packages';

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const sudo = packagesInFinalImage(ctx).get('sudo');
  if (!sudo) return [];
  return [{ message: `${sudo.change.cmd.name} installs sudo in the final image: a way back to root for any user sudoers allows`, range: { start: sudo.word.start, end: sudo.word.end }, fixes: [] }];
}

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
    targets: ['dockerfile', 'image'],
    rationale:
      'Containers run one process as one user; sudo in an image exists to let that user become root again, which undoes running as non-root. Its setuid binary is also attack surface.',
    remediation: 'Do the privileged steps at build time as root, then switch with `USER`; remove the sudo package from the final stage. Use `gosu`/`su-exec` in an entrypoint if a step must drop privileges at start. In a Dockerfile, an apt, apk, yum, dnf, microdnf or zypper install of sudo is reported when it stays in the final image (not in a build stage, not removed later).',
    refs: {},
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends sudo curl\nUSER app\n'],
        good: [
          'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nUSER app\n',
          'FROM debian:12\nRUN apt-get update && apt-get install -y sudo && make-release && apt-get purge -y sudo\n',
        ],
      },
    },
  },
  dockerfile: dockerfileCheck,
  image: imageCheck,
});
