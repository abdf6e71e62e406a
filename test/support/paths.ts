import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root, found from this file (works whatever --outDir tests were compiled to). */
function findRoot(): string {
  for (let dir = resolve(process.cwd()); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'bulkhead') return dir;
    if (dirname(dir) === dir) throw new Error('run tests from inside the bulkhead repository');
  }
}
export const REPO_ROOT = findRoot();
export const repoPath = (...parts: string[]) => join(REPO_ROOT, ...parts);
export const fixturePath = (...parts: string[]) => join(REPO_ROOT, 'test', 'fixtures', ...parts);
