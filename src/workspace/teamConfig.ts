import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CONFIG_FILE_NAME, EMPTY_CONFIG, excludeMatcher, parseTeamConfig, type TeamConfig } from '../engine/config';
import type { LintError } from '../engine/model';

export interface LoadedTeamConfig {
  /** The .bulkhead.yaml that applies, or undefined when none does. */
  file?: string;
  /** Its folder: excludes are relative to it. */
  root?: string;
  config: TeamConfig;
  errors: LintError[];
  isExcluded(path: string): boolean;
}

const NONE: LoadedTeamConfig = { config: EMPTY_CONFIG, errors: [], isExcluded: () => false };

/**
 * Finds the nearest `.bulkhead.yaml` above a file, the same way for the CLI and the extension
 * (both run on Node), caching per folder. Call `clear()` when a config file changes.
 */
export class TeamConfigResolver {
  private readonly byDir = new Map<string, LoadedTeamConfig>();

  forFile(path: string): LoadedTeamConfig {
    return this.forDir(dirname(resolve(path)));
  }

  forDir(folder: string): LoadedTeamConfig {
    const dir = resolve(folder);
    const cached = this.byDir.get(dir);
    if (cached) return cached;
    let found: LoadedTeamConfig;
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (isFile(candidate)) found = load(candidate);
    else found = dirname(dir) === dir ? NONE : this.forDir(dirname(dir));
    this.byDir.set(dir, found);
    return found;
  }

  clear(): void {
    this.byDir.clear();
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function load(file: string): LoadedTeamConfig {
  const root = dirname(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ...NONE, file, root, errors: [{ message: `cannot read ${CONFIG_FILE_NAME}: ${(e as Error).message}` }] };
  }
  const { config, errors } = parseTeamConfig(text);
  const excluded = excludeMatcher(config.exclude);
  return {
    file,
    root,
    config,
    errors,
    isExcluded: (path) => {
      const rel = relative(root, resolve(path));
      return !rel.startsWith('..') && excluded(rel);
    },
  };
}
