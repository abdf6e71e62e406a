import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { aptInvocations } from '../dockerfile/run';
import { insertArgumentEdit } from '../dockerfile/shell';

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const { cmd, sub } of aptInvocations(ctx)) {
    if (sub?.word.value !== 'install') continue;
    const values = cmd.args.map((w) => w.value);
    if (values.includes('--no-install-recommends') || values.some((v) => /^APT::Install-Recommends=(?:false|0)$/i.test(v))) continue;
    reports.push({
      message: `${cmd.name} install without --no-install-recommends: recommended packages enlarge the image and its attack surface`,
      range: { start: cmd.nameWord.start, end: sub.word.end },
      // Software may rely on a recommended package being present.
      fixes: [{ title: 'Add --no-install-recommends', safe: false, preferred: true, edits: [insertArgumentEdit(sub.word, '--no-install-recommends')] }],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'apt-no-install-recommends',
    title: 'apt-get install pulls recommended packages',
    severity: 'info',
    targets: ['dockerfile'],
    rationale: 'By default apt installs "recommended" packages too: more binaries, more CVEs to patch and more tools for an attacker, none of which the application asked for.',
    remediation: 'Use `apt-get install -y --no-install-recommends …` and list what you really need.',
    refs: { hadolint: ['DL3015'], trivy: ['DS-0029'] },
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nRUN apt-get update && apt-get install -y curl\n'],
        good: ['FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
