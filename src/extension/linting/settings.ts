import * as vscode from 'vscode';
import type { SeverityOverride } from '../../engine/model';
import { excludeMatcher } from '../../engine/config';

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
    severities: c.get('rules', {}),
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
