import * as vscode from 'vscode';
import type { BulkheadContext } from './context';

/**
 * Commands the manifest declares whose feature has not landed yet. They say so instead of
 * failing with "command not found". A feature that lands removes its id from this list.
 */
const PENDING: Record<string, string> = {
  'bulkhead.auditWorkspace': 'Auditing all workspace files',
};

export function registerPendingCommands(ctx: BulkheadContext): void {
  for (const [id, what] of Object.entries(PENDING)) {
    ctx.subscribe(
      vscode.commands.registerCommand(id, () => {
        ctx.log.info(`${id}: not built yet`);
        void vscode.window.showInformationMessage(`${what} is not built yet in this version of Bulkhead.`);
      }),
    );
  }
}
