import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { insertArgumentEdit } from '../dockerfile/shell';
import { aptInvocations, hasOption } from '../dockerfile/run';

/** `-qq` (or `-q=2`) implies `-y` for apt-get, as documented in apt-get(8). */
function assumesYes(args: import('../dockerfile/shell').ShellWord[]): boolean {
  return hasOption(args, 'y', ['--yes', '--assume-yes']) || args.some((w) => /^-q(?:q|=2)$/.test(w.value) || /^-[a-z]*qq[a-z]*$/.test(w.value)) || args.some((w, k) => w.value === '-o' && /^APT::Get::Assume-Yes=(?:true|1)$/i.test(args[k + 1]?.value ?? ''));
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const { cmd, sub } of aptInvocations(ctx)) {
    if (!sub || !/^(?:install|upgrade|dist-upgrade|remove|purge|autoremove|build-dep)$/.test(sub.word.value) || assumesYes(cmd.args)) continue;
    reports.push({
      message: `${cmd.name} ${sub.word.value} without -y: the build stops at the confirmation prompt`,
      range: { start: cmd.nameWord.start, end: sub.word.end },
      fixes: [{ title: 'Add -y', safe: true, preferred: true, edits: [insertArgumentEdit(sub.word, '-y')] }],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'apt-missing-yes',
    title: 'apt-get without -y',
    severity: 'warning',
    targets: ['dockerfile'],
    rationale: 'A build has no terminal to answer apt-get\'s confirmation prompt: without `-y` the install aborts (or waits) depending on how the build is run.',
    remediation: 'Use `apt-get install -y …`.',
    refs: { hadolint: ['DL3014'], trivy: ['DS-0021'] },
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nRUN apt-get update && apt-get install curl\n'],
        good: ['FROM debian:12\nRUN apt-get update && apt-get install -y curl\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
