import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { GitignoreFilter } from './gitignore';
import { readTextFile } from './readText';

const MAX_CONFIG_BYTES = 1024 * 1024;
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

export interface TeamConfigOptions {
  /** Use this config for every file instead of searching (`--config FILE`). */
  explicit?: string;
  /**
   * Folders the user asked for (the CLI's PATH arguments). Outside a git repository the search
   * stops at the outermost of them that holds the file, so a stray `.bulkhead.yaml` in /tmp or
   * a home folder cannot silently exclude everything.
   */
  roots?: string[];
}

/**
 * Finds the nearest `.bulkhead.yaml` above a file, the same way for the CLI and the extension
 * (both run on Node), caching per folder. The search never goes above the file's git repository
 * root. Call `clear()` when a config file changes.
 */
export class TeamConfigResolver {
  private readonly byDir = new Map<string, LoadedTeamConfig>();
  private readonly byFile = new Map<string, LoadedTeamConfig>();
  private readonly roots: string[];

  constructor(private readonly options: TeamConfigOptions = {}) {
    this.roots = (options.roots ?? []).map((r) => resolve(r));
  }

  forFile(path: string): LoadedTeamConfig {
    return this.forDir(dirname(resolve(path)));
  }

  forDir(folder: string): LoadedTeamConfig {
    const dir = resolve(folder);
    const cached = this.byDir.get(dir);
    if (cached) return cached;
    let found = NONE;
    if (this.options.explicit) {
      found = this.loadOnce(resolve(this.options.explicit));
    } else {
      const ceiling = GitignoreFilter.repositoryRoot(dir, existsSync) ?? this.outermostRootHolding(dir);
      for (let d = dir; ; d = dirname(d)) {
        const candidate = join(d, CONFIG_FILE_NAME);
        if (isFile(candidate)) {
          found = this.loadOnce(candidate);
          break;
        }
        if (d === ceiling || dirname(d) === d) break;
      }
    }
    this.byDir.set(dir, found);
    return found;
  }

  clear(): void {
    this.byDir.clear();
    this.byFile.clear();
  }

  private outermostRootHolding(dir: string): string | undefined {
    let best: string | undefined;
    for (const root of this.roots) {
      const rel = relative(root, dir);
      if (!rel.startsWith('..') && !isAbsolute(rel) && (!best || root.length < best.length)) best = root;
    }
    return best;
  }

  private loadOnce(file: string): LoadedTeamConfig {
    let loaded = this.byFile.get(file);
    if (!loaded) this.byFile.set(file, (loaded = load(file)));
    return loaded;
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
  const read = readTextFile(file, MAX_CONFIG_BYTES);
  if (!read.file) return { ...NONE, file, root, errors: [{ message: `cannot read ${CONFIG_FILE_NAME}: ${read.error}` }] };
  const { config, errors } = parseTeamConfig(read.file.text);
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
