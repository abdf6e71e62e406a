import * as vscode from 'vscode';
import type { SeverityOverride } from '../../engine/model';
import { checkSeverityOverride, excludeMatcher } from '../../engine/config';

export interface LintSettings {
  enable: boolean;
  delay: number;
  severities: Record<string, SeverityOverride>;
  includeUnsafeInFixAll: boolean;
  exclude: string[];
}

export function lintSettings(scope?: vscode.ConfigurationScope): LintSettings {
  const c = vscode.workspace.getConfiguration('bulkhead', scope);
  return {
    enable: c.get('enable', true),
    delay: c.get('lintDelay', 300),
    severities: validSeverities(c.get<unknown>('rules', {})),
    includeUnsafeInFixAll: c.get('fixAll.includeUnsafe', false),
    exclude: c.get('exclude', []),
  };
}

/** The team's .bulkhead.yaml choices, overridden by the user's own `bulkhead.rules`. */
export function effectiveSeverities(team: Record<string, SeverityOverride>, scope?: vscode.ConfigurationScope): Record<string, SeverityOverride> {
  return { ...team, ...lintSettings(scope).severities };
}

/** `bulkhead.exclude` globs, relative to the file's workspace folder. */
export function isExcludedBySettings(uri: vscode.Uri): boolean {
  const globs = lintSettings(uri).exclude;
  if (!globs.length) return false;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const relative = folder ? vscode.workspace.asRelativePath(uri, false) : uri.fsPath;
  return excludeMatcher(globs)(relative);
}

// Each distinct bad entry is reported once per session, not on every lint of every file.
const reported = new Set<string>();

/** `bulkhead.rules`, checked by the same function as `.bulkhead.yaml`: bad entries are ignored with a warning. */
function validSeverities(value: unknown): Record<string, SeverityOverride> {
  const severities: Record<string, SeverityOverride> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    warnOnce('"bulkhead.rules" must map rule ids to error, warning, info or off; ignored');
    return severities;
  }
  for (const [id, level] of Object.entries(value)) {
    const checked = checkSeverityOverride(id, level);
    if (checked.override) severities[id] = checked.override;
    else warnOnce(`"bulkhead.rules": ${checked.problem}; this entry is ignored`);
  }
  return severities;
}

function warnOnce(message: string): void {
  if (reported.has(message)) return;
  reported.add(message);
  void vscode.window.showWarningMessage(`Bulkhead: ${message}`);
}
