import { readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/**
 * Answers "does git ignore this path?" from the .gitignore files between a root folder and the
 * path (nested .gitignore files apply to their own subtree, as in git). Reads each file once.
 */
export class GitignoreFilter {
  private readonly byDir = new Map<string, Ignore | null>();

  constructor(private readonly root: string) {}

  isIgnored(path: string): boolean {
    const rel = relative(this.root, path);
    if (!rel || rel.startsWith('..')) return false;
    const parts = rel.split(sep);
    let dir = this.root;
    for (let i = 0; i < parts.length; i++) {
      const rules = this.rulesIn(dir);
      if (rules) {
        const sub = parts.slice(i).join('/');
        if (rules.ignores(sub)) return true;
        // A directory ignored ("build/") hides everything below it.
        for (let j = i + 1; j < parts.length; j++) if (rules.ignores(parts.slice(i, j).join('/') + '/')) return true;
      }
      dir = join(dir, parts[i]);
    }
    return false;
  }

  private rulesIn(dir: string): Ignore | null {
    let rules = this.byDir.get(dir);
    if (rules === undefined) {
      try {
        rules = ignore().add(readFileSync(join(dir, '.gitignore'), 'utf8'));
      } catch {
        rules = null;
      }
      this.byDir.set(dir, rules);
    }
    return rules;
  }

  /** The nearest folder above `path` holding .git, or undefined. */
  static repositoryRoot(path: string, exists: (p: string) => boolean): string | undefined {
    for (let dir = path; ; dir = dirname(dir)) {
      if (exists(join(dir, '.git'))) return dir;
      if (dirname(dir) === dir) return undefined;
    }
  }
}
