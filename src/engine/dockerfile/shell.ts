import type { TextEdit } from '../model';

/** One shell word: its unquoted value and where its raw text sits in the original file. */
export interface ShellWord {
  value: string;
  start: number;
  end: number;
  /** A string of an exec-form (JSON array) instruction: edits must keep the array valid. */
  json?: boolean;
  /** A quote or `$(` opened in this word never closes: text appended after it would land inside. */
  unterminated?: boolean;
}

/** A simple command (words between `&&`, `||`, `;`, `|`, `&`, newlines and parentheses). */
export interface ShellCommand {
  words: ShellWord[];
  /** Reads its stdin from a pipe (`… | this`). */
  pipedFrom: boolean;
  /** Writes its stdout to a pipe (`this | …`). */
  pipedTo: boolean;
}

const BLANK = /[ \t]/;
/** Characters that end a run of ordinary word characters. */
const SPECIAL = new Uint8Array(128);
for (const c of ' \t\n\r;|&()\'"\\$`') SPECIAL[c.charCodeAt(0)] = 1;
const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/**
 * Tokenizes the shell text in [start, end) of `text` without copying it into a joined string, so
 * every word keeps its original offsets. With `dockerfileLines`, the Dockerfile's escape character
 * before a line break continues the line and comment lines inside the continuation are skipped (as
 * the builder does); otherwise (a heredoc script) line breaks separate commands.
 */
export function tokenizeShell(text: string, start: number, end: number, escape: string, dockerfileLines: boolean): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: ShellWord[] = [];
  let pipedFrom = false;
  const shellBackslash = escape === '\\' || !dockerfileLines;
  let i = start;
  // `case WORD in a|b) …;; esac`: the patterns before `)` are neither commands nor pipes.
  let openCases = 0;
  let inPattern = false;

  const endCommand = (pipe: boolean) => {
    if (words.length || pipe) commands.push({ words, pipedFrom, pipedTo: pipe });
    words = [];
    pipedFrom = pipe;
  };

  /** Skips a Dockerfile line continuation at i, returning the offset after it, or i if none. */
  const continuation = (at: number): number => {
    if (!dockerfileLines || text[at] !== escape) return at;
    let j = at + 1;
    while (j < end && isBlank(text[j])) j++;
    if (text[j] === '\r') j++;
    if (text[j] !== '\n') return at;
    j++;
    // Empty and comment lines inside a continuation are dropped by the builder.
    for (;;) {
      let k = j;
      while (k < end && isBlank(text[k])) k++;
      if (k < end && text[k] === '#') {
        while (k < end && text[k] !== '\n') k++;
        j = k + 1;
      } else if (k < end && (text[k] === '\n' || (text[k] === '\r' && text[k + 1] === '\n'))) {
        j = text[k] === '\r' ? k + 2 : k + 1;
      } else return j;
    }
  };

  while (i < end) {
    const skipped = continuation(i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    const c = text[i];
    if (isBlank(c) || c === '\r') {
      i++;
      continue;
    }
    if (c === '\n') {
      endCommand(false);
      i++;
      continue;
    }
    if (inPattern && (c === '(' || c === ')' || c === '|')) {
      if (c === ')') {
        inPattern = false;
        words = [];
      }
      i++;
      continue;
    }
    if (c === '#') {
      // A comment runs to the end of the (joined) line.
      while (i < end && text[i] !== '\n') {
        const s = continuation(i);
        i = s !== i ? s : i + 1;
      }
      continue;
    }
    if (c === '&' || c === '|' || c === ';' || c === '(' || c === ')') {
      const two = text.slice(i, i + 2);
      if (two === ';;' || (two === ';&' && openCases)) {
        // The end of a case item: a pattern comes next (`;;&` and `;&` of bash included).
        endCommand(false);
        i += text[i + 2] === '&' ? 3 : 2;
        inPattern = openCases > 0;
      } else if (two === '&&' || two === '||') {
        endCommand(false);
        i += 2;
      } else if (c === '|') {
        endCommand(true);
        i++;
      } else if (c === '&' && text[i + 1] === '>') {
        // `&>file` redirection is part of the command.
        i = readWord(i).next;
      } else {
        endCommand(false);
        i++;
      }
      continue;
    }
    const w = readWord(i);
    if (w.value === 'esac' && openCases && (inPattern || !words.length)) {
      openCases--;
      inPattern = false;
    }
    words.push(w.unterminated ? { value: w.value, start: i, end: w.end, unterminated: true } : { value: w.value, start: i, end: w.end });
    i = w.next;
    if (!inPattern && w.value === 'in' && words.length >= 3 && words[words.length - 3].value === 'case') {
      endCommand(false);
      openCases++;
      inPattern = true;
    }
  }
  endCommand(false);
  // A trailing `|` with nothing after leaves an empty command: drop it.
  return commands.filter((cmd) => cmd.words.length);

  function readWord(from: number): { value: string; end: number; next: number; unterminated: boolean } {
    let unterminated = false;
    let value = '';
    let j = from;
    let lastEnd = from;
    while (j < end) {
      const skipped = continuation(j);
      if (skipped !== j) {
        j = skipped;
        continue;
      }
      const ch = text[j];
      if (isBlank(ch) || ch === '\n' || ch === '\r' || ch === ';' || ch === '|' || ch === '(' || ch === ')') break;
      if (ch === '&' && text[j + 1] !== '>') break;
      if (ch === "'") {
        const close = text.indexOf("'", j + 1);
        const stop = close === -1 || close >= end ? end : close;
        if (stop === end) unterminated = true;
        value += text.slice(j + 1, stop);
        j = stop + 1;
      } else if (ch === '"') {
        j++;
        while (j < end && text[j] !== '"') {
          if (text[j] === '\\' && shellBackslash && j + 1 < end && '"\\$`'.includes(text[j + 1])) {
            value += text[j + 1];
            j += 2;
          } else {
            const s = continuation(j);
            if (s !== j) j = s;
            else value += text[j++];
          }
        }
        if (j >= end) unterminated = true;
        j++;
      } else if (ch === '\\' && shellBackslash && j + 1 < end) {
        if (text[j + 1] !== '\n') value += text[j + 1];
        j += 2;
      } else if (ch === '$' && text[j + 1] === '(') {
        // Command substitution stays one word; its inside is not split.
        let depth = 0;
        const from2 = j;
        while (j < end) {
          if (text[j] === '(') depth++;
          else if (text[j] === ')' && --depth === 0) {
            j++;
            break;
          }
          j++;
        }
        if (depth > 0) unterminated = true;
        value += text.slice(from2, j);
      } else {
        // A run of ordinary characters is copied in one slice.
        const from3 = j;
        j++;
        for (let code = text.charCodeAt(j); j < end && !(code < 128 && SPECIAL[code]); code = text.charCodeAt(++j));
        value += text.slice(from3, j);
      }
      lastEnd = Math.min(j, end);
    }
    return { value, end: lastEnd, next: j, unterminated };
  }
}

/** Words before a command that only wrap it: reserved words of compound commands, `!`, and wrappers that run their argument. */
const COMMAND_PREFIXES = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '{', '!', 'time', 'env', 'command', 'exec', 'nohup']);

/** The command name, skipping `VAR=value` prefixes, wrappers (`env`, `exec`) and the reserved words in front of it (`then`, `do`, `{`, `!`). */
export function commandName(cmd: ShellCommand): { word: ShellWord; index: number } | undefined {
  for (let k = 0; k < cmd.words.length; k++) {
    const v = cmd.words[k].value;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) continue;
    if (COMMAND_PREFIXES.has(v)) continue;
    return { word: cmd.words[k], index: k };
  }
  return undefined;
}

/** Basename of a command word (`/usr/bin/curl` → `curl`). */
export function baseName(value: string): string {
  return value.slice(value.lastIndexOf('/') + 1);
}

/**
 * An edit deleting one word and the blanks on one side of it, so the rest of the line keeps its
 * layout (continuations and comments untouched).
 */
export function removeWordEdit(text: string, word: ShellWord): TextEdit {
  if (word.json) {
    // Remove the element with one of its commas: `"a", "-k", "b"` → `"a", "b"`.
    let after = word.end;
    while (after < text.length && /\s/.test(text[after])) after++;
    if (text[after] === ',') {
      after++;
      while (after < text.length && BLANK.test(text[after])) after++;
      return { start: word.start, end: after, newText: '' };
    }
    let before = word.start;
    while (before > 0 && /\s/.test(text[before - 1])) before--;
    if (text[before - 1] === ',') return { start: before - 1, end: word.end, newText: '' };
    return { start: word.start, end: word.end, newText: '' };
  }
  let end = word.end;
  while (end < text.length && BLANK.test(text[end])) end++;
  if (end > word.end) return { start: word.start, end, newText: '' };
  let start = word.start;
  while (start > 0 && BLANK.test(text[start - 1])) start--;
  return { start, end: word.end, newText: '' };
}

/** An edit inserting one argument right after `word`, in shell or exec (JSON) form alike. */
export function insertArgumentEdit(word: ShellWord, argument: string): TextEdit {
  return { start: word.end, end: word.end, newText: word.json ? `, ${JSON.stringify(argument)}` : ` ${argument}` };
}
