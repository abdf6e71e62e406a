import type { Finding, Fix, TextEdit } from './model';
import { applyEdits } from './text';
import { lintText, type LintOptions } from './lint';

export interface FixAllOptions extends LintOptions {
  /** Also apply fixes that change behaviour, for every rule in scope (same as `unsafeRules: 'all'`). */
  unsafe?: boolean;
  /** Only fix findings of this rule (same as `rules: new Set([ruleId])`). */
  ruleId?: string;
  /** Rules whose safe fixes may be applied; undefined: every rule. */
  rules?: Set<string>;
  /**
   * Rules whose unsafe fixes (and safe ones) may also be applied; 'all': every rule in scope
   * (`rules`, else every rule). Undefined: none, unless `unsafe` is set.
   */
  unsafeRules?: Set<string> | 'all';
}

/** The fix fix-all would pick for a finding: the preferred one, else the first, if allowed. */
function chooseFix(finding: Finding, unsafe = false): Fix | undefined {
  const allowed = finding.fixes.filter((f) => (f.safe || unsafe) && f.edits.length > 0);
  return allowed.find((f) => f.preferred) ?? allowed[0];
}

/** Which fixes a rule may apply under the options: none, safe ones, or unsafe ones too. */
function permission(options: FixAllOptions): (ruleId: string) => 'none' | 'safe' | 'unsafe' {
  const inScope = (id: string) => (options.rules ? options.rules.has(id) : !options.ruleId || options.ruleId === id);
  const unsafe = (id: string) => {
    const { unsafeRules } = options;
    if (unsafeRules === 'all') return inScope(id);
    if (unsafeRules) return unsafeRules.has(id);
    return !!options.unsafe && inScope(id);
  };
  return (id) => (unsafe(id) ? 'unsafe' : inScope(id) ? 'safe' : 'none');
}

const compareEdits = (a: TextEdit, b: TextEdit) => a.start - b.start || a.end - b.end;

/**
 * Accepted edits kept sorted, so whether a new edit overlaps them is a look at its two
 * neighbours (the accepted ones never overlap: their ends grow with their starts). Overlap means
 * what applyEdits would drop: a replaced range that meets another, or an insertion strictly
 * inside a replaced range; insertions at the same offset, or at a range's edge, all apply.
 */
class AcceptedEdits {
  private readonly sorted: TextEdit[] = [];

  /** Where `edit` goes: after every accepted edit that sorts before it or equal to it. */
  private slot(edit: TextEdit): number {
    let lo = 0;
    let hi = this.sorted.length;
    // Fixes mostly come in file order: try the end first.
    if (hi && compareEdits(this.sorted[hi - 1], edit) <= 0) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareEdits(this.sorted[mid], edit) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  fits(edit: TextEdit): boolean {
    const at = this.slot(edit);
    const before = this.sorted[at - 1];
    const after = this.sorted[at];
    return !(before && edit.start < before.end) && !(after && after.start < edit.end);
  }

  add(edit: TextEdit): void {
    this.sorted.splice(this.slot(edit), 0, edit);
  }
}

/** Whether a fix's own edits apply together (none overlaps another). */
function selfConsistent(edits: readonly TextEdit[]): boolean {
  const sorted = [...edits].sort(compareEdits);
  return sorted.every((e, k) => k === 0 || e.start >= sorted[k - 1].end);
}

/**
 * Applies fixes until the text stops changing, in one call: each pass lints, then takes every
 * allowed fix whose edits all fit beside those already taken (whole fixes only, never half a
 * fix); fixes that overlap wait for the next pass, which lints the new text. The guard against
 * fixes that undo each other is far above what any real file needs.
 */
export function fixAll(text: string, options: FixAllOptions): { text: string; fixed: number; remaining: Finding[] } {
  const allowed = permission(options);
  let fixed = 0;
  let current = text;
  for (let pass = 0; pass < 100; pass++) {
    const { findings } = lintText(current, options);
    const accepted = new AcceptedEdits();
    const edits: TextEdit[] = [];
    for (const f of findings) {
      const may = allowed(f.ruleId);
      if (may === 'none') continue;
      const fix = chooseFix(f, may === 'unsafe');
      if (!fix || !selfConsistent(fix.edits) || !fix.edits.every((e) => accepted.fits(e))) continue;
      for (const e of fix.edits) accepted.add(e);
      edits.push(...fix.edits);
      fixed++;
    }
    if (!edits.length) return { text: current, fixed, remaining: findings };
    const next = applyEdits(current, edits).text;
    if (next === current) return { text: current, fixed, remaining: findings };
    current = next;
  }
  return { text: current, fixed, remaining: lintText(current, options).findings };
}
