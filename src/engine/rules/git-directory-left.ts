import { defineRule } from '../rule';
import { leftoverReports } from '../image/leftovers';

export default defineRule({
  meta: {
    id: 'git-directory-left',
    title: '.git directory in the image',
    severity: 'warning',
    targets: ['image'],
    rationale:
      'A `.git` directory carries the repository\'s whole history: removed secrets, internal URLs and code that was never meant to ship. `COPY . .` brings it in unless `.dockerignore` keeps it out.',
    remediation: 'Add `.git` to `.dockerignore` (and copy only what the image needs).',
    refs: { dockle: ['DKL-LI-0003'] },
  },
  image: (ctx) => leftoverReports(ctx, ['git']),
});
