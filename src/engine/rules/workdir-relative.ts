import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { stageChain } from '../dockerfile/stage';

const ABSOLUTE = /^(?:\/|[A-Za-z]:[\\/]|\\|\$)/;

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const stage of ctx.stages) {
    const windows = stage.family === 'windows';
    for (const instruction of stage.instructions) {
      if (ctx.keywordOf(instruction) !== 'WORKDIR') continue;
      const arg = instruction.getArguments()[0];
      if (!arg) continue;
      const range = ctx.rangeOf(arg.getRange());
      // The raw text: a Windows path's backslashes are not escapes to this check.
      const path = ctx.text.slice(range.start, range.end).replace(/^["']|["']$/g, '');
      if (ABSOLUTE.test(path)) continue;
      // Docker resolves it against the previous WORKDIR; when this file set one, the result is known.
      const previous = stageChain(stage)
        .flatMap((s) => s.instructions)
        .filter((i) => ctx.keywordOf(i) === 'WORKDIR' && i.getRange().start.line < instruction.getRange().start.line)
        .map((i) => i.getArguments()[0]?.getValue() ?? '')
        .pop();
      const base = previous && previous.startsWith('/') ? previous.replace(/\/+$/, '') : undefined;
      const absolute = `${base ?? ''}/${path.replace(/^\.\//, '')}`;
      reports.push({
        message: `relative WORKDIR ${path}: it depends on the working directory the base image (or an earlier WORKDIR) happens to set`,
        range,
        fixes: windows || path.includes('$')
          ? []
          : [{ title: `Use ${absolute}`, safe: base !== undefined, preferred: true, edits: [{ ...range, newText: absolute }] }],
      });
    }
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'workdir-relative',
    title: 'Relative WORKDIR',
    severity: 'warning',
    targets: ['dockerfile'],
    rationale: 'A relative WORKDIR is resolved against whatever working directory is current, which a base image update can change: files then land, and commands run, somewhere else.',
    remediation: 'Use an absolute path: `WORKDIR /app`.',
    refs: { hadolint: ['DL3000'], trivy: ['DS-0009'], checkov: ['CKV_DOCKER_10'] },
  },
  dockerfile: dockerfileCheck,
});
