import { defineRule, type Report } from '../rule';
import type { ImageContext } from '../image/context';
import { credentialsInCommand, parseCreatedBy } from '../image/history';

function imageCheck(ctx: ImageContext): Report[] {
  const reports: Report[] = [];
  ctx.history.forEach((h, step) => {
    const parsed = parseCreatedBy(h.createdBy);
    if (parsed.keyword !== 'RUN') return;
    const found = credentialsInCommand(parsed.args);
    if (!found.length) return;
    reports.push({
      message: `a build step's command line holds ${found.join(' and ')}: \`docker history\` shows it to anyone who can pull the image`,
      evidence: `history step ${step + 1}${h.layer ? ` (layer ${h.layer})` : ''}: RUN <command hidden>`,
      step,
      layer: h.layer,
      severity: 'error',
    });
  });
  return reports;
}

export default defineRule({
  meta: {
    id: 'secret-in-history',
    title: 'Secret in a build command',
    severity: 'error',
    targets: ['image'],
    rationale:
      'The image history keeps the full command line of every RUN: a token in a `curl -H "Authorization: …"`, a password in a URL or a key passed on the command line is published with the image, even when the step deletes what it downloaded.',
    remediation: 'Pass the credential as a build secret (`RUN --mount=type=secret,id=token curl -H @/run/secrets/token …`, built with `docker build --secret id=token,env=TOKEN`), and rotate any secret that was published.',
    refs: {},
  },
  image: imageCheck,
});
