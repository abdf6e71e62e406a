import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { runCommands } from '../dockerfile/run';
import { removeWordEdit } from '../dockerfile/shell';

/** sudo options that only affect sudo itself, so dropping them with it is harmless. */
const PLAIN_OPTIONS = /^-[EHnSk]+$/;

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const cmd of runCommands(ctx)) {
    if (cmd.name !== 'sudo') continue;
    const options = [];
    let k = 0;
    while (k < cmd.args.length && cmd.args[k].value.startsWith('-')) options.push(cmd.args[k++]);
    const stage = ctx.stageOf(cmd.instruction);
    // Dropping sudo keeps the command's behaviour only when the build already runs as root here.
    const userBefore = stage?.instructions.filter((i) => ctx.keywordOf(i) === 'USER' && i.getRange().start.line < cmd.instruction.getRange().start.line).pop();
    const asRoot = !userBefore || /^(?:root|0)(?::|$)/.test((userBefore.getArgumentsContent() ?? '').trim());
    const fixable = k < cmd.args.length && options.every((o) => PLAIN_OPTIONS.test(o.value));
    reports.push({
      message: 'sudo in RUN: the build already runs as the current USER, and sudo in an image is a privilege-escalation path',
      range: { start: cmd.nameWord.start, end: cmd.nameWord.end },
      fixes: fixable
        ? [{ title: 'Remove sudo', safe: asRoot, preferred: true, edits: [cmd.nameWord, ...options].map((w) => removeWordEdit(ctx.text, w)) }]
        : [],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'sudo-in-run',
    title: 'sudo in RUN',
    severity: 'warning',
    targets: ['dockerfile'],
    rationale:
      'sudo has unpredictable TTY and signal behaviour and, installed in an image, lets a compromised unprivileged process regain root. A Dockerfile switches users with USER instead.',
    remediation: 'Run the command as root (put it before `USER app`, or use `USER root` in a build stage) and remove sudo from the image.',
    refs: { hadolint: ['DL3004'], trivy: ['DS-0010'], checkov: ['CKV2_DOCKER_1'] },
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nRUN sudo apt-get update\n'],
        good: ['FROM debian:12\nRUN apt-get update\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
