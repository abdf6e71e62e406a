import { pathToFileURL } from 'node:url';
import { lintComposeProject, lintText } from '../engine/lint';
import { allRules } from '../engine/registry';
import { lintBudget } from './budget';
import { formatText, placeFindings, SEVERITY_RANK, type FileError, type FileFinding } from '../engine/output/report';
import { toSarif } from '../engine/output/sarif';
import { oneOf, parseArgs, UsageError } from './args';
import { displayPath } from './files';
import { baseImagesFor } from './baseImages';
import { VERSION, docsUrl, type Io } from './io';
import { readTextFile } from '../workspace/readText';
import { readProjectFile } from '../workspace/projectFiles';
import { buildContextLister } from '../workspace/buildContext';
import { isCommitted } from '../workspace/gitFiles';
import { composeProjectFiles, readComposeProject } from '../workspace/composeProject';
import { resolve } from 'node:path';
import { configNotes, displayConfigErrors, loadWorkload } from './teamConfig';

export const LINT_USAGE = 'usage: bulkhead lint [--format text|json|sarif] [--fail-on error|warning|info|never] [--config FILE] PATH...';

export async function runLint(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['format', 'fail-on', 'config'], []);
  const format = oneOf('format', args.options.get('format'), ['text', 'json', 'sarif'] as const, 'text');
  const failOn = oneOf('fail-on', args.options.get('fail-on'), ['error', 'warning', 'info', 'never'] as const, 'warning');
  if (!args.positionals.length) throw new UsageError(LINT_USAGE);

  const work = loadWorkload(args.positionals, args.options.get('config') as string | undefined);
  const findings: FileFinding[] = [];
  const errors: FileError[] = work.errors.map((e) => ({ file: displayPath(e.file), message: e.message }));
  const configsSeen = new Set<string>();
  const inProject = new Set<string>();
  // Dockerfiles in one folder share their build context's listing for this run.
  const listBuildContext = buildContextLister(Number.POSITIVE_INFINITY);
  for (const target of work.targets) {
    const file = displayPath(target.path);
    if (inProject.has(resolve(target.path))) continue;
    const project = target.kind === 'compose' ? composeProjectFiles(target.path, process.env, work.teamConfig.forFile(target.path)) : [];
    if (project.length > 1) {
      // Linted as docker compose loads it: findings land in the file that defines the value.
      for (const p of project) inProject.add(p);
      const team = work.teamConfig.forFile(target.path);
      const read = readComposeProject(project);
      for (const e of read.errors) errors.push({ file: displayPath(e.file), message: e.message });
      const results = lintComposeProject(read.texts, { severities: team.config.severities, readProjectFile, isCommitted, outOfTime: lintBudget() });
      for (const t of read.texts) {
        const r = results.get(t.file)!;
        const placed = placeFindings(displayPath(t.file), t.text, r.findings, r.errors);
        for (const f of placed.findings) findings.push(f);
        for (const e of placed.errors) errors.push(e);
      }
      continue;
    }
    const read = readTextFile(target.path);
    if (!read.file) {
      errors.push({ file, message: read.error });
      continue;
    }
    const team = work.teamConfig.forFile(target.path);
    if (team.file && !configsSeen.has(team.file)) {
      configsSeen.add(team.file);
      for (const e of displayConfigErrors(team)) errors.push(e);
    }
    const { text } = read.file;
    const baseImages = target.kind === 'dockerfile' ? await baseImagesFor(text) : undefined;
    const result = lintText(text, { file: target.path, kind: target.kind, severities: team.config.severities, readProjectFile, isCommitted, baseImages, listBuildContext, outOfTime: lintBudget() });
    const placed = placeFindings(file, text, result.findings, result.errors);
    // One push per item: a spread of hundreds of thousands of findings overflows the stack.
    for (const f of placed.findings) findings.push(f);
    for (const e of placed.errors) errors.push(e);
  }

  if (format === 'json') io.out(JSON.stringify({ findings, errors }, null, 2) + '\n');
  else if (format === 'sarif')
    io.out(JSON.stringify(toSarif(findings, errors, allRules().map((r) => r.meta), { toolVersion: VERSION, srcRoot: pathToFileURL(process.cwd()).href, docsUri: docsUrl }), null, 2) + '\n');
  else io.out(formatText(findings, errors, configNotes(configsSeen, work.excluded)));

  if (errors.length) return 2;
  if (failOn === 'never') return 0;
  return findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]) ? 1 : 0;
}
