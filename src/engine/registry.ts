import type { RuleMeta, Target } from './model';
import type { Rule } from './rule';
import { ALL_RULES } from './rules';

const byId = new Map<string, Rule>();
for (const rule of ALL_RULES) {
  if (byId.has(rule.meta.id)) throw new Error(`duplicate rule id ${rule.meta.id}`);
  byId.set(rule.meta.id, rule);
}

export function allRules(): readonly Rule[] {
  return ALL_RULES;
}

export function getRule(id: string): Rule | undefined {
  return byId.get(id);
}

export function ruleMeta(id: string): RuleMeta | undefined {
  return byId.get(id)?.meta;
}

const byTarget = new Map<Target, Rule[]>();
export function rulesFor(target: Target): readonly Rule[] {
  let list = byTarget.get(target);
  if (!list) {
    list = ALL_RULES.filter((r) => r[target]);
    byTarget.set(target, list);
  }
  return list;
}
