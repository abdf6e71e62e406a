import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { createComposeContext } from '../engine/compose/context';
import type { ContainerAnalysis } from './containers';

/** The compose file (absolute) and 0-based line of the service key, from the compose labels. */
export function locateComposeService(c: Pick<ContainerAnalysis, 'name' | 'compose'>): { file: string; line: number } | { error: string } {
  const compose = c.compose;
  if (!compose?.configFiles?.length) return { error: `${c.name} was not created by docker compose (no compose labels).` };
  const files = compose.configFiles.map((f) => (isAbsolute(f) || !compose.workingDir ? f : join(compose.workingDir, f)));
  const existing = files.filter((f) => existsSync(f));
  if (!existing.length) return { error: `The compose file of ${c.name} is not on this machine: ${files.join(', ')}` };
  // With several files (overrides), the service is found in the first one defining it.
  for (const file of existing) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const ctx = compose.service ? createComposeContext(text, file).ctx : undefined;
    const service = ctx?.services.find((s) => s.name === compose.service);
    if (ctx && service) return { file, line: ctx.lines.position(service.range.start).line };
  }
  return { file: existing[0], line: 0 };
}
