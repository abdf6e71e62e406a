import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { aptInvocations, closesCleanly, isShellForm, sameRun } from '../dockerfile/run';

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  const seen = new Set<unknown>();
  for (const { raw, cmd, sub } of aptInvocations(ctx)) {
    if (sub?.word.value !== 'install' || seen.has(raw.instruction)) continue;
    seen.add(raw.instruction);
    // A cache mount keeps the lists out of the layer already.
    const runRange = ctx.rangeOf(raw.instruction.getRange());
    if (/--mount=\S*type=cache\S*\/var\/lib\/apt/.test(ctx.text.slice(runRange.start, runRange.end))) continue;
    const run = sameRun(ctx, raw);
    const cleans = run.some((c) => c.name === 'rm' && c.args.some((w) => w.value.startsWith('/var/lib/apt/lists')));
    if (cleans) continue;
    const last = run[run.length - 1].command;
    const lastWord = last.words[last.words.length - 1];
    const fixable = isShellForm(raw.instruction) && !last.pipedTo && closesCleanly(ctx, raw.instruction);
    reports.push({
      message: 'apt-get install without removing /var/lib/apt/lists in the same RUN: the package index stays in the layer',
      range: { start: cmd.nameWord.start, end: sub.word.end },
      fixes: fixable ? [{ title: 'Append && rm -rf /var/lib/apt/lists/*', safe: true, preferred: true, edits: [{ start: lastWord.end, end: lastWord.end, newText: ' && rm -rf /var/lib/apt/lists/*' }] }] : [],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'apt-lists-not-cleaned',
    title: 'apt lists left in the image',
    severity: 'info',
    targets: ['dockerfile'],
    rationale: 'The package index (tens of MB) is only needed while installing. Left in the layer it bloats every pull and dates the image; deleting it in a later RUN does not shrink the earlier layer.',
    remediation: 'End the same RUN with `&& rm -rf /var/lib/apt/lists/*` (or use a BuildKit cache mount for /var/lib/apt).',
    refs: { hadolint: ['DL3009'] },
  },
  dockerfile: dockerfileCheck,
});
