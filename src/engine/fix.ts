import type { Finding, Fix, TextEdit } from './model';
import { applyEdits } from './text';
import { lintText, type LintOptions } from './lint';

export interface FixAllOptions extends LintOptions {
  /** Also apply fixes that change behaviour. */
  unsafe?: boolean;
  /** Only fix findings of this rule. */
  ruleId?: string;
}

/** The fix fix-all would pick for a finding: the preferred one, else the first, if allowed. */
export function chooseFix(finding: Finding, unsafe = false): Fix | undefined {
  const allowed = finding.fixes.filter((f) => (f.safe || unsafe) && f.edits.length > 0);
  return allowed.find((f) => f.preferred) ?? allowed[0];
}

/**
 * Applies fixes until the text stops changing (fixes of one pass may overlap; later passes pick
 * up what was dropped). Returns the final text and how many fixes were applied.
 */
export function fixAll(text: string, options: FixAllOptions): { text: string; fixed: number; remaining: Finding[] } {
  let fixed = 0;
  let current = text;
  for (let pass = 0; pass < 10; pass++) {
    const { findings } = lintText(current, options);
    const edits: TextEdit[] = [];
    const chosen: Fix[] = [];
    for (const f of findings) {
      if (options.ruleId && f.ruleId !== options.ruleId) continue;
      const fix = chooseFix(f, options.unsafe);
      if (fix) {
        chosen.push(fix);
        edits.push(...fix.edits);
      }
    }
    if (!edits.length) return { text: current, fixed, remaining: findings };
    // Apply whole fixes only: a fix whose edits would be partly dropped waits for the next pass.
    const accepted: TextEdit[] = [];
    for (const fix of chosen) {
      const trial = [...accepted, ...fix.edits];
      if (applyEdits(current, trial).applied.length === trial.length) {
        accepted.push(...fix.edits);
        fixed++;
      }
    }
    const next = applyEdits(current, accepted).text;
    if (next === current) return { text: current, fixed, remaining: findings };
    current = next;
  }
  return { text: current, fixed, remaining: lintText(current, options).findings };
}
