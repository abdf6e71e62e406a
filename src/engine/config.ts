import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import picomatch from 'picomatch';
import type { LintError, SeverityOverride } from './model';
import { getRule } from './registry';

/**
 * `.bulkhead.yaml` at a repository root: the team's choices, read the same way by the CLI and
 * the extension.
 *
 *   rules:                 # per-rule severity or off
 *     image-unpinned: error
 *     healthcheck-missing: off
 *   exclude:               # globs relative to the file's folder
 *     - legacy/**
 *   compose_projects:      # compose file sets linted together, in load order (like -f a -f b)
 *     - [compose.yaml, compose.prod.yaml]
 */
export const CONFIG_FILE_NAME = '.bulkhead.yaml';

export interface TeamConfig {
  severities: Record<string, SeverityOverride>;
  exclude: string[];
  /** Compose file sets (paths relative to the config's folder) linted as one project each. */
  composeProjects: string[][];
}

export const EMPTY_CONFIG: TeamConfig = { severities: {}, exclude: [], composeProjects: [] };
const LEVELS: readonly string[] = ['error', 'warning', 'info', 'off'];

/**
 * The one check of a rule-severity entry, for `.bulkhead.yaml` and the editor's `bulkhead.rules`:
 * the override, or a message saying why the entry is ignored.
 */
export function checkSeverityOverride(ruleId: string, level: unknown): { override: SeverityOverride; problem?: undefined } | { override?: undefined; problem: string } {
  if (!getRule(ruleId)) return { problem: `unknown rule "${ruleId}" (see docs/rules)` };
  if (typeof level !== 'string' || !LEVELS.includes(level)) return { problem: `rule "${ruleId}": severity must be one of ${LEVELS.join(', ')}` };
  return { override: level as SeverityOverride };
}

/** Parses and validates; every problem is an error with its position, and valid parts still apply. */
export function parseTeamConfig(text: string): { config: TeamConfig; errors: LintError[] } {
  const config: TeamConfig = { severities: {}, exclude: [], composeProjects: [] };
  const errors: LintError[] = [];
  const at = (node: Node | null | undefined, message: string) =>
    errors.push({ message, range: node?.range ? { start: node.range[0], end: node.range[1] } : undefined });
  const doc = parseDocument(text, { uniqueKeys: true });
  for (const e of doc.errors) errors.push({ message: `YAML: ${e.message.split('\n')[0]}`, range: { start: e.pos[0], end: e.pos[1] } });
  if (doc.errors.length || doc.contents === null) return { config, errors };
  if (!isMap(doc.contents)) {
    at(doc.contents, `${CONFIG_FILE_NAME} must be a mapping with "rules" and/or "exclude"`);
    return { config, errors };
  }
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value as Node | null;
    if (key === 'rules') {
      if (!isMap(value)) {
        at(value ?? pair.key, '"rules" must map rule ids to error, warning, info or off');
        continue;
      }
      for (const rule of value.items) {
        const id = isScalar(rule.key) ? String(rule.key.value) : '';
        const checked = checkSeverityOverride(id, isScalar(rule.value) ? String(rule.value.value) : undefined);
        if (checked.override) config.severities[id] = checked.override;
        else at(getRule(id) ? ((rule.value as Node) ?? (rule.key as Node)) : (rule.key as Node), checked.problem);
      }
    } else if (key === 'exclude') {
      if (!isSeq(value)) {
        at(value ?? pair.key, '"exclude" must be a list of globs');
        continue;
      }
      for (const item of value.items) {
        if (isScalar(item) && typeof item.value === 'string' && item.value.trim()) config.exclude.push(item.value.trim());
        else at(item as Node, 'each "exclude" entry must be a glob string');
      }
    } else if (key === 'compose_projects') {
      if (!isSeq(value)) {
        at(value ?? pair.key, '"compose_projects" must be a list of compose file lists');
        continue;
      }
      for (const set of value.items) {
        const files = isSeq(set) ? set.items.map((i) => (isScalar(i) && typeof i.value === 'string' ? i.value.trim() : '')) : [];
        if (files.length && files.every(Boolean)) config.composeProjects.push(files);
        else at(set as Node, 'each "compose_projects" entry must be a non-empty list of compose file paths');
      }
    } else {
      at(pair.key, `unknown key "${key}": expected "rules", "exclude" or "compose_projects"`);
    }
  }
  return { config, errors };
}

/** A matcher for paths relative to the config's folder (forward slashes). */
export function excludeMatcher(globs: readonly string[]): (relativePath: string) => boolean {
  if (!globs.length) return () => false;
  // A bare directory name or a glob without a slash matches at any depth, like .gitignore.
  const patterns = globs.flatMap((g) => {
    const p = g.replace(/^\.\//, '').replace(/\/$/, '/**');
    return p.includes('/') ? [p] : [`**/${p}`, `**/${p}/**`];
  });
  const isMatch = picomatch(patterns, { dot: true });
  return (relativePath) => isMatch(relativePath.replace(/\\/g, '/'));
}
