// Compose's variable interpolation (compose spec, "Interpolation"): `$VAR`, `${VAR}`,
// `${VAR:-default}` / `${VAR-default}`, `${VAR:?error}` / `${VAR?error}`, `${VAR:+other}` /
// `${VAR+other}`, `$$` for a literal `$`. Defaults may hold further `${…}` (compose v2).

/** A variable's value, or undefined when it is not set. */
export type VariableLookup = (name: string) => string | undefined;

export interface Interpolated {
  value: string;
  /** The variables read, in order, and whether each was set (else a default or nothing was used). */
  used: { name: string; set: boolean }[];
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
/** Defaults nest this deep at most; deeper is treated as undecidable. */
const MAX_DEPTH = 16;
/** Reads a word compose would not use, only to find where it ends: every variable set, to a non-empty value. */
const SKIP: VariableLookup = () => '_';

/**
 * The text as compose would substitute it, or undefined when compose would not give a value this
 * engine can judge: a variable that is unset with no default (compose substitutes an empty string
 * and warns; the real value is set where it runs), a `:?` / `?` error, or a template compose rejects.
 */
export function interpolate(text: string, lookup: VariableLookup): Interpolated | undefined {
  const used: Interpolated['used'] = [];
  const parsed = parseWord(text, 0, false, lookup, used, 0);
  return parsed && parsed.end === text.length ? { value: parsed.value, used } : undefined;
}

/** Reads from `i` to the end of the text, or (inBraces) to the `}` that closes the enclosing `${`. */
function parseWord(text: string, i: number, inBraces: boolean, lookup: VariableLookup, used: Interpolated['used'], depth: number): { value: string; end: number } | undefined {
  if (depth > MAX_DEPTH) return undefined;
  let out = '';
  while (i < text.length) {
    const c = text[i];
    if (inBraces && c === '}') return { value: out, end: i };
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const braced = parseBraced(text, i + 2, lookup, used, depth);
      if (!braced) return undefined;
      out += braced.value;
      i = braced.end + 1;
      continue;
    }
    NAME.lastIndex = i + 1;
    const m = NAME.exec(text);
    // A `$` followed by anything else is an invalid template for compose.
    if (!m) return undefined;
    const value = lookup(m[0]);
    used.push({ name: m[0], set: value !== undefined });
    if (value === undefined) return undefined;
    out += value;
    i += 1 + m[0].length;
  }
  return inBraces ? undefined : { value: out, end: i };
}

/** `NAME}` or `NAME<op>word}` from just after `${`; `end` is the offset of the closing `}`. */
function parseBraced(text: string, i: number, lookup: VariableLookup, used: Interpolated['used'], depth: number): { value: string; end: number } | undefined {
  NAME.lastIndex = i;
  const m = NAME.exec(text);
  if (!m) return undefined;
  const name = m[0];
  const value = lookup(name);
  used.push({ name, set: value !== undefined });
  let j = i + name.length;
  if (text[j] === '}') return value === undefined ? undefined : { value, end: j };
  const colon = text[j] === ':';
  if (colon) j++;
  const op = text[j];
  if (op !== '-' && op !== '?' && op !== '+') return undefined;
  // The word is parsed (and its variables looked up) only when compose would use it.
  const unset = value === undefined || (colon && value === '');
  if (op === '?') {
    if (unset) return undefined;
    const skipped = parseWord(text, j + 1, true, SKIP, [], depth + 1);
    return skipped && { value: value, end: skipped.end };
  }
  const useWord = op === '-' ? unset : !unset;
  const word = parseWord(text, j + 1, true, useWord ? lookup : SKIP, useWord ? used : [], depth + 1);
  if (!word) return undefined;
  if (op === '-') return { value: unset ? word.value : value, end: word.end };
  return { value: unset ? '' : word.value, end: word.end };
}
