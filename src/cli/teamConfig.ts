import { dirname, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { LineIndex } from '../engine/text';
import type { FileError } from '../engine/output/report';
import { readTextFile } from '../workspace/readText';
import { TeamConfigResolver, type LoadedTeamConfig } from '../workspace/teamConfig';
import { collectTargets, displayPath, type CollectedTargets } from './files';

/** What lint and fix run on: the files, the configs that apply to them, and what was left out. */
export interface Workload extends CollectedTargets {
  teamConfig: TeamConfigResolver;
}

/**
 * Expands the PATH arguments with the team config: `--config FILE` applies to every file;
 * otherwise each file's nearest .bulkhead.yaml inside its repository (or inside the PATHs given).
 */
export function loadWorkload(paths: string[], explicitConfig: string | undefined): Workload {
  const roots = paths.map((p) => (isDirectory(p) ? resolve(p) : dirname(resolve(p))));
  const teamConfig = new TeamConfigResolver({ roots, explicit: explicitConfig });
  return { ...collectTargets(paths, teamConfig), teamConfig };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** "config: …" lines for the text output: which .bulkhead.yaml applied, and how much it excluded. */
export function configNotes(configs: ReadonlySet<string>, excluded: number): string[] {
  const names = [...configs].map(displayPath);
  return [`config: ${names.length ? names.join(', ') : 'no .bulkhead.yaml applies'}${excluded ? `; ${excluded} file(s) or folder(s) excluded by it` : ''}`];
}

/** A broken .bulkhead.yaml is reported like an unparsable file (exit 2), with positions. */
export function displayConfigErrors(team: LoadedTeamConfig): FileError[] {
  if (!team.file || !team.errors.length) return [];
  const read = readTextFile(team.file);
  const lines = read.file ? new LineIndex(read.file.text) : undefined;
  return team.errors.map((e) => {
    const pos = e.range && lines ? lines.position(e.range.start) : undefined;
    return { file: displayPath(team.file!), message: e.message, ...(pos ? { line: pos.line + 1, column: pos.character + 1 } : {}) };
  });
}
