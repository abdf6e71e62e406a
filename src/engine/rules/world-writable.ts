import { defineRule, type Report } from '../rule';
import type { ImageContext } from '../image/context';
import { layerLabel, octal } from '../image/describe';
import { safeText } from '../output/escape';

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
    targets: ['image'],
    rationale:
      'A file or directory every user may write lets any process in the container — whichever user it runs as — replace programs, configuration or data another (often more privileged) process trusts. Only /tmp and /var/tmp are meant to be shared.',
    remediation: 'Give the path to the user that needs it (`COPY --chown=app:app`, `chown`) with mode 755/644 or tighter; use a volume or tmpfs for scratch space.',
    refs: {},
  },
  image: imageCheck,
});
