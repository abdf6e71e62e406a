// `.env` and `env_file` files as docker compose reads them: `NAME=value` lines, `export` allowed,
// `#` comments, single quotes literal, double quotes with escapes, ` #…` after an unquoted value a
// comment. Values are secrets more often than not: callers judge them and never show them.

export interface DotenvEntry {
  name: string;
  value: string;
  /** How the value was quoted: single-quoted values are literal, the others may name variables. */
  quote?: "'" | '"';
  /** Offsets of the whole line in the file's text. */
  start: number;
  end: number;
}

const LINE = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*(.*?)[ \t]*$/;

export function parseDotenv(text: string): DotenvEntry[] {
  const out: DotenvEntry[] = [];
  let start = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const m = LINE.exec(line);
    if (m) out.push({ name: m[1], value: unquote(m[2]), ...quoteOf(m[2]), start, end: start + line.length });
    start += raw.length + 1;
  }
  return out;
}

function quoteOf(written: string): { quote?: "'" | '"' } {
  return written[0] === "'" || written[0] === '"' ? { quote: written[0] } : {};
}

function unquote(written: string): string {
  const quote = written[0];
  if (quote === "'" || quote === '"') {
    const close = written.indexOf(quote, 1);
    const inner = close > 0 ? written.slice(1, close) : written.slice(1);
    return quote === "'" ? inner : inner.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
  }
  return written.replace(/[ \t]+#.*$/, '');
}
