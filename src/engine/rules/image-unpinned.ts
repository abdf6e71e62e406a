import { defineRule, type Report } from '../rule';
import { composeImageUnpinned } from '../compose/shared-checks';
import { containerImageUnpinned } from '../runtime/shared-checks';
import type { DockerfileContext } from '../dockerfile/context';

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const stage of ctx.stages) {
    const { image, from } = stage;
    // scratch and earlier stages are not pulled; an ARG without default cannot be judged here.
    if (image.scratch || image.stage || !image.resolved || !image.name) continue;
    const range = ctx.rangeOf(from.getImageRange() ?? from.getRange());
    const via = image.reference !== from.getImage() ? ` (${image.reference} after ARG defaults)` : '';
    if (image.digest) continue;
    if (image.tag === 'latest') {
      reports.push({ message: `base image uses the mutable :latest tag${via}: builds are not reproducible`, range, fixes: [] });
    } else if (!image.tag) {
      reports.push({ message: `base image has no tag${via}, so it means :latest: builds are not reproducible`, range, fixes: [] });
    } else {
      reports.push({ message: `base image ${image.name}:${image.tag} is not pinned by digest: the tag can be moved to different content`, range, severity: 'info', fixes: [] });
    }
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'image-unpinned',
    title: 'Image not pinned',
    severity: 'warning',
    targets: ['dockerfile', 'compose', 'container'],
    rationale:
      'A tag such as :latest (or no tag, which means :latest) resolves to whatever was pushed last: rebuilds silently pick up different software, and a compromised or broken push reaches you without review. Only a digest names immutable content.',
    remediation: 'Use an explicit version tag, and for reproducible builds pin the digest too: `FROM node:20.11-alpine@sha256:…`.',
    refs: { hadolint: ['DL3006', 'DL3007'], trivy: ['DS-0001'], checkov: ['CKV_DOCKER_7'] },
  },
  dockerfile: dockerfileCheck,
  compose: composeImageUnpinned,
  container: containerImageUnpinned,
});
