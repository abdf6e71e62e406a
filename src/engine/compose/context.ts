import { parseDocument, type Document } from 'yaml';
import { LineIndex } from '../text';
import type { LintError } from '../model';

/** Everything a compose rule may look at, parsed once per lint. */
export interface ComposeContext {
  file?: string;
  text: string;
  lines: LineIndex;
  doc: Document.Parsed;
}

export function createComposeContext(text: string, file?: string): { ctx?: ComposeContext; errors: LintError[] } {
  const doc = parseDocument(text, { keepSourceTokens: true, prettyErrors: false, uniqueKeys: false });
  const errors: LintError[] = doc.errors.map((e) => ({
    message: `YAML: ${e.message.split('\n')[0]}`,
    range: { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) },
  }));
  if (errors.length) return { errors };
  return { ctx: { file, text, lines: new LineIndex(text), doc }, errors };
}
