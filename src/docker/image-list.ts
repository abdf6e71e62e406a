import type Docker from 'dockerode';
import { engineApi } from './engine-api';

export interface LocalImage {
  id: string;
  tags: string[];
  sizeBytes: number;
  /** Names of the containers (any state) created from this image. */
  containers: string[];
}

/** The engine's images (dangling ones too), each with the containers that use it. */
export async function listLocalImages(client: Docker): Promise<LocalImage[]> {
  const [images, containers] = await Promise.all([engineApi.listImages(client), engineApi.listContainers(client)]);
  const users = new Map<string, string[]>();
  for (const c of containers) {
    if (typeof c.ImageID !== 'string') continue;
    const name = typeof c.Names?.[0] === 'string' ? c.Names[0] : c.Id.slice(0, 12);
    users.set(c.ImageID, [...(users.get(c.ImageID) ?? []), name.replace(/^\//, '')]);
  }
  return images
    .map((i) => ({ id: i.Id, tags: (i.RepoTags ?? []).filter((t) => typeof t === 'string' && t !== '<none>:<none>'), sizeBytes: typeof i.Size === 'number' ? i.Size : 0, containers: users.get(i.Id) ?? [] }))
    // Tagged images first, by name; untagged ones after, by id.
    .sort((a, b) => Number(!a.tags.length) - Number(!b.tags.length) || (a.tags[0] ?? a.id).localeCompare(b.tags[0] ?? b.id));
}
