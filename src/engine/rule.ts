import type { Fix, OffsetRange, References, RuleMeta, Severity } from './model';
import type { DockerfileContext } from './dockerfile/context';
import type { ComposeContext } from './compose/context';
import type { ContainerContext } from './runtime/container';
import type { ImageContext } from './image/context';

/** What a check reports; the pipeline turns it into a Finding (rule id, severity, suppression). */
export interface Report {
  message: string;
  range?: OffsetRange;
  evidence?: string;
  fixes?: Fix[];
  /** Rarely, a check knows the case is worse or milder than the rule's default. */
  severity?: Severity;
  /** References for this case when they are narrower than the rule's own. */
  refs?: References;
  /** Image findings: the 1-based layer that holds what was found, and the path in it. */
  layer?: number;
  path?: string;
  /** Image findings about a history step that created no layer (ENV, ARG): its 0-based index. */
  step?: number;
  /**
   * Compose: the check judged values as written, not as `.env` makes them (a secret written as a
   * `${VAR:-default}` is in the repository whatever `.env` says), so the report is left as it is.
   */
  judgesWrittenValue?: boolean;
}

/**
 * One rule = one module: its metadata and, per target it understands, a check that returns
 * reports with their fixes. A concern keeps one id across Dockerfile, compose and container.
 */
export interface Rule {
  meta: RuleMeta;
  dockerfile?(ctx: DockerfileContext): Report[];
  compose?(ctx: ComposeContext): Report[];
  container?(ctx: ContainerContext): Report[];
  image?(ctx: ImageContext): Report[];
}

export function defineRule(rule: Rule): Rule {
  for (const target of rule.meta.targets) {
    if (!rule[target]) throw new Error(`rule ${rule.meta.id} lists target ${target} without a check for it`);
  }
  return rule;
}
