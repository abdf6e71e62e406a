import { readFileSync } from 'node:fs';
import { LineIndex } from '../engine/text';
import type { FileError } from '../engine/output/report';
import type { LoadedTeamConfig } from '../workspace/teamConfig';
import { displayPath } from './files';

/** A broken .bulkhead.yaml is reported like an unparsable file (exit 2), with positions. */
export function displayConfigErrors(team: LoadedTeamConfig): FileError[] {
  if (!team.file || !team.errors.length) return [];
  let lines: LineIndex | undefined;
  try {
    lines = new LineIndex(readFileSync(team.file, 'utf8'));
  } catch {
    /* unreadable: the error says so */
  }
  return team.errors.map((e) => {
    const pos = e.range && lines ? lines.position(e.range.start) : undefined;
    return { file: displayPath(team.file!), message: e.message, ...(pos ? { line: pos.line + 1, column: pos.character + 1 } : {}) };
  });
}
