import * as vscode from 'vscode';
import type { BulkheadContext } from './context';
import { LINTED_DOCUMENTS } from './linting/documents';
import { connectEngine, resolveDefaultEngine } from '../docker/connection';

/**
 * A language status item on Dockerfile and compose editors: the file's findings, the Docker
 * engine's state (checked once, lazily, when a matching editor first shows), and settings.
 */
export function registerLanguageStatus(ctx: BulkheadContext): void {
  const item = vscode.languages.createLanguageStatusItem('bulkhead.status', LINTED_DOCUMENTS);
  item.name = 'Bulkhead';
  item.text = '$(shield) Bulkhead';
  item.command = { title: 'Settings', command: 'workbench.action.openSettings', arguments: ['@ext:bulkhead.bulkhead'] };
  let engine = 'Docker engine: not checked yet';
  let engineChecked = false;

  const update = () => {
    const doc = vscode.window.activeTextEditor?.document;
    const findings = doc && ctx.diagnostics?.findingsFor(doc);
    if (!findings) item.text = '$(shield) Bulkhead';
    else if (!findings.length) item.text = '$(pass) Bulkhead: no problems';
    else item.text = `$(shield) Bulkhead: ${findings.length} problem${findings.length === 1 ? '' : 's'}`;
    item.severity = findings?.some((f) => f.severity === 'error') ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    item.detail = engine;
    if (!engineChecked && doc && vscode.workspace.isTrusted) {
      engineChecked = true;
      void checkEngine().then((state) => {
        engine = state;
        item.detail = state;
      });
    }
  };

  ctx.subscribe(
    item,
    vscode.window.onDidChangeActiveTextEditor(update),
    ...(ctx.diagnostics ? [ctx.diagnostics.onDidLint(update)] : []),
  );
  update();
}

/** The engine's state in the words the Containers view uses (classifyEngineError, via connectEngine, whose deadline timer is cleared). */
async function checkEngine(): Promise<string> {
  const target = resolveDefaultEngine();
  const connection = await connectEngine(target, 3000);
  return connection.ok ? `Docker engine: connected (${target.host})` : `Docker engine: ${connection.problem.message}`;
}
