import { defineRule, type Report } from '../rule';
import { removeInstructionEdit, type DockerfileContext } from '../dockerfile/context';

const ONLY_LAST_COUNTS = ['CMD', 'ENTRYPOINT', 'HEALTHCHECK'];

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const stage of ctx.stages) {
    for (const keyword of ONLY_LAST_COUNTS) {
      const all = stage.instructions.filter((i) => ctx.keywordOf(i) === keyword);
      for (const earlier of all.slice(0, -1)) {
        const last = all[all.length - 1];
        reports.push({
          message: `${keyword} on line ${earlier.getRange().start.line + 1} has no effect: the ${keyword} on line ${last.getRange().start.line + 1} overrides it`,
          range: ctx.rangeOf(earlier.getRange()),
          // Only the last one takes effect, so removing the others changes nothing in the image.
          fixes: [{ title: `Remove the overridden ${keyword}`, safe: true, preferred: true, edits: [removeInstructionEdit(ctx, earlier)] }],
        });
      }
    }
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'instruction-repeated',
    title: 'Repeated CMD, ENTRYPOINT or HEALTHCHECK',
    severity: 'warning',
    targets: ['dockerfile'],
    rationale:
      'Only the last CMD, ENTRYPOINT and HEALTHCHECK of a stage take effect. Earlier ones mislead reviewers about what the container runs or how its health is checked.',
    remediation: 'Keep one CMD, one ENTRYPOINT and one HEALTHCHECK per stage.',
    refs: { hadolint: ['DL4003', 'DL4004', 'DL3012'], trivy: ['DS-0016', 'DS-0007', 'DS-0023'] },
    examples: {
      dockerfile: {
        bad: ['FROM alpine:3.20\nCMD ["sh"]\nCMD ["httpd", "-f"]\n'],
        good: ['FROM alpine:3.20\nCMD ["httpd", "-f"]\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
