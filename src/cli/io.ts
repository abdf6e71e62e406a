import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where CLI commands write; tests pass their own to capture output. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

declare const BULKHEAD_VERSION: string | undefined;

/** The bundle has the version baked in (esbuild define); compiled tests find package.json. */
function readVersion(): string {
  if (typeof BULKHEAD_VERSION === 'string') return BULKHEAD_VERSION;
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'bulkhead') return pkg.version;
    } catch {
      /* keep looking upwards */
    }
  }
  return '0.0.0-dev';
}
export const VERSION = readVersion();

const DOCS_BASE = 'https://github.com/bulkhead/bulkhead/blob/main/docs/rules/';
export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
}
