import type { Severity } from '../engine/model';
import { allRules, ruleMeta } from '../engine/registry';
import { fullRefs, SEVERITY_RANK, type FileFinding } from '../engine/output/report';
import { toSarif } from '../engine/output/sarif';
import { safeText } from '../engine/output/escape';
import type { ImageContext } from '../engine/image/context';
import { checkImage, type ImageFinding, type ImageResult } from '../engine/image/lint';
import { LineIndex } from '../engine/text';
import { connectEngine, normalizeHost, resolveDefaultEngine, classifyEngineError, type EngineTarget } from '../docker/connection';
import { ImageReadError, readImage } from '../docker/image-reader';
import { severitySummary } from '../engine/output/container-report';
import { oneOf, parseArgs, UsageError } from './args';
import { displayPath } from './files';
import { readTextFile } from '../workspace/readText';
import { VERSION, docsUrl, type Io } from './io';

export const AUDIT_IMAGE_USAGE = 'usage: bulkhead audit image IMAGE... [--dockerfile PATH] [--format text|json|sarif] [--fail-on error|warning|info] [--engine ADDRESS]';

interface AuditedImage {
  name: string;
  image?: ImageContext;
  result?: ImageResult;
  error?: string;
}

/** Where a finding sits in the Dockerfile, 1-based, when it was linked back. */
function sourceOf(result: ImageResult, f: ImageFinding): { line: number; column: number; endLine: number; endColumn: number } | undefined {
  if (!result.dockerfile || !f.range) return undefined;
  const lines: LineIndex = result.dockerfile.lines;
  const start = lines.position(f.range.start);
  const end = lines.position(f.range.end);
  return { line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
}

function imageJson(a: AuditedImage, dockerfile: string | undefined) {
  return {
    name: a.name,
    id: a.image?.id,
    tags: a.image?.tags ?? [],
    // Signatures live in a registry (Notary, cosign); offline there is no way to tell.
    trust: { repoDigests: a.image?.repoDigests ?? [], signed: 'unknown' },
    findings: (a.result?.findings ?? []).map((f) => {
      const at = a.result ? sourceOf(a.result, f) : undefined;
      return {
        ruleId: f.ruleId,
        severity: f.severity,
        message: f.message,
        ...(f.evidence ? { evidence: f.evidence } : {}),
        ...(f.layer !== undefined ? { layer: f.layer } : {}),
        ...(f.path !== undefined ? { path: f.path } : {}),
        ...(at && dockerfile ? { source: { file: dockerfile, line: at.line } } : {}),
        fixable: f.fixes.some((x) => x.edits.length > 0),
        refs: fullRefs(ruleMeta(f.ruleId)?.refs),
      };
    }),
    errors: [...(a.error ? [a.error] : []), ...(a.result?.errors.map((e) => e.message) ?? [])],
  };
}

/** `bulkhead audit image`: what is inside each image (layers, history, config), linked to the Dockerfile when given. */
export async function runAuditImage(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['format', 'fail-on', 'engine', 'dockerfile'], ['help']);
  if (args.options.has('help')) {
    io.out(`${AUDIT_IMAGE_USAGE}\n\nReads each image's config, history and layers through the engine (streamed, nothing extracted)\nand reports setuid files, secrets in any layer (also deleted ones), secrets in the history, root,\nworld-writable paths, account problems, caches and .git left behind. With --dockerfile, findings\nname the instruction that created their layer.\nExit codes: 0 clean, 1 findings at or above --fail-on (default warning), 2 usage error, engine or image unreadable.\n`);
    return 0;
  }
  if (!args.positionals.length) throw new UsageError(AUDIT_IMAGE_USAGE);
  const format = oneOf('format', args.options.get('format'), ['text', 'json', 'sarif'] as const, 'text');
  const failOn = oneOf<Severity>('fail-on', args.options.get('fail-on'), ['error', 'warning', 'info'], 'warning');
  const dockerfileArg = args.options.get('dockerfile');
  if (dockerfileArg === true) throw new UsageError('--dockerfile needs a path');
  let dockerfile: { text: string; file: string } | undefined;
  if (dockerfileArg) {
    const read = readTextFile(dockerfileArg);
    if (!read.file) {
      io.err(`bulkhead: ${safeText(dockerfileArg)}: ${read.error}\n`);
      return 2;
    }
    dockerfile = { text: read.file.text, file: displayPath(dockerfileArg) };
  }
  const engineArg = args.options.get('engine');
  const target: EngineTarget = typeof engineArg === 'string' ? { host: normalizeHost(engineArg), source: '--engine' } : resolveDefaultEngine();
  const connection = await connectEngine(target);
  if (!connection.ok) {
    io.err(`bulkhead: cannot audit images: ${connection.problem.message}\n${connection.problem.hint ? `  ${connection.problem.hint}\n` : ''}`);
    return 2;
  }

  const audited: AuditedImage[] = [];
  for (const name of args.positionals) {
    try {
      const image = await readImage(connection.client, name);
      audited.push({ name, image, result: checkImage(image, { dockerfile }) });
    } catch (e) {
      const message = e instanceof ImageReadError ? e.message : classifyEngineError(e, target).message;
      audited.push({ name, error: message });
    }
  }

  const file = dockerfile?.file;
  if (format === 'json') {
    io.out(JSON.stringify({ images: audited.map((a) => imageJson(a, file)) }, null, 2) + '\n');
  } else if (format === 'sarif') {
    const findings: FileFinding[] = audited.flatMap((a) =>
      (a.result?.findings ?? []).map((f) => {
        const at = sourceOf(a.result!, f);
        return {
          ruleId: f.ruleId,
          severity: f.severity,
          file: at && file ? file : `docker-image:${a.name}`,
          ...(at ?? { line: 1, column: 1, endLine: 1, endColumn: 1 }),
          message: `${a.name}: ${f.message}${f.evidence ? ` (${f.evidence})` : ''}`,
          fixable: f.fixes.some((x) => x.edits.length > 0),
          refs: fullRefs(ruleMeta(f.ruleId)?.refs),
        };
      }),
    );
    io.out(JSON.stringify(toSarif(findings, [], allRules().map((r) => r.meta), { toolVersion: VERSION, docsUri: docsUrl }), null, 2) + '\n');
  } else {
    const out: string[] = [];
    for (const a of audited) {
      const findings = a.result?.findings ?? [];
      out.push(`${safeText(a.name, 200)}${a.image ? ` (${a.image.id.slice(7, 19)})` : ''}: ${a.error ? 'not audited' : findings.length ? severitySummary(findings) : 'no findings'}`);
      for (const f of findings) {
        const at = a.result ? sourceOf(a.result, f) : undefined;
        out.push(`  ${f.severity} ${safeText(f.message)}${f.evidence ? ` [${safeText(f.evidence)}]` : ''} [${f.ruleId}]${at && file ? `\n    at ${safeText(file)}:${at.line}` : ''}`);
      }
      for (const e of [...(a.error ? [a.error] : []), ...(a.result?.errors.map((x) => x.message) ?? [])]) out.push(`  error ${safeText(e)}`);
    }
    io.out(out.join('\n') + '\n');
  }
  if (audited.some((a) => a.error)) return 2;
  return audited.some((a) => a.result?.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn])) ? 1 : 0;
}
