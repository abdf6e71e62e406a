import { defineRule, type Report } from '../rule';
import type { ImageContext, SecretFileKind } from '../image/context';
import { placeText } from '../image/describe';
import { safeText } from '../output/escape';

const KIND_TEXT: Record<SecretFileKind, string> = {
  'private-key': 'a private key',
  dotenv: 'a .env file with values',
  'npm-token': 'an npm auth token (.npmrc)',
  'pypi-credentials': 'a PyPI password (.pypirc)',
  'git-credentials': 'Git credentials',
  'aws-credentials': 'AWS credentials',
  'docker-auth': 'registry credentials (.docker/config.json)',
  netrc: 'a .netrc password',
  pgpass: 'a PostgreSQL password file',
};

function imageCheck(ctx: ImageContext): Report[] {
  return (ctx.files?.secrets ?? []).map((s) => ({
    message: `${safeText(s.path, 200)} holds ${KIND_TEXT[s.kind]}: ${placeText(ctx, s)}`,
    // Never the content: only what kind of secret and where.
    evidence: `${s.kind} in layer ${s.layer}${s.goneIn ? ` (${s.gone} in layer ${s.goneIn})` : ''}`,
    layer: s.layer,
    path: s.path,
    severity: 'error' as const,
  }));
}

export default defineRule({
  meta: {
    id: 'secret-file',
    title: 'Secret file in an image layer',
    severity: 'error',
    targets: ['image'],
    rationale:
      'Every layer of an image is a tar anyone who can pull the image can unpack. A key or credentials file copied in one layer and deleted in the next is hidden from the container\'s filesystem but not from `docker save`: the bytes are still in the earlier layer.',
    remediation:
      'Never COPY secrets into a build. Use `RUN --mount=type=secret,id=…` (BuildKit) for credentials a build step needs, add `.env`, keys and credential files to `.dockerignore`, and rotate any secret that was published.',
    refs: { dockle: ['CIS-DI-0010'] },
  },
  image: imageCheck,
});
