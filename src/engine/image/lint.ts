import type { Finding, LintError, OffsetRange, SeverityOverride } from '../model';
import type { Report, Rule } from '../rule';
import { getRule, rulesFor } from '../registry';
import { createDockerfileContext, type DockerfileContext } from '../dockerfile/context';
import type { ImageContext } from './context';
import { EXISTING_CONCERN_IMAGE_CHECKS } from './existing-concerns';
import { linkHistory } from './history';

/** An image finding: where in the image, and (with the Dockerfile) the instruction that put it there. */
export interface ImageFinding extends Finding {
  layer?: number;
  path?: string;
  /** The history step the finding is about (0-based), when known. */
  step?: number;
}

export interface ImageCheckOptions {
  severities?: Record<string, SeverityOverride>;
  /** The Dockerfile that built the image: findings get ranges (and fixes) in it. */
  dockerfile?: { text: string; file?: string };
}

export interface ImageResult {
  findings: ImageFinding[];
  errors: LintError[];
  /** Set when a Dockerfile was given: its parsed context, for placing the findings' ranges. */
  dockerfile?: DockerfileContext;
}

/** Findings for one image. Never throws: a failing rule comes back in `errors`. */
export function checkImage(image: ImageContext, options: ImageCheckOptions = {}): ImageResult {
  const dockerfile = options.dockerfile ? createDockerfileContext(options.dockerfile.text, options.dockerfile.file) : undefined;
  const ctx: ImageContext = dockerfile ? { ...image, source: { dockerfile, steps: linkHistory(image, dockerfile) } } : image;
  const checks: [Rule, (c: ImageContext) => Report[]][] = rulesFor('image').map((r) => [r, r.image!.bind(r)]);
  for (const [id, check] of Object.entries(EXISTING_CONCERN_IMAGE_CHECKS)) {
    const rule = getRule(id);
    if (rule && !rule.image) checks.push([rule, check]);
  }
  const findings: ImageFinding[] = [];
  const errors: LintError[] = [];
  for (const [rule, check] of checks) {
    const override = options.severities?.[rule.meta.id];
    if (override === 'off') continue;
    let reports: Report[];
    try {
      reports = check(ctx);
    } catch (e) {
      errors.push({ message: `rule ${rule.meta.id} failed: ${(e as Error).message}` });
      continue;
    }
    for (const r of reports) {
      const step = r.step ?? (r.layer !== undefined ? ctx.history.findIndex((h) => h.layer === r.layer) : undefined);
      findings.push({
        ruleId: rule.meta.id,
        severity: override ?? r.severity ?? rule.meta.severity,
        message: r.message,
        range: r.range ?? sourceRange(ctx, step),
        evidence: r.evidence,
        fixes: r.fixes ?? [],
        ...(r.layer !== undefined ? { layer: r.layer } : {}),
        ...(r.path !== undefined ? { path: r.path } : {}),
        ...(step !== undefined && step >= 0 ? { step } : {}),
      });
    }
  }
  findings.sort((a, b) => (a.layer ?? 0) - (b.layer ?? 0) || a.ruleId.localeCompare(b.ruleId) || (a.path ?? '').localeCompare(b.path ?? ''));
  return { findings, errors, dockerfile };
}

/** The range of the instruction that created a history step, when the Dockerfile is known. */
function sourceRange(ctx: ImageContext, step: number | undefined): OffsetRange | undefined {
  if (!ctx.source || step === undefined || step < 0) return undefined;
  const instruction = ctx.source.steps.get(step);
  return instruction ? ctx.source.dockerfile.rangeOf(instruction.getRange()) : undefined;
}
