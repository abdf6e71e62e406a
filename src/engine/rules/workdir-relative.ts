import { defineRule, type Report } from '../rule';
import type { DockerfileContext, Stage } from '../dockerfile/context';

const ABSOLUTE = /^(?:\/|[A-Za-z]:[\\/]|\\|\$)/;

/** The working directory after a WORKDIR: a clean absolute path, and whether it is known from this file alone. */
interface Workdir {
  path: string;
  known: boolean;
}

/** Linux's PATH_MAX: a longer working directory cannot be entered, so no fix is computed past it (and chains stay linear). */
const PATH_MAX = 4096;

/** `path` joined to `base` and cleaned as Docker does (`.` and `..` resolved, no trailing slash). */
function resolve(base: string, path: string): string {
  // The common case, plain names: no need to re-clean the (already clean) base.
  if (!/(?:^|\/)\.\.?(?:\/|$)/.test(path)) {
    const tail = path.split('/').filter(Boolean).join('/');
    return base === '' || base === '/' ? `/${tail}` : tail ? `${base}/${tail}` : base;
  }
  const parts: string[] = [];
  for (const part of `${base}/${path}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  // One pass over the file: each stage starts where the stage it builds on ended.
  const endOf = new Map<Stage, Workdir | undefined>();
  for (const stage of ctx.stages) {
    const windows = stage.family === 'windows';
    let current = stage.image.stage ? endOf.get(stage.image.stage) : undefined;
    for (const instruction of stage.instructions) {
      if (ctx.keywordOf(instruction) !== 'WORKDIR') continue;
      const arg = instruction.getArguments()[0];
      if (!arg) continue;
      const range = ctx.rangeOf(arg.getRange());
      // The raw text: a Windows path's backslashes are not escapes to this check.
      const path = ctx.text.slice(range.start, range.end).replace(/^["']|["']$/g, '');
      if (windows || path.includes('$')) {
        current = undefined;
        if (!ABSOLUTE.test(path)) reports.push({ message: message(path), range, fixes: [] });
        continue;
      }
      if (ABSOLUTE.test(path)) {
        current = { path: resolve('', arg.getValue()), known: true };
        continue;
      }
      // Docker resolves it against the current working directory: known when this file set it.
      const next: Workdir = { path: resolve(current?.path ?? '', path), known: current?.known ?? false };
      if (next.path.length >= PATH_MAX) {
        current = undefined;
        reports.push({ message: message(path), range, fixes: [] });
        continue;
      }
      reports.push({
        message: message(path),
        range,
        fixes: [
          {
            title: next.known ? `Use ${next.path}` : `Use ${next.path} (assumes the base image's working directory is /; files land and commands run there if it is not)`,
            safe: next.known,
            preferred: true,
            edits: [{ ...range, newText: next.path }],
          },
        ],
      });
      current = next;
    }
    endOf.set(stage, current);
  }
  return reports;
}

const message = (path: string) => `relative WORKDIR ${path}: it depends on the working directory the base image (or an earlier WORKDIR) happens to set`;

export default defineRule({
  meta: {
    id: 'workdir-relative',
    title: 'Relative WORKDIR',
    severity: 'warning',
    targets: ['dockerfile'],
    rationale: 'A relative WORKDIR is resolved against whatever working directory is current, which a base image update can change: files then land, and commands run, somewhere else.',
    remediation: 'Use an absolute path: `WORKDIR /app`. The fix joins the path to the working directory the file set before (chains included: /srv, app, build → /srv/app/build) and is safe then; when only the base image knows it, the fix assumes / and is unsafe.',
    refs: { hadolint: ['DL3000'], trivy: ['DS-0009'], checkov: ['CKV_DOCKER_10'] },
  },
  dockerfile: dockerfileCheck,
});
