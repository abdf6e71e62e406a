import { createTwoFilesPatch } from 'diff';
import { fixAll, fixComposeProject } from '../engine/fix';
import { lintText, TOO_SLOW_TO_LINT, type LintOptions } from '../engine/lint';
import { lintBudget } from './budget';
import { getRule } from '../engine/registry';
import { escapeControl, safeText } from '../engine/output/escape';
import { SEVERITY_RANK } from '../engine/output/report';
import type { Finding } from '../engine/model';
import { oneOf, parseArgs, UsageError } from './args';
import { displayPath } from './files';
import { baseImagesFor } from './baseImages';
import type { Io } from './io';
import { readTextFile } from '../workspace/readText';
import { writeFileAtomic } from '../workspace/atomicWrite';
import { describeFsError } from '../workspace/readText';
import { readProjectFile } from '../workspace/projectFiles';
import { buildContextLister } from '../workspace/buildContext';
import { isCommitted } from '../workspace/gitFiles';
import { composeProjectFiles, readComposeProject } from '../workspace/composeProject';
import { resolve } from 'node:path';
import { configNotes, displayConfigErrors, loadWorkload } from './teamConfig';

export const FIX_USAGE =
  'usage: bulkhead fix [--dry-run] [--unsafe] [--rule ID]... [--unsafe-rule ID]... [--fail-on error|warning|info|never] [--config FILE] PATH...';

/** Which fixes to apply: `--rule` limits the rules, `--unsafe-rule` allows one rule's behaviour-changing fixes. */
export interface FixSelection {
  /** Only these rules (undefined: every rule). */
  rules?: ReadonlySet<string>;
  /** Rules whose unsafe fixes are applied too, or 'all' (`--unsafe`). */
  unsafeRules: ReadonlySet<string> | 'all';
}

/**
 * Applies every safe fix in place (with --unsafe or --unsafe-rule, behaviour-changing ones too).
 * Each file is written atomically and only if it did not change since it was read; a file that
 * cannot be read, parsed or decoded as UTF-8 is left alone and makes the exit code 2.
 */
export async function runFix(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['fail-on', 'config'], ['dry-run', 'unsafe'], ['rule', 'unsafe-rule']);
  if (!args.positionals.length) throw new UsageError(FIX_USAGE);
  const failOn = oneOf('fail-on', args.options.get('fail-on'), ['error', 'warning', 'info', 'never'] as const, 'never');
  const dryRun = args.options.has('dry-run');
  const selection = fixSelection(args.lists.get('rule'), args.lists.get('unsafe-rule'), args.options.has('unsafe'));
  const work = loadWorkload(args.positionals, args.options.get('config') as string | undefined);
  let failed = 0;
  const fail = (file: string, message: string) => {
    io.err(`${safeText(file)}: ${safeText(message)}\n`);
    failed++;
  };
  for (const e of work.errors) fail(displayPath(e.file), e.message);
  const configsSeen = new Set<string>();
  let changedFiles = 0;
  let fixes = 0;
  let remainingAtFailLevel = 0;
  const inProject = new Set<string>();
  /** Writes (or, with --dry-run, shows) a fixed text; false when it failed. */
  const write = (path: string, before: string, after: string, snapshot: Parameters<typeof writeFileAtomic>[2]): boolean => {
    const file = displayPath(path);
    if (dryRun) {
      const patch = createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, { context: 3 });
      io.out(escapeControl(patch.endsWith('\n') ? patch : `${patch}\n`));
      return true;
    }
    try {
      writeFileAtomic(path, after, snapshot);
      return true;
    } catch (e) {
      fail(file, e instanceof Error && !('code' in e) ? e.message : describeFsError(e));
      return false;
    }
  };
  // Dockerfiles in one folder share their build context's listing for this run.
  const listBuildContext = buildContextLister(Number.POSITIVE_INFINITY);
  for (const target of work.targets) {
    const file = displayPath(target.path);
    if (inProject.has(resolve(target.path))) continue;
    const project = target.kind === 'compose' ? composeProjectFiles(target.path, process.env, work.teamConfig.forFile(target.path)) : [];
    if (project.length > 1) {
      // Fixed as docker compose loads it: each fix edits the file that defines the value.
      for (const p of project) inProject.add(p);
      const read = readComposeProject(project);
      for (const e of read.errors) fail(displayPath(e.file), e.message);
      const bad = read.texts.filter((t) => !t.read?.validUtf8);
      for (const t of bad) fail(displayPath(t.file), 'not valid UTF-8: not rewritten (bytes in another encoding would be lost)');
      if (read.errors.length || bad.length) continue;
      const team = work.teamConfig.forFile(target.path);
      const outOfTime = lintBudget();
      const result = fixComposeProject(read.texts, { severities: team.config.severities, readProjectFile, isCommitted, outOfTime, rules: selection.rules && new Set(selection.rules), unsafeRules: selection.unsafeRules === 'all' ? 'all' : new Set(selection.unsafeRules) });
      if (outOfTime()) {
        fail(file, TOO_SLOW_TO_LINT);
        continue;
      }
      if (failOn !== 'never') for (const r of result.remaining.values()) remainingAtFailLevel += r.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]).length;
      let changed = 0;
      for (const t of read.texts) {
        const after = result.texts.get(t.file)!;
        if (after !== t.text && write(t.file, t.text, after, t.read!.snapshot)) changed++;
      }
      if (changed) {
        changedFiles += changed;
        fixes += result.fixed;
      }
      continue;
    }
    const read = readTextFile(target.path);
    if (!read.file) {
      fail(file, read.error);
      continue;
    }
    if (!read.file.validUtf8) {
      fail(file, 'not valid UTF-8: not rewritten (bytes in another encoding would be lost)');
      continue;
    }
    const team = work.teamConfig.forFile(target.path);
    if (team.file && !configsSeen.has(team.file)) {
      configsSeen.add(team.file);
      for (const e of displayConfigErrors(team)) fail(e.file, e.message);
    }
    const { text } = read.file;
    const baseImages = target.kind === 'dockerfile' ? await baseImagesFor(text) : undefined;
    const options: LintOptions = { file: target.path, kind: target.kind, severities: team.config.severities, readProjectFile, isCommitted, baseImages, listBuildContext, outOfTime: lintBudget() };
    const linted = lintText(text, options);
    if (linted.errors.length) {
      for (const e of linted.errors) fail(file, e.message);
      continue;
    }
    const result = fixSelected(text, options, selection, linted.findings);
    if (options.outOfTime!()) {
      fail(file, TOO_SLOW_TO_LINT);
      continue;
    }
    if (failOn !== 'never') remainingAtFailLevel += result.remaining.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]).length;
    if (result.text === text) continue;
    if (write(target.path, text, result.text, read.file.snapshot)) {
      changedFiles++;
      fixes += result.fixed;
    }
  }
  io.err(`${dryRun ? 'would apply' : 'applied'} ${fixes} fix(es) in ${changedFiles} file(s)\n`);
  io.err(`${configNotes(configsSeen, work.excluded).map((n) => safeText(n)).join('\n')}\n`);
  if (failed) return 2;
  return remainingAtFailLevel ? 1 : 0;
}

function fixSelection(rules: string[] | undefined, unsafeRules: string[] | undefined, unsafe: boolean): FixSelection {
  for (const id of [...(rules ?? []), ...(unsafeRules ?? [])]) if (!getRule(id)) throw new UsageError(`unknown rule "${id}" (see docs/rules)`);
  const unsafeSet = new Set(unsafeRules);
  return {
    // --unsafe-rule X with --rule Y fixes both: naming a rule for its unsafe fixes selects it.
    rules: rules?.length ? new Set([...rules, ...unsafeSet]) : undefined,
    unsafeRules: unsafe ? 'all' : unsafeSet,
  };
}

/** Fix-all restricted to a selection; fixAll reaches the fixed point across rules in one call. */
function fixSelected(text: string, options: LintOptions, selection: FixSelection, findings: Finding[]): { text: string; fixed: number; remaining: Finding[] } {
  if (!findings.some((f) => f.fixes.some((x) => x.edits.length > 0))) return { text, fixed: 0, remaining: findings };
  return fixAll(text, { ...options, rules: selection.rules && new Set(selection.rules), unsafeRules: selection.unsafeRules === 'all' ? 'all' : new Set(selection.unsafeRules) });
}
