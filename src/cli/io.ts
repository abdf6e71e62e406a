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
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VERSION: string = typeof BULKHEAD_VERSION === 'string' ? BULKHEAD_VERSION : (require('../../package.json') as { version: string }).version;

export const DOCS_BASE = 'https://github.com/bulkhead/bulkhead/blob/main/docs/rules/';
export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
}
