import * as vscode from 'vscode';
import { BulkheadContext } from './context';

let context: BulkheadContext | undefined;
declare const __bulkheadLoadStarted: number | undefined;
const loadedAt = Date.now();

/** Composes the adapters; stays fast: engines, parsers and Docker connect lazily. */
export function activate(extensionContext: vscode.ExtensionContext): BulkheadContext {
  const started = Date.now();
  context = new BulkheadContext(extensionContext);
  context.start();
  const load = typeof __bulkheadLoadStarted === 'number' ? loadedAt - __bulkheadLoadStarted : NaN;
  context.timings = { loadMs: load, activateMs: Date.now() - started };
  context.log.info(`bundle evaluated in ${load} ms, features started in ${context.timings.activateMs} ms`);
  return context;
}

export function deactivate(): void {
  context?.dispose();
  context = undefined;
}
