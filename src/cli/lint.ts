import { pathToFileURL } from 'node:url';
import { lintText } from '../engine/lint';
import { allRules } from '../engine/registry';
import type { Severity } from '../engine/model';
import { formatText, placeFindings, SEVERITY_RANK, type FileError, type FileFinding } from '../engine/output/report';
import { toSarif } from '../engine/output/sarif';
import { oneOf, parseArgs, UsageError } from './args';
import { collectTargets, displayPath, readTarget } from './files';
import { VERSION, docsUrl, type Io } from './io';
import { TeamConfigResolver } from '../workspace/teamConfig';
import { displayConfigErrors } from './teamConfig';
import { LocalBaseImages } from '../docker/image-facts';

export const LINT_USAGE = 'usage: bulkhead lint [--format text|json|sarif] [--fail-on error|warning|info] PATH...';

export async function runLint(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['format', 'fail-on'], []);
  const format = oneOf('format', args.options.get('format'), ['text', 'json', 'sarif'] as const, 'text');
  const failOn = oneOf<Severity>('fail-on', args.options.get('fail-on'), ['error', 'warning', 'info'], 'warning');
  if (!args.positionals.length) throw new UsageError(LINT_USAGE);

  const teamConfig = new TeamConfigResolver();
  const { targets, errors: walkErrors } = collectTargets(args.positionals, teamConfig);
  const findings: FileFinding[] = [];
  const errors: FileError[] = [...walkErrors.map((e) => ({ file: displayPath(e.file), message: e.message }))];
  const configsSeen = new Set<string>();
  const localImages = new LocalBaseImages();
  for (const target of targets) {
    const file = displayPath(target.path);
    const { text, error } = readTarget(target.path);
    if (text === undefined) {
      errors.push({ file, message: error ?? 'could not be read' });
      continue;
    }
    const team = teamConfig.forFile(target.path);
    if (team.file && !configsSeen.has(team.file)) {
      configsSeen.add(team.file);
      errors.push(...displayConfigErrors(team));
    }
    const baseImages = target.kind === 'dockerfile' ? await localImages.lookupFor(text) : undefined;
    const result = lintText(text, { file: target.path, kind: target.kind, severities: team.config.severities, baseImages });
    const placed = placeFindings(file, text, result.findings, result.errors);
    findings.push(...placed.findings);
    errors.push(...placed.errors);
  }

  if (format === 'json') io.out(JSON.stringify({ findings, errors }, null, 2) + '\n');
  else if (format === 'sarif')
    io.out(JSON.stringify(toSarif(findings, errors, allRules().map((r) => r.meta), { toolVersion: VERSION, srcRoot: pathToFileURL(process.cwd()).href, docsUri: docsUrl }), null, 2) + '\n');
  else io.out(formatText(findings, errors));

  if (errors.length) return 2;
  return findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]) ? 1 : 0;
}
