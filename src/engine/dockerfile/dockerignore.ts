// `.dockerignore` as the builder reads it (moby/patternmatcher): one pattern per line, `#` comments,
// `!` re-includes, a leading `/` and `./` mean the context root, `*` and `?` stay inside one path
// segment, `**` spans any number of segments, `[…]` is a character class. The last pattern that
// matches a path, or any directory above it, decides.

interface Pattern {
  exclusion: boolean;
  regex: RegExp;
}

/** Lines read at most (a real .dockerignore has tens). */
const MAX_PATTERNS = 10_000;

export class DockerIgnore {
  private readonly patterns: Pattern[];

  constructor(text: string) {
    this.patterns = [];
    for (const raw of text.split(/\r?\n/).slice(0, MAX_PATTERNS)) {
      let line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const exclusion = line.startsWith('!');
      if (exclusion) line = line.slice(1).trim();
      const cleaned = clean(line);
      if (!cleaned) continue;
      const regex = toRegex(cleaned);
      if (regex) this.patterns.push({ exclusion, regex });
    }
  }

  /** Whether a context path (`/`-separated, relative to the context) is left out of the build. */
  ignores(path: string): boolean {
    const parts = clean(path).split('/');
    let ignored = false;
    for (const p of this.patterns) {
      // A pattern that matches a directory above the path matches everything in it.
      let matched = false;
      for (let n = parts.length; n >= 1 && !matched; n--) matched = p.regex.test(parts.slice(0, n).join('/'));
      if (matched) ignored = !p.exclusion;
    }
    return ignored;
  }
}

/**
 * filepath.Clean on Linux, relative to the context: no leading `/` or `./`, no `.` segments, `..`
 * resolved; a backslash is an escape in a pattern, not a separator.
 */
function clean(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

function toRegex(pattern: string): RegExp | undefined {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        // `**/` matches zero or more directories; a trailing `**` everything below.
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      // An unterminated class is an invalid pattern for the builder: it fails; here it matches nothing.
      if (close === -1) return undefined;
      let body = pattern.slice(i + 1, close);
      if (body.startsWith('^') || body.startsWith('!')) body = '^' + body.slice(1);
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRegex(pattern[++i]);
    } else re += escapeRegex(c);
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    return undefined;
  }
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/**
 * A `.dockerignore` line that matches exactly this context path: the pattern characters `*?[\`
 * are escaped, as is a leading `!` or `#`. Undefined for a path no line can express (a newline).
 */
export function dockerignoreLine(path: string): string | undefined {
  if (/[\r\n]/.test(path)) return undefined;
  return path
    .replace(/[*?[\\]/g, '\\$&')
    .replace(/^[!#]/, '\\$&');
}
