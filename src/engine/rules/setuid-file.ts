import type { Fix } from '../model';
import { defineRule, type Report } from '../rule';
import type { ImageContext, SpecialBitFile } from '../image/context';
import { layerLabel, octal } from '../image/describe';
import { safeText } from '../output/escape';
import { linesToInsert } from '../dockerfile/stage';

const STRIP_SPECIAL_BITS = 'RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +';

/**
 * The Dockerfile edit that clears the bits: after the instruction that created the layer (or the
 * final FROM for base-image files), while the build still runs as the user that could set them.
 * `find` strips every setuid file; without `find` in the image, `chmod a-s` names the files.
 */
function stripFix(ctx: ImageContext, file: SpecialBitFile, all: SpecialBitFile[]): Fix[] {
  const source = ctx.source;
  const step = ctx.history.findIndex((h) => h.layer === file.layer);
  const instruction = source?.steps.get(step);
  const tools = ctx.files?.tools ?? {};
  if (!source || !instruction || !tools['/bin/sh']) return [];
  const hasFind = tools['/bin/find'] || tools['/usr/bin/find'];
  const hasChmod = tools['/bin/chmod'] || tools['/usr/bin/chmod'];
  if (!hasFind && !hasChmod) return [];
  const paths = all.filter((f) => f.layer === file.layer).map((f) => f.path);
  // Paths with shell metacharacters would need quoting a reviewer cannot check at a glance.
  if (!hasFind && paths.some((p) => !/^[A-Za-z0-9_./+@-]+$/.test(p))) return [];
  const line = hasFind ? STRIP_SPECIAL_BITS : `RUN chmod a-s ${paths.join(' ')}`;
  const df = source.dockerfile;
  if (df.text.split(/\r?\n/).some((l) => l.trim() === line)) return [];
  const endLine = instruction.getRange().end.line;
  const atEnd = endLine + 1 >= df.lines.lineCount;
  const at = atEnd ? df.text.length : df.lines.lineStart(endLine + 1);
  return [
    {
      title: hasFind ? 'Strip setuid/setgid bits from every file (find … chmod a-s)' : `Strip setuid/setgid bits (chmod a-s ${paths.length} file(s))`,
      // Programs that rely on the bit (su, passwd, ping without capabilities) stop elevating.
      safe: false,
      preferred: true,
      edits: [{ start: at, end: at, newText: linesToInsert(df, [line], atEnd && !df.text.endsWith('\n')) }],
    },
  ];
}

function imageCheck(ctx: ImageContext): Report[] {
  const files = ctx.files?.specialBits ?? [];
  return files.map((f) => {
    const bits = [f.mode & 0o4000 ? 'setuid' : '', f.mode & 0o2000 ? 'setgid' : ''].filter(Boolean).join('+');
    const who = f.mode & 0o4000 ? (f.uid === 0 ? 'root' : `uid ${f.uid}`) : f.gid === 0 ? 'group root' : `gid ${f.gid}`;
    return {
      message: `${safeText(f.path, 200)} is ${bits} (runs as ${who} whoever starts it), added in ${layerLabel(ctx, f.layer)}`,
      evidence: `mode ${octal(f.mode)} owner ${f.uid}:${f.gid}`,
      layer: f.layer,
      path: f.path,
      fixes: stripFix(ctx, f, files),
    };
  });
}

export default defineRule({
  meta: {
    id: 'setuid-file',
    title: 'Image holds setuid/setgid files',
    severity: 'warning',
    targets: ['image'],
    rationale:
      'A setuid or setgid file runs with its owner\'s privileges (usually root) whoever starts it: it is the classic way from an unprivileged foothold back to root inside the container. Most applications need none.',
    remediation:
      'Strip the bits in the final stage (`RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`), give a program that needs privilege the one capability it needs instead, and run containers with `--security-opt no-new-privileges`.',
    refs: { cis: ['4.8'], dockle: ['CIS-DI-0008'] },
  },
  image: imageCheck,
});
