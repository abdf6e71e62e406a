import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { runCommands, subcommand, unwrapSudo } from '../dockerfile/run';

const UPGRADES: Record<string, RegExp> = {
  'apt-get': /^(?:upgrade|dist-upgrade)$/,
  apt: /^(?:upgrade|dist-upgrade|full-upgrade)$/,
};

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const raw of runCommands(ctx)) {
    const cmd = unwrapSudo(raw);
    const sub = subcommand(cmd.args);
    if (!sub || !UPGRADES[cmd.name]?.test(sub.word.value)) continue;
    reports.push({
      message: `${cmd.name} ${sub.word.value} in a Dockerfile: the image's contents depend on the day it was built; take updates by rebuilding on a newer base image`,
      range: { start: cmd.nameWord.start, end: sub.word.end },
      severity: sub.word.value === 'upgrade' ? 'info' : undefined,
      fixes: [],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'package-upgrade',
    title: 'Distribution upgrade in the image',
    severity: 'warning',
    severityWhen: { info: 'it is a plain `upgrade`, not `dist-upgrade` or `full-upgrade`' },
    targets: ['dockerfile'],
    rationale:
      '`upgrade`/`dist-upgrade` pulls whatever the mirror has on build day, makes builds unreproducible, and `dist-upgrade` may add or remove packages or even move to packages the base image maintainers never tested. Fixes belong in a newer base image.',
    remediation: 'Rebuild on an updated (pinned) base image, and install specific packages with `apt-get install -y --no-install-recommends pkg=version`.',
    refs: { hadolint: ['DL3005'], trivy: ['DS-0024'] },
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nRUN apt-get update && apt-get upgrade -y\n'],
        good: ['FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
