// The finding model shared by every surface: CLI, diagnostics, code actions, tree and audit.
// Positions are 0-based offsets into the text the engine was given (UTF-16 code units, like
// VS Code's document.offsetAt), so adapters convert with their own document and nothing drifts.

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
export type SeverityOverride = Severity | 'off';

/** What a rule can look at. A concern keeps one rule id across all of them. */
export type Target = 'dockerfile' | 'compose' | 'container' | 'image';

/** External ids a rule corresponds to, so users can map Bulkhead to the tools they know. */
export interface References {
  cis?: string[];
  hadolint?: string[];
  trivy?: string[];
  checkov?: string[];
  kics?: string[];
  /** dockle checkpoints: CIS-DI-xxxx, DKL-DI-xxxx, DKL-LI-xxxx. */
  dockle?: string[];
}
export const REFERENCE_KINDS = ['cis', 'hadolint', 'trivy', 'checkov', 'kics', 'dockle'] as const;

/** Half-open [start, end) range of offsets. */
export interface OffsetRange {
  start: number;
  end: number;
}

/** Replace text[start, end) with newText. Insertions have start === end. */
export interface TextEdit extends OffsetRange {
  newText: string;
}

export interface Fix {
  title: string;
  /** Safe fixes keep the container's behaviour; only they are applied by fix-all unless asked. */
  safe: boolean;
  edits: TextEdit[];
  /** The fix a user most likely wants (one per finding at most). */
  preferred?: boolean;
  /** A VS Code snippet-syntax insertion offered instead of plain edits (guidance fixes). */
  snippet?: { at: number; body: string };
  /**
   * Lines to append to another file next to the linted one (`.dockerignore`), created when missing.
   * Such a fix has no `edits`: fix-all and `bulkhead fix` rewrite linted files only, so it is the
   * editor's quick fix (appendLinesEdit computes the edit on the file as it is then).
   */
  appendToFile?: { path: string; lines: string[] };
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** Where in the text; absent for findings about a running container. */
  range?: OffsetRange;
  /** What was seen (for containers and the host audit), already free of secret values. */
  evidence?: string;
  fixes: Fix[];
  /** The references that describe this case, when narrower than the rule's (image-unpinned: DL3006 vs DL3007). */
  refs?: References;
}

export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  /** The cases a check reports at another severity, e.g. `{ error: 'the capability is SYS_ADMIN, …' }`: the docs say "warning (error when …)". */
  severityWhen?: Partial<Record<Severity, string>>;
  targets: Target[];
  /** Why it matters, in a paragraph. */
  rationale: string;
  /** What to do about it. */
  remediation: string;
  refs: References;
  /** Further reading (URLs). */
  links?: string[];
  /** Short texts the rule fires on (bad) and stays silent on (good), per file kind; rendered in the docs and run by test/unit/rule-examples.test.ts. */
  examples?: Partial<Record<FileKind, RuleExamples>>;
}

export interface RuleExamples {
  bad: string[];
  good: string[];
}

/** A file could not be read or parsed; reported beside findings, never thrown. */
export interface LintError {
  message: string;
  range?: OffsetRange;
}

export interface LintResult {
  findings: Finding[];
  errors: LintError[];
}

export type FileKind = 'dockerfile' | 'compose';
