import { defineRule, type Report } from '../rule';
import { leftoverReports } from '../image/leftovers';
import type { DockerfileContext } from '../dockerfile/context';
import { contextCopyReport, contextExposure } from '../dockerfile/build-context';

/** A whole-context COPY that brings the context's `.git` in (the adapter lists the context). */
function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const exposure = contextExposure(ctx);
  return exposure?.gitDirectory ? [contextCopyReport(ctx, exposure, "the build context's .git directory", ['.git'], '.git')] : [];
}

export default defineRule({
  meta: {
    id: 'git-directory-left',
    title: '.git directory in the image',
    severity: 'warning',
    targets: ['dockerfile', 'image'],
    rationale:
      'A `.git` directory carries the repository\'s whole history: removed secrets, internal URLs and code that was never meant to ship. `COPY . .` brings it in unless `.dockerignore` keeps it out.',
    remediation: 'Add `.git` to `.dockerignore` (and copy only what the image needs). In a Dockerfile, a whole-context `COPY .` / `ADD .` in a stage of the final image is judged against the files of its folder (the build context `docker build -f DIR/Dockerfile DIR` and compose\'s `build: DIR` use) and its `.dockerignore` (`Dockerfile.dockerignore` first, as BuildKit does).',
    refs: { dockle: ['DKL-LI-0003'] },
    examples: {
      dockerfile: {
        bad: ['# The folder holds the repository\'s .git and no .dockerignore.\nFROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nUSER 10001\nCMD ["python", "app.py"]\n'],
        good: ['# The same folder: only what the image needs is copied.\nFROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nUSER 10001\nCMD ["python", "app.py"]\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
  image: (ctx) => leftoverReports(ctx, ['git']),
});
