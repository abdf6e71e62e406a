import * as vscode from 'vscode';
import { BulkheadContext } from './context';

let context: BulkheadContext | undefined;
declare const __bulkheadLoadStarted: number | undefined;

/** Composes the adapters; stays fast: engines, parsers and Docker load on first use. */
export function activate(extensionContext: vscode.ExtensionContext): BulkheadContext {
  const started = Date.now();
  context = new BulkheadContext(extensionContext);
  context.start();
  const ended = Date.now();
  // What VS Code counts (code loading + activate call) starts at its own mark, before it reads the bundle.
  const hostMark = hostLoadMark(extensionContext.extension.id);
  const bundleStarted = typeof __bulkheadLoadStarted === 'number' ? __bulkheadLoadStarted : started;
  context.timings = { totalMs: ended - (hostMark ?? bundleStarted), loadMs: started - bundleStarted, activateMs: ended - started, fromHostMark: hostMark !== undefined };
  context.log.info(
    `activated in ${context.timings.totalMs} ms ${hostMark !== undefined ? "from VS Code's load call" : 'from bundle start'} (bundle ${context.timings.loadMs} ms, activate() ${context.timings.activateMs} ms)`,
  );
  return context;
}

/** VS Code's `code/extHost/willLoadExtensionCode/<id>` performance mark (not API: absent elsewhere). */
function hostLoadMark(extensionId: string): number | undefined {
  const marks = (globalThis as { MonacoPerformanceMarks?: { getMarks?(): { name: string; startTime: number }[] } }).MonacoPerformanceMarks?.getMarks?.();
  const name = `code/extHost/willLoadExtensionCode/${extensionId}`;
  return marks?.filter((m) => m.name === name).pop()?.startTime;
}

export function deactivate(): void {
  context?.dispose();
  context = undefined;
}
