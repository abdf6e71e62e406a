import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { pipInstalls } from '../dockerfile/packages';
import { insertArgumentEdit } from '../dockerfile/shell';
import { leftoverReports } from '../image/leftovers';

/** An ENV or ARG that configures pip's cache away for every later pip call. */
function cacheDisabledByEnvironment(ctx: DockerfileContext): boolean {
  return [...ctx.ofKeyword('ENV'), ...ctx.ofKeyword('ARG')].some((i) => /\bPIP_NO_CACHE_DIR\b/.test(i.getTextContent()));
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const installs = pipInstalls(ctx);
  if (!installs.length || cacheDisabledByEnvironment(ctx)) return [];
  const reports: Report[] = [];
  for (const { raw, cmd, args, sub } of installs) {
    if (args.some((w) => w.value === '--no-cache-dir' || w.value.startsWith('--cache-dir'))) continue;
    // A cache mount keeps the cache out of the layer (and is the faster choice).
    const run = ctx.rangeOf(raw.instruction.getRange());
    if (/--mount=\S*type=cache/.test(ctx.text.slice(run.start, run.end))) continue;
    reports.push({
      message: 'pip install without --no-cache-dir: the downloaded wheels stay in the layer under ~/.cache/pip',
      range: { start: cmd.nameWord.start, end: sub.word.end },
      // --no-cache-dir only stops pip from writing and reading its download cache; what it installs is unchanged.
      fixes: [{ title: 'Add --no-cache-dir', safe: true, preferred: true, edits: [insertArgumentEdit(sub.word, '--no-cache-dir')] }],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'pip-cache-kept',
    title: 'pip cache left in the image',
    severity: 'info',
    targets: ['dockerfile', 'image'],
    rationale: 'pip keeps every downloaded wheel and source archive under ~/.cache/pip. In an image that cache is never reused, makes every pull bigger, and can hold packages from private indexes.',
    remediation: 'Use `pip install --no-cache-dir …`, set `ENV PIP_NO_CACHE_DIR=1`, or use a BuildKit cache mount (`RUN --mount=type=cache,target=/root/.cache/pip pip install …`).',
    refs: { hadolint: ['DL3042'] },
    examples: {
      dockerfile: {
        bad: ['FROM python:3.12-slim\nRUN pip install flask==3.0.3\n'],
        good: ['FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
  image: (ctx) => leftoverReports(ctx, ['pip-cache']),
});
