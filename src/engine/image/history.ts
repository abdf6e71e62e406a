// Back to the source: which Dockerfile instruction created each history step. Both builders record
// the instruction in `created_by`, in different spellings:
//   classic   `/bin/sh -c #(nop)  ENV A=b`, `/bin/sh -c #(nop) COPY file:3f…  in /app `, `|1 A=b /bin/sh -c make`
//   BuildKit  `ENV A=b`, `COPY app /app # buildkit`, `RUN |1 A=b /bin/sh -c make # buildkit`
import type { Instruction } from 'dockerfile-ast';
import type { DockerfileContext } from '../dockerfile/context';
import { finalStage } from '../dockerfile/stage';
import type { ImageContext } from './context';

export interface HistoryInstruction {
  keyword: string;
  /** The instruction's arguments; for RUN, the shell command without the `|N A=b` build-arg prefix. */
  args: string;
  /** `A=b` pairs of build args the step saw (RUN only); values never leave the engine's callers. */
  buildArgs: { name: string; value: string }[];
}

const KEYWORDS = /^(RUN|COPY|ADD|ENV|ARG|USER|WORKDIR|EXPOSE|LABEL|CMD|ENTRYPOINT|HEALTHCHECK|VOLUME|STOPSIGNAL|SHELL|ONBUILD|MAINTAINER)\b\s*/;

/** Splits `|2 A=1 B=x y /bin/sh -c …` into its build args and the rest. */
function splitBuildArgs(text: string): { buildArgs: HistoryInstruction['buildArgs']; rest: string } {
  const m = /^\|(\d+)\s+/.exec(text);
  if (!m) return { buildArgs: [], rest: text };
  let rest = text.slice(m[0].length);
  const buildArgs: HistoryInstruction['buildArgs'] = [];
  for (let k = 0; k < Number(m[1]); k++) {
    // Values are written unquoted; one ends where the next NAME= or the shell begins.
    const pair = /^([A-Za-z_][A-Za-z0-9_]*)=(.*?)(?=\s+(?:[A-Za-z_][A-Za-z0-9_]*=|\/bin\/sh\s|\/bin\/bash\s|cmd\s|powershell\s|\[)|\s*$)\s*/.exec(rest);
    if (!pair) break;
    buildArgs.push({ name: pair[1], value: pair[2] });
    rest = rest.slice(pair[0].length);
  }
  return { buildArgs, rest };
}

/** The instruction a `created_by` records. */
export function parseCreatedBy(createdBy: string): HistoryInstruction {
  let text = createdBy.trim().replace(/\s*# buildkit$/, '');
  const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(text);
  if (nop) text = text.slice(nop[0].length);
  const kw = KEYWORDS.exec(text);
  if (nop || (kw && kw[1] !== 'RUN')) {
    if (!kw) return { keyword: '', args: text, buildArgs: [] };
    return { keyword: kw[1], args: text.slice(kw[0].length).trim(), buildArgs: [] };
  }
  // A RUN step: BuildKit prefixes "RUN ", the classic builder writes the command only.
  if (kw) text = text.slice(kw[0].length);
  const { buildArgs, rest } = splitBuildArgs(text);
  const shell = /^\/bin\/(?:ba)?sh -c\s+/.exec(rest);
  return { keyword: 'RUN', args: (shell ? rest.slice(shell[0].length) : rest).trim(), buildArgs };
}

/** Credentials written into a command line; each names what it found, never the value. */
const INLINE_CREDENTIALS: { what: string; re: RegExp }[] = [
  { what: 'an Authorization header', re: /(?:-H|--header)[=\s]+["']?\s*(?:Authorization|Proxy-Authorization|PRIVATE-TOKEN|X-API-Key|X-Auth-Token)\s*:\s*\S/i },
  { what: 'a --user/-u password', re: /\s(?:-u|--user)[=\s]+["']?[^\s:"']+:[^\s"']+/ },
  { what: 'credentials in a URL', re: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@$]+@/i },
  { what: 'a --password option', re: /\s--password[=\s]+["']?(?!\$)\S/ },
  { what: 'an AWS access key', re: /\bAKIA[0-9A-Z]{16}\b/ },
  { what: 'a GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})/ },
  { what: 'a GitLab token', re: /\bglpat-[A-Za-z0-9_-]{20}/ },
  { what: 'a Slack token', re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { what: 'a private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];
/** What kinds of credential a command line holds (never the values). */
export function credentialsInCommand(command: string): string[] {
  return INLINE_CREDENTIALS.filter((c) => c.re.test(command)).map((c) => c.what);
}

function collapse(s: string): string {
  return s.replace(/\\\r?\n/g, ' ').replace(/\s+/g, ' ').trim();
}

function matches(ctx: DockerfileContext, step: HistoryInstruction, instruction: Instruction): boolean {
  const keyword = ctx.keywordOf(instruction);
  if (keyword !== step.keyword) return false;
  if (keyword !== 'RUN') return true;
  const own = collapse(instruction.getArgumentsContent() ?? '').replace(/^(?:--[a-z-]+=\S+\s+)+/, '');
  const recorded = collapse(step.args);
  return own === recorded || (own.length > 0 && recorded.includes(own)) || (recorded.length > 0 && own.includes(recorded));
}

/**
 * For each history step (by index), the final-stage instruction that created it. Aligns from the
 * end: the image's last steps are the final stage's instructions, in order; earlier steps that
 * match nothing belong to the base image and map to the stage's FROM.
 */
export function linkHistory(image: ImageContext, ctx: DockerfileContext): Map<number, Instruction> {
  const links = new Map<number, Instruction>();
  const stage = finalStage(ctx);
  if (!stage) return links;
  const instructions = stage.instructions;
  let j = instructions.length - 1;
  let i = image.history.length - 1;
  for (; i >= 0 && j >= 0; i--) {
    const step = parseCreatedBy(image.history[i].createdBy);
    // Search a few instructions back: builders drop some (a repeated ARG, ONBUILD triggers).
    for (let k = j; k >= Math.max(0, j - 3); k--) {
      if (matches(ctx, step, instructions[k])) {
        links.set(i, instructions[k]);
        j = k - 1;
        break;
      }
    }
  }
  // What precedes the first linked step came from the base image.
  for (; i >= 0; i--) links.set(i, stage.from);
  return links;
}
