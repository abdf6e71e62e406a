import { defineRule, type Report } from '../rule';
import type { ImageContext, SecretFileKind } from '../image/context';
import { placeText } from '../image/describe';
import { safeText } from '../output/escape';
import type { DockerfileContext } from '../dockerfile/context';
import { contextCopyReport, contextExposure } from '../dockerfile/build-context';

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

/** Secret files a whole-context COPY brings in (confirmed by their first bytes, as in image layers). */
function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const exposure = contextExposure(ctx);
  if (!exposure?.secrets.length) return [];
  const { secrets } = exposure;
  const shown = secrets.slice(0, 5).map((s) => `${safeText(s.path, 200)} (${KIND_TEXT[s.kind]})`);
  const more = secrets.length > shown.length ? ` and ${secrets.length - shown.length} more` : '';
  const what = secrets.length > 1 ? `${secrets.length} secret files` : safeText(secrets[0].path, 200);
  return [contextCopyReport(ctx, exposure, `${shown.join(', ')}${more}`, secrets.map((s) => s.path), what)];
}

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
    title: 'Secret file in the image',
    severity: 'error',
    targets: ['dockerfile', 'image'],
    rationale:
      'Every layer of an image is a tar anyone who can pull the image can unpack. A key or credentials file copied in one layer and deleted in the next is hidden from the container\'s filesystem but not from `docker save`: the bytes are still in the earlier layer.',
    remediation:
      'Never COPY secrets into a build. Use `RUN --mount=type=secret,id=…` (BuildKit) for credentials a build step needs, add `.env`, keys and credential files to `.dockerignore`, and rotate any secret that was published. In a Dockerfile, a whole-context `COPY .` / `ADD .` in a stage of the final image is judged against the files of its folder (the build context) and its `.dockerignore`; a file counts when its first bytes confirm the secret (a private key block, a `.env` assignment, an auth token), and its content is never shown.',
    refs: { dockle: ['CIS-DI-0010'] },
    examples: {
      dockerfile: {
        bad: ['# The folder holds a .env with API_TOKEN=… and no .dockerignore.\nFROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nUSER 10001\nCMD ["python", "app.py"]\n'],
        good: ['# The same folder: only what the image needs is copied.\nFROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nUSER 10001\nCMD ["python", "app.py"]\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
  image: imageCheck,
});
