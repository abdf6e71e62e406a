import type { Report } from '../rule';
import { safeText } from '../output/escape';
import type { ImageContext, LeftoverKind } from './context';
import { layerLabel } from './describe';

const KIND_TEXT: Record<LeftoverKind, string> = {
  'apt-lists': 'apt package lists',
  'apt-archives': 'downloaded .deb packages',
  'apk-cache': 'the apk package cache',
  'pip-cache': 'the pip download cache',
  'npm-cache': 'the npm cache',
  'yum-cache': 'the yum cache',
  'dnf-cache': 'the dnf cache',
  git: 'a .git directory (the repository\'s whole history)',
};

/** One report per cache or .git directory of these kinds that survives in the final filesystem. */
export function leftoverReports(ctx: ImageContext, kinds: readonly LeftoverKind[]): Report[] {
  return (ctx.files?.leftovers ?? [])
    .filter((l) => kinds.includes(l.kind))
    .map((l) => ({
      message: `${safeText(l.path, 200)} holds ${KIND_TEXT[l.kind]}, left by ${layerLabel(ctx, l.layer)}`,
      evidence: `${l.files} file(s), ${(l.bytes / 1024).toFixed(0)} KiB in layer ${l.layer}`,
      layer: l.layer,
      path: l.path,
    }));
}
