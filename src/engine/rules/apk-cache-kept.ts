import { defineRule, type Report } from '../rule';
import { leftoverReports } from '../image/leftovers';
import type { DockerfileContext } from '../dockerfile/context';
import { runCommands, sameRun, subcommand, unwrapSudo } from '../dockerfile/run';
import { insertArgumentEdit } from '../dockerfile/shell';
import { APK_VALUE_OPTIONS } from '../dockerfile/packages';

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const raw of runCommands(ctx)) {
    const cmd = unwrapSudo(raw);
    if (cmd.name !== 'apk') continue;
    const sub = subcommand(cmd.args, APK_VALUE_OPTIONS);
    if (sub?.word.value !== 'add' || cmd.args.some((w) => w.value === '--no-cache')) continue;
    const run = sameRun(ctx, raw);
    const text = ctx.text.slice(ctx.rangeOf(raw.instruction.getRange()).start, ctx.rangeOf(raw.instruction.getRange()).end);
    // Removing the cache in the same RUN, or a cache mount, keeps it out of the layer too.
    if (run.some((c) => c.name === 'rm' && c.args.some((w) => w.value.startsWith('/var/cache/apk'))) || /--mount=\S*type=cache\S*\/var\/cache\/apk/.test(text)) continue;
    reports.push({
      message: 'apk add without --no-cache: the package index and cache stay in the layer',
      range: { start: cmd.nameWord.start, end: sub.word.end },
      fixes: [{ title: 'Add --no-cache', safe: true, preferred: true, edits: [insertArgumentEdit(sub.word, '--no-cache')] }],
    });
  }
  return reports;
}


export default defineRule({
  meta: {
    id: 'apk-cache-kept',
    title: 'apk cache left in the image',
    severity: 'info',
    targets: ['dockerfile', 'image'],
    rationale: 'Without --no-cache, apk keeps the downloaded index and packages under /var/cache/apk in the layer: a bigger image that also dates it.',
    remediation: 'Use `apk add --no-cache …` (it fetches a fresh index, so no separate `apk update` is needed).',
    refs: { hadolint: ['DL3019'], trivy: ['DS-0025'] },
    examples: {
      dockerfile: {
        bad: ['FROM alpine:3.20\nRUN apk add curl\n'],
        good: ['FROM alpine:3.20\nRUN apk add --no-cache curl\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
  image: (ctx) => leftoverReports(ctx, ['apk-cache']),
});
