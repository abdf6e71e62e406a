import { safeText } from '../output/escape';
import type { ImageContext, LayerPlace } from './context';
import { credentialsInCommand, parseCreatedBy } from './history';

/** `layer 3 (RUN chmod 4755 /usr/bin/x)`: the layer and the step that made it, bounded and on one line. */
export function layerLabel(ctx: ImageContext, layer: number): string {
  const step = ctx.history.find((h) => h.layer === layer);
  if (!step) return `layer ${layer}`;
  const p = parseCreatedBy(step.createdBy);
  // The label quotes the step, so it must not carry what secret-in-history reports: no command
  // line holding a credential, no ENV/ARG values.
  const args = p.keyword === 'ENV' || p.keyword === 'ARG' ? p.args.replace(/=("[^"]*"|'[^']*'|\S*)/g, '=…') : credentialsInCommand(p.args).length ? '<command hidden: holds a credential>' : p.args;
  return `layer ${layer} (${safeText(`${p.keyword} ${args}`.trim(), 80)})`;
}

/** `present in layer 2, deleted in layer 3, still extractable` and the like. */
export function placeText(ctx: ImageContext, place: LayerPlace): string {
  if (place.goneIn === undefined) return `in ${layerLabel(ctx, place.layer)}`;
  return `present in ${layerLabel(ctx, place.layer)}, ${place.gone} in ${layerLabel(ctx, place.goneIn)}, still extractable from layer ${place.layer}`;
}

/** `-rwsr-xr-x`-style octal for evidence: `4755`. */
export function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
