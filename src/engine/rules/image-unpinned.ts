import { defineRule, type Report } from '../rule';
import type { ComposeContext } from '../compose/context';
import { svc } from '../compose/checks';
import type { ComposeService, Field } from '../compose/service';
import { isInterpolated, rangeOf, scalarString } from '../compose/values';
import type { ContainerContext } from '../runtime/container';
import { imagePinning } from '../runtime/judge';
import type { DockerfileContext } from '../dockerfile/context';
import type { References } from '../model';

// hadolint's ids name one case each: DL3006 an untagged image, DL3007 :latest; a tagged image
// without a digest is neither, so it carries only the rule's general references.
const GENERAL: References = { trivy: ['DS-0001'], checkov: ['CKV_DOCKER_7'] };
const LATEST: References = { ...GENERAL, hadolint: ['DL3007'] };
const UNTAGGED: References = { ...GENERAL, hadolint: ['DL3006'] };

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
      reports.push({ message: `base image uses the mutable :latest tag${via}: builds are not reproducible`, range, fixes: [], refs: LATEST });
    } else if (!image.tag) {
      reports.push({ message: `base image has no tag${via}, so it means :latest: builds are not reproducible`, range, fixes: [], refs: UNTAGGED });
    } else {
      reports.push({ message: `base image ${image.name}:${image.tag} is not pinned by digest: the tag can be moved to different content`, range, severity: 'info', fixes: [], refs: GENERAL });
    }
  }
  return reports;
}

/** Services named in a shared finding's message; the rest are counted. */
const MAX_NAMED = 12;

function composeImageUnpinned(ctx: ComposeContext): Report[] {
  // An image set once in an anchor that several services merge is one decision: one finding there.
  const byPair = new Map<Field['pair'], { field: Field; image: string; services: ComposeService[] }>();
  for (const s of ctx.services) {
    const field = s.get('image');
    const image = scalarString(field?.value);
    // With `build:` the image is built and tagged locally, not pulled.
    if (!field || !image || isInterpolated(image) || s.has('build')) continue;
    const group = byPair.get(field.pair);
    if (group) group.services.push(s);
    else byPair.set(field.pair, { field, image, services: [s] });
  }
  const reports: Report[] = [];
  for (const { field, image, services } of byPair.values()) {
    const { state, tag } = imagePinning(image);
    if (state === 'pinned') continue;
    const names = services.slice(0, MAX_NAMED).map((s) => `"${s.name}"`).join(', ');
    const more = services.length > MAX_NAMED ? ` and ${services.length - MAX_NAMED} more` : '';
    const who = services.length > 1 ? `${services.length} services (${names}${more})` : svc(services[0]);
    const range = rangeOf(field.value);
    if (state === 'latest') reports.push({ message: `${who} use${services.length > 1 ? '' : 's'} the mutable :latest tag (${image})`, range, fixes: [], refs: LATEST });
    else if (state === 'untagged') reports.push({ message: `${who} image ${image} has no tag, so it means :latest`, range, fixes: [], refs: UNTAGGED });
    else reports.push({ message: `${who} image ${image} is not pinned by digest: the tag ${tag} can be moved`, range, severity: 'info', fixes: [], refs: GENERAL });
  }
  return reports;
}

function containerImageUnpinned(ctx: ContainerContext): Report[] {
  const image = ctx.inspect.Config?.Image ?? '';
  // A container always runs one fixed image id; only a floating reference matters for re-creation.
  if (!image || /^sha256:/.test(image)) return [];
  const { state } = imagePinning(image);
  if (state === 'latest') return [{ message: `created from the mutable :latest tag (${image}): re-creating it may run different software`, evidence: `Config.Image=${JSON.stringify(image)}`, refs: LATEST }];
  if (state === 'untagged') return [{ message: `created from an untagged image reference (${image}), which means :latest`, evidence: `Config.Image=${JSON.stringify(image)}`, refs: UNTAGGED }];
  return [];
}

export default defineRule({
  meta: {
    id: 'image-unpinned',
    title: 'Image not pinned',
    severity: 'warning',
    severityWhen: { info: 'the image has a tag but no digest' },
    targets: ['dockerfile', 'compose', 'container'],
    rationale:
      'A tag such as :latest (or no tag, which means :latest) resolves to whatever was pushed last: rebuilds silently pick up different software, and a compromised or broken push reaches you without review. Only a digest names immutable content.',
    remediation: 'Use an explicit version tag, and for reproducible builds pin the digest too: `FROM node:20.11-alpine@sha256:…`.',
    refs: { hadolint: ['DL3006', 'DL3007'], trivy: ['DS-0001'], checkov: ['CKV_DOCKER_7'] },
    examples: {
      dockerfile: {
        bad: ['FROM node:latest\n', 'FROM node\n'],
        good: ['FROM node:20-alpine@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n'],
      },
      compose: {
        bad: ['services:\n  db:\n    image: postgres:latest\n'],
        good: ['services:\n  db:\n    image: postgres:16@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
  compose: composeImageUnpinned,
  container: containerImageUnpinned,
});
