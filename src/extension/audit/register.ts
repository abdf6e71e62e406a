import * as vscode from 'vscode';
import { allowHostPrograms } from '../../docker/host-probe';
import type { AuditReport } from '../../engine/audit';
import type { BulkheadContext } from '../context';
import { AUDIT_VIEW_TYPE, AuditPanel } from './panel';

/**
 * `Bulkhead: Audit Docker Host`: the CIS Docker Benchmark webview. Registration is cheap; the
 * engine is only contacted when the command runs. The serializer brings the panel back after a
 * window reload with the last report (the `onWebviewPanel:bulkhead.audit` activation event).
 */
export function registerHostAudit(ctx: BulkheadContext): void {
  // Untrusted workspace: the audit runs no programs (auditctl), as the manifest promises.
  allowHostPrograms(vscode.workspace.isTrusted);
  ctx.subscribe(
    vscode.workspace.onDidGrantWorkspaceTrust(() => allowHostPrograms(true)),
    vscode.commands.registerCommand('bulkhead.auditHost', () => {
      AuditPanel.show(ctx);
    }),
    vscode.window.registerWebviewPanelSerializer(AUDIT_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const report = (state as { report?: AuditReport } | undefined)?.report;
        const p = new AuditPanel(ctx, panel, report);
        if (!report) void p.run();
      },
    }),
    // Not in the palette: lets integration tests see what the panel holds and rendered.
    vscode.commands.registerCommand('bulkhead.audit.viewState', () => {
      const p = AuditPanel.current;
      return p ? { state: p.currentState, report: p.currentReport, rendered: p.lastRendered } : undefined;
    }),
    vscode.commands.registerCommand('bulkhead.audit.setView', (view: { filter?: string; search?: string }) => AuditPanel.current?.setView(view ?? {})),
    vscode.commands.registerCommand('bulkhead.audit.export', (format: 'json' | 'sarif' | 'html' | 'markdown', target: vscode.Uri) => AuditPanel.current?.export(format, target)),
    { dispose: () => AuditPanel.current?.dispose() },
  );
}
