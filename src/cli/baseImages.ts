import type { BaseImageLookup } from '../engine/images/facts';
import type { LocalBaseImages } from '../docker/image-facts';

// Loaded on the first Dockerfile only: reading local base images needs dockerode, which costs
// more than linting a file, and compose files never need it.
let local: Promise<LocalBaseImages> | undefined;

/** What the local engine knows of a Dockerfile's base images (nothing without an engine). */
export async function baseImagesFor(dockerfileText: string): Promise<BaseImageLookup> {
  local ??= import('../docker/image-facts').then((m) => new m.LocalBaseImages());
  return (await local).lookupFor(dockerfileText);
}
