import { writeFileSync } from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import { fixAll } from '../engine/fix';
import { parseArgs, UsageError } from './args';
import { collectTargets, describeFsError, displayPath, readTarget } from './files';
import type { Io } from './io';
import { TeamConfigResolver } from '../workspace/teamConfig';
import { LocalBaseImages } from '../docker/image-facts';

export const FIX_USAGE = 'usage: bulkhead fix [--dry-run] [--unsafe] PATH...';

/** Applies every safe fix in place (with --unsafe, behaviour-changing ones too). */
export async function runFix(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, [], ['dry-run', 'unsafe']);
  if (!args.positionals.length) throw new UsageError(FIX_USAGE);
  const dryRun = args.options.has('dry-run');
  const teamConfig = new TeamConfigResolver();
  const { targets, errors } = collectTargets(args.positionals, teamConfig);
  let failed = errors.length;
  for (const e of errors) io.err(`${displayPath(e.file)}: ${e.message}\n`);
  let changedFiles = 0;
  let fixes = 0;
  const localImages = new LocalBaseImages();
  for (const target of targets) {
    const file = displayPath(target.path);
    const { text, error } = readTarget(target.path);
    if (text === undefined) {
      io.err(`${file}: ${error}\n`);
      failed++;
      continue;
    }
    const severities = teamConfig.forFile(target.path).config.severities;
    const baseImages = target.kind === 'dockerfile' ? await localImages.lookupFor(text) : undefined;
    const result = fixAll(text, { file: target.path, kind: target.kind, unsafe: args.options.has('unsafe'), severities, baseImages });
    if (result.text === text) continue;
    changedFiles++;
    fixes += result.fixed;
    if (dryRun) {
      io.out(createTwoFilesPatch(`a/${file}`, `b/${file}`, text, result.text, undefined, undefined, { context: 3 }));
      continue;
    }
    try {
      writeFileSync(target.path, result.text);
    } catch (e) {
      io.err(`${file}: ${describeFsError(e)}\n`);
      failed++;
    }
  }
  io.err(`${dryRun ? 'would apply' : 'applied'} ${fixes} fix(es) in ${changedFiles} file(s)\n`);
  return failed ? 2 : 0;
}
