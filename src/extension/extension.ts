import * as vscode from 'vscode';
import { BulkheadContext } from './context';

let context: BulkheadContext | undefined;

/** Composes the adapters; stays fast: engines, parsers and Docker connect lazily. */
export function activate(extensionContext: vscode.ExtensionContext): BulkheadContext {
  context = new BulkheadContext(extensionContext);
  context.start();
  return context;
}

export function deactivate(): void {
  context?.dispose();
  context = undefined;
}
