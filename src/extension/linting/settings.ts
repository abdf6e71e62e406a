import * as vscode from 'vscode';
import type { SeverityOverride } from '../../engine/model';

export interface LintSettings {
  enable: boolean;
  delay: number;
  severities: Record<string, SeverityOverride>;
  includeUnsafeInFixAll: boolean;
}

export function lintSettings(scope?: vscode.ConfigurationScope): LintSettings {
  const c = vscode.workspace.getConfiguration('bulkhead', scope);
  return {
    enable: c.get('enable', true),
    delay: c.get('lintDelay', 300),
    severities: c.get('rules', {}),
    includeUnsafeInFixAll: c.get('fixAll.includeUnsafe', false),
  };
}
