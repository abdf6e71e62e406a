import type { FileKind, Finding, LintError, LintResult, SeverityOverride, Target } from './model';
import type { Report, Rule } from './rule';
import { rulesFor } from './registry';
import { createDockerfileContext } from './dockerfile/context';
import { createComposeContext } from './compose/context';
import { createComposeProject, placeProjectFindings, type ProjectFileText } from './compose/project';
import { applyComposeVariables, explainResolvedValue, loadComposeVariables } from './compose/variables';
import type { ContainerContext } from './runtime/container';
import { removeSuppressed } from './suppress';
import { kindOfFileName, looksBinary, MAX_FILE_BYTES } from './files';
import type { BaseImageLookup } from './images/facts';
import type { BuildContextLister } from './dockerfile/build-context';
import { LineIndex } from './text';

export interface LintOptions {
  /** Path or name, used to pick the kind when `kind` is absent, and in messages. */
  file?: string;
  kind?: FileKind;
  /** Per-rule severity, or 'off'. */
  severities?: Record<string, SeverityOverride>;
  /** Facts about base images (user, shell, setuid files) from the local engine; a table of well-known images answers otherwise. */
  baseImages?: BaseImageLookup;
  /**
   * Reads files a compose file refers to (seccomp profiles). The engine does no file access: the
   * CLI and the extension pass a reader that only reads inside the project. Without one, such
   * references are not checked.
   */
  readProjectFile?: ProjectFileReader;
  /**
   * Whether a file a compose file names (an env_file) is committed to version control. The engine
   * cannot ask git: the CLI and the extension pass a check filled from `git ls-files`. Without one,
   * or when it answers undefined (not a repository), committed files are not reported.
   */
  isCommitted?: CommittedFileCheck;
  /**
   * Lists a Dockerfile's build context (its folder) so whole-context COPYs can be judged against
   * `.dockerignore`; needs `readProjectFile` too. Without one, what `COPY .` brings in is not judged.
   */
  listBuildContext?: BuildContextLister;
  /** Asked between rules: true stops linting with a "too slow to lint" error (the adapter's time budget). */
  outOfTime?: () => boolean;
}

/** What reading a referenced file gave; never the content of a file outside the project. */
export type ProjectFileRead = { kind: 'text'; text: string } | { kind: 'missing' } | { kind: 'outside' } | { kind: 'unreadable'; why: string };

/** `written` is the path as the compose file writes it; `composeFile` the file that names it. */
export type ProjectFileReader = (composeFile: string | undefined, written: string) => ProjectFileRead;

/** `written` is the path as the compose file writes it; `composeFile` the file that names it. */
export type CommittedFileCheck = (composeFile: string | undefined, written: string) => boolean | undefined;

/** Lints one Dockerfile or compose text. Never throws: problems come back in `errors`. */
export function lintText(text: string, options: LintOptions = {}): LintResult {
  return lintOne(text, options, true);
}

/** `loadExtends`: a compose file whose services extend another file's is linted as a one-file project. */
function lintOne(text: string, options: LintOptions, loadExtends: boolean): LintResult {
  const kind = options.kind ?? (options.file ? kindOfFileName(options.file) : undefined);
  if (!kind) return { findings: [], errors: [{ message: 'not a Dockerfile or compose file name' }] };
  if (looksBinary(text)) return { findings: [], errors: [{ message: 'binary file (contains NUL bytes): not linted' }] };
  if (text.length > MAX_FILE_BYTES) {
    return { findings: [], errors: [{ message: `file too large to lint (${(text.length / 1048576).toFixed(1)} MiB > ${MAX_FILE_BYTES / 1048576} MiB)` }] };
  }
  if (kind === 'dockerfile') {
    const ctx = createDockerfileContext(text, options.file);
    ctx.baseImages = options.baseImages;
    if (options.listBuildContext && options.readProjectFile) ctx.buildContext = { list: options.listBuildContext, read: options.readProjectFile };
    return finish(runRules('dockerfile', ctx, options), ctx.lines);
  }
  // A service that extends one in another file is judged with it: linted as a one-file project.
  if (loadExtends && options.file && options.readProjectFile && mayExtendOtherFile(text)) return lintComposeProject([{ file: options.file, text }], options).get(options.file)!;
  return lintComposeAlone(text, options);
}

/** A cheap test before parsing: `extends:` and a `file:` key somewhere (two linear scans). */
const mayExtendOtherFile = (text: string) => /\bextends\s*:/.test(text) && /\bfile\s*:/.test(text);

function lintComposeAlone(text: string, options: LintOptions): LintResult {
  const { ctx, errors } = createComposeContext(text, options.file);
  if (!ctx) return { findings: [], errors };
  ctx.readProjectFile = options.readProjectFile;
  ctx.isCommitted = options.isCommitted;
  const resolved = applyComposeVariables([ctx.doc], loadComposeVariables(options.readProjectFile, options.file));
  return finish(runRules('compose', ctx, options, (r) => explainResolvedValue(r, resolved)), ctx.lines);
}

/**
 * Lints the files of one compose project (in docker compose's load order) as docker compose sees
 * them merged: each finding comes back with the file that defines (or should define) the value.
 * A file that cannot be parsed gets its errors and the others are linted alone.
 */
export function lintComposeProject(files: readonly ProjectFileText[], options: Omit<LintOptions, 'file' | 'kind'> = {}): Map<string, LintResult> {
  const results = new Map<string, LintResult>();
  const alone = () => {
    for (const f of files) results.set(f.file, lintOne(f.text, { ...options, file: f.file, kind: 'compose' }, files.length > 1));
    return results;
  };
  if (files.some((f) => looksBinary(f.text) || f.text.length > MAX_FILE_BYTES)) return alone();
  const project = createComposeProject(files, options.readProjectFile);
  // One file whose `extends: {file}` could not be loaded is linted alone.
  if (!project.ctx || (files.length < 2 && project.segments.length < 2)) return alone();
  project.ctx.readProjectFile = options.readProjectFile;
  project.ctx.isCommitted = options.isCommitted;
  const resolved = applyComposeVariables(project.docs, loadComposeVariables(options.readProjectFile, files[0].file));
  const linted = runRules('compose', project.ctx, options, (r) => explainResolvedValue(r, resolved));
  const placed = placeProjectFindings(project, linted.findings);
  for (const f of files) {
    const findings = placed.get(f.file) ?? [];
    results.set(f.file, { findings: removeSuppressed(findings, new LineIndex(f.text)), errors: f === files[0] ? linted.errors : [] });
  }
  return results;
}

/** Linting stopped at its deadline (the CLI's budget is LINT_TIME_BUDGET_MS per file). */
export const TOO_SLOW_TO_LINT = 'file too large or too slow to lint: its time budget ran out';

/** Findings for one running (or stopped, or created) container's inspect data. */
export function checkContainer(ctx: ContainerContext, options: Pick<LintOptions, 'severities'> = {}): LintResult {
  return runRules('container', ctx, options);
}

/** `adjust` sees every report before it becomes a finding (compose: what `.env` decided). */
function runRules<C>(target: Target, ctx: C, options: LintOptions, adjust?: (report: Report) => Report): LintResult {
  const findings: Finding[] = [];
  const errors: LintError[] = [];
  for (const rule of rulesFor(target)) {
    if (options.outOfTime?.()) return { findings: [], errors: [{ message: TOO_SLOW_TO_LINT }] };
    const override = options.severities?.[rule.meta.id];
    if (override === 'off') continue;
    let reports: Report[];
    try {
      reports = (rule[target] as (c: C) => Report[])(ctx);
    } catch (e) {
      errors.push({ message: `rule ${rule.meta.id} failed: ${(e as Error).message}` });
      continue;
    }
    for (const r of reports) findings.push(toFinding(rule, adjust ? adjust(r) : r, override));
  }
  if (options.outOfTime?.()) return { findings: [], errors: [{ message: TOO_SLOW_TO_LINT }] };
  findings.sort((a, b) => (a.range?.start ?? 0) - (b.range?.start ?? 0) || a.ruleId.localeCompare(b.ruleId));
  return { findings, errors };
}

function toFinding(rule: Rule, r: Report, override: SeverityOverride | undefined): Finding {
  return {
    ruleId: rule.meta.id,
    severity: override && override !== 'off' ? override : (r.severity ?? rule.meta.severity),
    message: r.message,
    range: r.range,
    evidence: r.evidence,
    fixes: r.fixes ?? [],
    ...(r.refs ? { refs: r.refs } : {}),
  };
}

function finish(result: LintResult, lines: LineIndex): LintResult {
  return { findings: removeSuppressed(result.findings, lines), errors: result.errors };
}
