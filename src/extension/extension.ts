import * as vscode from 'vscode';
import { BulkheadContext } from './context';

let context: BulkheadContext | undefined;
declare const __bulkheadLoadStarted: number | undefined;
declare const __bulkheadLoadEnded: number | undefined;

/** Composes the adapters; stays fast: engines, parsers and Docker load on first use. */
export function activate(extensionContext: vscode.ExtensionContext): BulkheadContext {
  const started = Date.now();
  context = new BulkheadContext(extensionContext);
  context.start();
  const ended = Date.now();
  const bundleStarted = typeof __bulkheadLoadStarted === 'number' ? __bulkheadLoadStarted : started;
  const bundleEnded = typeof __bulkheadLoadEnded === 'number' ? __bulkheadLoadEnded : started;
  // VS Code's own mark precedes reading the bundle; between loading and activate() it prepares the
  // extension context (storage, secrets), which is its time, not ours: counted apart.
  const hostMark = hostLoadMark(extensionContext.extension.id);
  const loadMs = bundleEnded - (hostMark ?? bundleStarted);
  const activateMs = ended - started;
  context.timings = { totalMs: loadMs + activateMs, loadMs, activateMs, hostWaitMs: started - bundleEnded, fromHostMark: hostMark !== undefined };
  context.log.info(
    `activated in ${context.timings.totalMs} ms: loading the bundle ${loadMs} ms (${hostMark !== undefined ? "from VS Code's load call" : 'from its first line'}) + activate() ${activateMs} ms; VS Code prepared the context in ${context.timings.hostWaitMs} ms between them`,
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
