import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
import type { ContainerAnalysis } from './containers';

/** The compose file (absolute) and 0-based line of the service key, from the compose labels. */
export function locateComposeService(c: ContainerAnalysis): { file: string; line: number } | { error: string } {
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
    const doc = parseDocument(text);
    const services = doc.get('services');
    if (!isMap(services) || !compose.service) continue;
    const pair = services.items.find((p) => isScalar(p.key) && String(p.key.value) === compose.service);
    const start = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    if (start !== undefined) return { file, line: text.slice(0, start).split('\n').length - 1 };
  }
  return { file: existing[0], line: 0 };
}
