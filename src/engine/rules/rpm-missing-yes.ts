import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { rpmInvocations } from '../dockerfile/packages';
import { hasOption } from '../dockerfile/run';
import { insertArgumentEdit } from '../dockerfile/shell';

/** Subcommands that ask for confirmation (microdnf never asks, so it is not checked). */
const PROMPTS = {
  yum: /^(?:install|reinstall|update|upgrade|downgrade|remove|erase|autoremove|groupinstall|groupupdate|groupremove|localinstall|distro-sync)$/,
  dnf: /^(?:install|reinstall|update|upgrade|downgrade|remove|erase|autoremove|groupinstall|groupupdate|groupremove|localinstall|distro-sync|module|group)$/,
  zypper: /^(?:install|in|remove|rm|update|up|dist-upgrade|dup|patch|source-install|si)$/,
};
const REFS = { yum: ['DL3030'], dnf: ['DL3038'], zypper: ['DL3034'] };

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const { cmd, sub, manager } of rpmInvocations(ctx)) {
    if (manager === 'microdnf' || !PROMPTS[manager].test(sub.word.value)) continue;
    const confirmed =
      manager === 'zypper'
        ? hasOption(cmd.args, 'n', ['--non-interactive', '--no-confirm']) || hasOption(cmd.args.slice(sub.index + 1), 'y', [])
        : hasOption(cmd.args, 'y', ['--assumeyes']) || cmd.args.some((w) => /^--setopt=assumeyes=(?:1|true|yes)$/i.test(w.value));
    if (confirmed) continue;
    reports.push({
      message: `${cmd.name} ${sub.word.value} without ${manager === 'zypper' ? '-n/-y' : '-y'}: with no terminal to answer the prompt, the build stops ("Exiting on user command")`,
      range: { start: cmd.nameWord.start, end: sub.word.end },
      refs: { hadolint: REFS[manager] },
      // The prompt can only be answered "no" in a build (stdin is empty): -y is what the author meant.
      fixes: [{ title: 'Add -y', safe: true, preferred: true, edits: [insertArgumentEdit(sub.word, '-y')] }],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'rpm-missing-yes',
    title: 'yum, dnf or zypper without -y',
    severity: 'warning',
    targets: ['dockerfile'],
    rationale:
      'A build has no terminal: yum, dnf and zypper read an empty answer at their confirmation prompt, abort the transaction and fail the step ("Exiting on user command", "Aborting"), or wait forever where stdin stays open.',
    remediation: 'Use `yum install -y …`, `dnf install -y …`, `zypper install -y …` (or `zypper --non-interactive install …`).',
    refs: { hadolint: ['DL3030', 'DL3038', 'DL3034'] },
    examples: {
      dockerfile: {
        bad: ['FROM fedora:40\nRUN dnf install httpd\n'],
        good: ['FROM fedora:40\nRUN dnf install -y httpd\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
