import { DockerfileParser, Instruction, type Argument, type Dockerfile } from 'dockerfile-ast';

/**
 * dockerfile-ast re-tokenizes an instruction's whole text on every getArguments() call, and its
 * own parser calls it up to nine times per instruction: a 1.6 MB RUN line took 17 s to parse.
 * An instruction's text never changes after parsing, so its arguments are computed once (callers,
 * the library included, get a copy: some of them shift or replace entries).
 */
const argumentsOf = new WeakMap<Instruction, Argument[]>();
let memoized = false;
function memoizeArguments(): void {
  if (memoized) return;
  memoized = true;
  const proto = Instruction.prototype as unknown as { getRawArguments(this: Instruction): Argument[] };
  const tokenize = proto.getRawArguments;
  proto.getRawArguments = function (this: Instruction) {
    let args = argumentsOf.get(this);
    if (!args) {
      args = tokenize.call(this);
      argumentsOf.set(this, args);
    }
    return args.slice();
  };
}

/**
 * BuildKit splits lines on `\n` only (a `\r` before it is dropped); dockerfile-ast also breaks
 * lines at a lone `\r`, so a `# comment\r…` line would hide or swallow instructions and its
 * positions would disagree with ours. A vertical tab of the same length keeps offsets equal and
 * stays whitespace to the rules, as the `\r` is.
 */
function maskLoneCarriageReturns(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\v') : text;
}

/**
 * The last text parsed and its tree: the CLI reads a Dockerfile's base images (a parse) and then
 * lints the same text, so the second parse is this lookup. The tree is only read, never changed.
 */
let last: { text: string; tree: Dockerfile } | undefined;

/** Parses a Dockerfile with lines split as BuildKit splits them. */
export function parseDockerfile(text: string): Dockerfile {
  if (last?.text === text) return last.tree;
  memoizeArguments();
  const tree = DockerfileParser.parse(maskLoneCarriageReturns(text));
  last = { text, tree };
  return tree;
}
