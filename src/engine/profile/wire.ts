import { isMap, isScalar, isSeq, type Pair, type Scalar } from 'yaml';
import { createComposeContext } from '../compose/context';
import type { TextEdit } from '../model';
import { shellQuote } from '../output/shell-quote';

export interface ProfileWiring {
  /** As the compose file should name it: `./profiles/web.json` (relative to the compose file). */
  profilePath: string;
  /** Capabilities to add back after `cap_drop: [ALL]`; undefined leaves cap_drop/cap_add alone. */
  capAdd: readonly string[] | undefined;
}

const SECCOMP_OPT = /^seccomp[=:]/;

/**
 * Edits that make one compose service use the profile: `security_opt` gets `seccomp=<path>`
 * (replacing an earlier seccomp entry, keeping the other options), `cap_drop: [ALL]`, and
 * `cap_add` exactly the given list (or removed when empty). Minimal text edits; other keys,
 * comments and layout stay. Applying them twice gives the same text.
 */
export function composeWiringEdits(text: string, serviceName: string, wiring: ProfileWiring): { edits: TextEdit[]; error?: string } {
  const { ctx, errors } = createComposeContext(text);
  if (!ctx) return { edits: [], error: errors[0]?.message ?? 'cannot parse the compose file' };
  const services = ctx.doc.get('services', true);
  if (!isMap(services)) return { edits: [], error: 'the compose file has no services' };
  const servicePair = services.items.find((p) => isScalar(p.key) && p.key.value === serviceName);
  if (!servicePair || !isMap(servicePair.value)) return { edits: [], error: `service "${serviceName}" is not in this compose file` };
  const service = servicePair.value;
  if (service.flow) return { edits: [], error: `service "${serviceName}" is written in flow style ({…}); add the options by hand` };

  const own = (key: string) => service.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<Scalar, unknown> | undefined;
  const existingOpts = own('security_opt');
  const keptOpts = isSeq(existingOpts?.value)
    ? existingOpts.value.items.map((i) => (isScalar(i) ? String(i.value) : undefined)).filter((v): v is string => v !== undefined && !SECCOMP_OPT.test(v))
    : [];
  const wanted: [string, string[] | undefined][] = [['security_opt', [...keptOpts, `seccomp=${wiring.profilePath}`]]];
  if (wiring.capAdd) {
    wanted.push(['cap_drop', ['ALL']], ['cap_add', wiring.capAdd.length ? [...new Set(wiring.capAdd)].sort() : undefined]);
  }

  const edits: TextEdit[] = [];
  const inserts: string[] = [];
  const first = service.items[0];
  const firstKeyStart = (first?.key as Scalar | undefined)?.range?.[0];
  const indent = firstKeyStart !== undefined ? ' '.repeat(ctx.lines.position(firstKeyStart).character) : '    ';
  for (const [key, list] of wanted) {
    const pair = own(key);
    const flow = list ? `[${list.map((v) => JSON.stringify(v)).join(', ')}]` : undefined;
    if (pair) {
      const keyEnd = pair.key.range?.[1];
      let valueEnd = (pair.value as { range?: [number, number, number] } | null)?.range?.[1];
      if (keyEnd === undefined) continue;
      // A block sequence's range runs into the next line; the replacement ends where its text ends.
      while (valueEnd !== undefined && valueEnd > keyEnd && /\s/.test(ctx.text[valueEnd - 1])) valueEnd--;
      if (!flow) {
        edits.push(removeLines(ctx.text, ctx.lines, pair.key.range![0], valueEnd ?? keyEnd));
        continue;
      }
      const current = ctx.text.slice(keyEnd, valueEnd ?? keyEnd);
      const next = `: ${flow}`;
      if (current !== next) edits.push({ start: keyEnd, end: valueEnd ?? keyEnd, newText: next });
    } else if (flow) {
      inserts.push(`${indent}${key}: ${flow}`);
    }
  }
  if (inserts.length) {
    const last = service.items[service.items.length - 1];
    let lastEnd = (last.value as { range?: [number, number, number] } | null)?.range?.[1] ?? (last.key as Scalar).range?.[1] ?? 0;
    while (lastEnd > 0 && /\s/.test(ctx.text[lastEnd - 1])) lastEnd--;
    const line = ctx.lines.position(Math.max(0, lastEnd - 1)).line;
    const at = ctx.lines.lineEnd(line);
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    edits.push({ start: at, end: at, newText: inserts.map((l) => eol + l).join('') });
  }
  return { edits };
}

function removeLines(text: string, lines: import('../text').LineIndex, start: number, end: number): TextEdit {
  const from = lines.lineStart(lines.position(start).line);
  const endLine = lines.position(Math.max(start, end - 1)).line;
  const to = endLine + 1 < lines.lineCount ? lines.lineStart(endLine + 1) : text.length;
  return { start: from, end: to, newText: '' };
}

/** `docker run` with the profile and capabilities, for containers not started by compose. */
export function profiledRunCommand(image: string, command: readonly string[], wiring: ProfileWiring, extra: readonly string[] = []): string {
  const args = ['docker', 'run', '--security-opt', `seccomp=${wiring.profilePath}`, '--cap-drop', 'ALL'];
  for (const cap of [...new Set(wiring.capAdd ?? [])].sort()) args.push('--cap-add', cap);
  args.push(...extra, image, ...command);
  return args.map(shellQuote).join(' ');
}
