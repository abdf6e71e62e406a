import { defineRule, type Report } from '../rule';
import type { ImageContext } from '../image/context';
import { layerLabel, octal } from '../image/describe';
import { safeText } from '../output/escape';
import type { DockerfileContext } from '../dockerfile/context';
import { grantsWrite, isAccountFile, permissionChanges, setsSticky } from '../dockerfile/permissions';

/** Scratch space every user is meant to share. */
const SHARED_SCRATCH = /^\/(?:tmp|var\/tmp|dev\/shm)(?:\/|$)/;

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const change of permissionChanges(ctx, 'chmod')) {
    if (!grantsWrite(change.spec.value, 'o')) continue;
    // The account files have their own, stricter concern (account-file-writable).
    const paths = change.paths.filter((p) => !SHARED_SCRATCH.test(p.value) && !isAccountFile(p.value));
    if (!paths.length) continue;
    const sticky = setsSticky(change.spec.value);
    reports.push({
      message: `chmod ${change.spec.value} makes ${paths.length === 1 ? 'a path' : `${paths.length} paths`}${change.recursive ? ' and everything below' : ''} writable by every user${sticky ? ' (sticky: users cannot remove each other\'s files)' : ''}`,
      range: { start: change.cmd.nameWord.start, end: change.spec.end },
      severity: sticky ? 'info' : undefined,
      fixes: [],
    });
  }
  return reports;
}

function imageCheck(ctx: ImageContext): Report[] {
  return (ctx.files?.worldWritable ?? []).map((w) => {
    // A sticky directory (1777) lets everyone create files but not replace others': /tmp's model.
    const sticky = w.type === 'directory' && (w.mode & 0o1000) !== 0;
    return {
      message: `${w.type} ${safeText(w.path, 200)} is writable by every user${sticky ? ' (sticky: users cannot remove each other\'s files)' : ''}, from ${layerLabel(ctx, w.layer)}`,
      evidence: `mode ${octal(w.mode)}`,
      layer: w.layer,
      path: w.path,
      severity: sticky ? ('info' as const) : undefined,
    };
  });
}

export default defineRule({
  meta: {
    id: 'world-writable',
    title: 'World-writable files or directories in the image',
    severity: 'warning',
    severityWhen: { info: 'the directory has (or the chmod sets) the sticky bit, like /tmp' },
    targets: ['dockerfile', 'image'],
    rationale:
      'A file or directory every user may write lets any process in the container — whichever user it runs as — replace programs, configuration or data another (often more privileged) process trusts. Only /tmp and /var/tmp are meant to be shared.',
    remediation: 'Give the path to the user that needs it (`COPY --chown=app:app`, `chown`) with mode 755/644 or tighter; use a volume or tmpfs for scratch space. In a Dockerfile, `chmod 777`, `chmod -R a+w` and `chmod o+w` are reported on paths outside /tmp, /var/tmp and /dev/shm (no fix: which user needs the path is the author\'s knowledge).',
    refs: {},
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nRUN mkdir -p /app/data && chmod -R 777 /app\n', 'FROM debian:12\nRUN chmod o+w /var/log/app.log\n'],
        good: ['FROM debian:12\nRUN mkdir -p /app/data && chown -R 10001:10001 /app/data && chmod 750 /app/data\n', 'FROM debian:12\nRUN mkdir -p /tmp/cache && chmod 1777 /tmp/cache\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
  image: imageCheck,
});
