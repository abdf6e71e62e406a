import { defineRule } from '../rule';

export default defineRule({
  meta: {
    id: 'maintainer-deprecated',
    title: 'MAINTAINER is deprecated',
    severity: 'info',
    targets: ['dockerfile'],
    rationale:
      'MAINTAINER was deprecated in Docker 1.13. A LABEL carries the same information in the image metadata where tools (and people auditing provenance) look for it.',
    remediation: 'Replace `MAINTAINER name` with `LABEL org.opencontainers.image.authors="name"`.',
    refs: { hadolint: ['DL4000'], checkov: ['CKV_DOCKER_6'], kics: ['9bae49be-0aa3-4de5-bab2-4c3a069e40cd'] },
    examples: {
      dockerfile: {
        bad: ['FROM alpine:3.20\nMAINTAINER Jane Doe <jane@example.com>\n'],
        good: ['FROM alpine:3.20\nLABEL org.opencontainers.image.authors="jane@example.com"\n'],
      },
    },
  },
  dockerfile(ctx) {
    return ctx
      .ofKeyword('MAINTAINER')
      .map((i) => {
        const start = ctx.lines.offset(i.getRange().start.line, i.getRange().start.character);
        const end = ctx.lines.offset(i.getRange().end.line, i.getRange().end.character);
        const who = i.getRawArgumentsContent()?.trim() ?? '';
        return {
          message: 'MAINTAINER is deprecated; use a LABEL',
          range: { start, end },
          fixes: [
            {
              title: 'Replace MAINTAINER with LABEL org.opencontainers.image.authors',
              safe: true,
              preferred: true,
              edits: [{ start, end, newText: `LABEL org.opencontainers.image.authors=${JSON.stringify(who)}` }],
            },
          ],
        };
      });
  },
});
