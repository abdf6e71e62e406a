import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { packagesInFinalImage } from '../dockerfile/packages';

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const kept = packagesInFinalImage(ctx);
  const curl = kept.get('curl');
  const wget = kept.get('wget');
  if (!curl || !wget) return [];
  const later = curl.word.start > wget.word.start ? curl : wget;
  return [{ message: 'both curl and wget are installed in the final image: one download tool is enough', range: { start: later.word.start, end: later.word.end }, fixes: [] }];
}

export default defineRule({
  meta: {
    id: 'curl-and-wget',
    title: 'Both curl and wget installed',
    severity: 'info',
    targets: ['dockerfile'],
    rationale: 'Two tools that do the same job double the packages to patch and give an intruder a choice of downloaders. Pick one for the build and, if the running service does not download anything, leave both out of the final image.',
    remediation: 'Install only one of curl and wget (or neither in the final stage: download in a build stage and copy the result).',
    refs: { hadolint: ['DL4001'] },
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \\\n && apt-get install -y --no-install-recommends wget\n'],
        good: ['FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
