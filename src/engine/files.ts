import type { FileKind } from './model';

const DOCKERFILE = /^(?:Dockerfile|Containerfile)(?:\..+)?$|\.(?:Dockerfile|dockerfile|Containerfile|containerfile)$/;
const COMPOSE = /^(?:docker-)?compose(?:[.-].+)?\.ya?ml$/;

/** The kind of a file by its base name, as the CLI walks for it and the editor selects it. */
export function kindOfFileName(path: string): FileKind | undefined {
  const base = path.replace(/\\/g, '/').split('/').pop() ?? '';
  if (DOCKERFILE.test(base)) return 'dockerfile';
  if (COMPOSE.test(base)) return 'compose';
  return undefined;
}

/** Directories never walked for files. */
export const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', '.hg', '.svn']);

/** Larger files are reported, not parsed: a linter must not freeze an editor or CI. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** How long the CLI lets lint or fix-all spend on one file before it reports "too slow to lint". */
export const LINT_TIME_BUDGET_MS = 20_000;

/** Text that is really binary (a NUL in the first 8 KiB, as git decides). */
export function looksBinary(text: string): boolean {
  return text.slice(0, 8192).includes('\u0000');
}
