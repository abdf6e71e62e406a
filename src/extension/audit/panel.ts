import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, resolveDefaultEngine } from '../../docker/connection';
import { AuditCancelled, gatherEvidence } from '../../docker/host-probe';
import { AUDIT_STATUSES, runAudit, SECTION_TITLES, type AuditReport } from '../../engine/audit';
import { escapeHtml } from '../../engine/output/escape';
import { formatReport, type AuditFormat } from '../../engine/audit/format';
import type { BulkheadContext } from '../context';

export const AUDIT_VIEW_TYPE = 'bulkhead.audit';

/**
 * @vscode-elements/elements, bundled: copied into dist/webview/ by scripts/copy-webview-assets.mjs
 * for the packaged extension; in a development checkout that was built without the copy step, the
 * package's own file. Without either the page still works, with plain elements.
 */
function elementsScript(ctx: BulkheadContext): vscode.Uri | undefined {
  const candidates = [['dist', 'webview', 'elements.js'], ['node_modules', '@vscode-elements', 'elements', 'dist', 'bundled.js']];
  for (const parts of candidates) if (existsSync(ctx.asAbsolutePath(join(...parts)))) return vscode.Uri.joinPath(ctx.extension.extensionUri, ...parts);
  return undefined;
}

type RunState = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

/** What the webview last told us it rendered (tests read this through a command). */
export interface RenderedState {
  shown: number;
  text: string;
  images: number;
  scripts: number;
  /** Whether @vscode-elements/elements loaded (custom elements defined). */
  elements: boolean;
}

type FromWebview =
  | { type: 'ready'; hasReport: boolean }
  | { type: 'rerun' }
  | { type: 'export' }
  | { type: 'openContainer'; id: string; name: string }
  | { type: 'openCompose'; file: string; service: string }
  | ({ type: 'rendered' } & RenderedState);

const EXPORTS: { label: string; format: AuditFormat; ext: string }[] = [
  { label: 'JSON', format: 'json', ext: 'json' },
  { label: 'SARIF', format: 'sarif', ext: 'sarif' },
  { label: 'HTML', format: 'html', ext: 'html' },
  { label: 'Markdown', format: 'markdown', ext: 'md' },
];

/** The one host-audit webview panel: runs the audit with progress, renders, exports, survives reloads. */
export class AuditPanel implements vscode.Disposable {
  static current: AuditPanel | undefined;
  private report: AuditReport | undefined;
  private state: RunState = 'idle';
  private running: AbortController | undefined;
  lastRendered: RenderedState | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static show(ctx: BulkheadContext): AuditPanel {
    if (AuditPanel.current) {
      AuditPanel.current.panel.reveal();
      void AuditPanel.current.run();
      return AuditPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(AUDIT_VIEW_TYPE, 'Docker Host Audit', vscode.ViewColumn.Active, AuditPanel.options(ctx));
    const p = new AuditPanel(ctx, panel, undefined);
    void p.run();
    return p;
  }

  static options(ctx: BulkheadContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    const elements = elementsScript(ctx);
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      // Only the extension's own media and built assets: nothing from the workspace or the web.
      localResourceRoots: [
        vscode.Uri.joinPath(ctx.extension.extensionUri, 'media'),
        vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist'),
        ...(elements && !elements.path.endsWith('/dist/webview/elements.js') ? [vscode.Uri.joinPath(elements, '..')] : []),
      ],
    };
  }

  constructor(
    private readonly ctx: BulkheadContext,
    readonly panel: vscode.WebviewPanel,
    restored: AuditReport | undefined,
  ) {
    AuditPanel.current = this;
    this.report = restored;
    if (restored) this.state = 'done';
    panel.webview.options = AuditPanel.options(ctx);
    panel.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'bulkhead.svg');
    panel.webview.html = this.html(panel.webview);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromWebview) => void this.onMessage(m)),
    );
  }

  private post(): void {
    void this.panel.webview.postMessage({ type: 'state', state: this.state, report: this.report, error: this.error });
  }
  private error: string | undefined;

  async run(): Promise<AuditReport | undefined> {
    this.running?.abort();
    const abort = new AbortController();
    this.running = abort;
    this.state = 'running';
    this.error = undefined;
    this.post();
    const target = resolveDefaultEngine();
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Auditing Docker host ${target.host}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          const started = Date.now();
          const evidence = await gatherEvidence(createClient(target), target, { signal: abort.signal, onProgress: (message, increment) => progress.report({ message, increment }) });
          if (!evidence.info && !evidence.version) throw new Error(`cannot reach the Docker engine at ${target.host} (${target.source}): ${evidence.errors[0] ?? 'no answer'}`);
          const r = runAudit(evidence);
          r.summary.durationMs = Date.now() - started;
          return r;
        },
      );
      if (this.running !== abort) return report; // superseded by a newer run
      this.report = report;
      this.state = 'done';
      this.ctx.log.info(`host audit of ${target.host}: score ${report.summary.score}%, ${report.summary.counts.warn} warn, ${report.summary.apiCalls} API calls, ${report.summary.durationMs} ms`);
      return report;
    } catch (e) {
      if (this.running !== abort) return undefined;
      if (e instanceof AuditCancelled || abort.signal.aborted) this.state = 'cancelled';
      else {
        this.state = 'error';
        this.error = (e as Error).message;
        this.ctx.log.error(`host audit failed: ${(e as Error).stack ?? e}`);
      }
      return undefined;
    } finally {
      if (this.running === abort) {
        this.running = undefined;
        this.post();
      }
    }
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.post();
        return;
      case 'rerun':
        await this.run();
        return;
      case 'export':
        await this.export();
        return;
      case 'rendered':
        this.lastRendered = { shown: m.shown, text: String(m.text ?? ''), images: m.images, scripts: m.scripts, elements: !!m.elements };
        return;
      case 'openContainer': {
        // The Containers view owns container navigation; fall back to focusing it.
        const commands = await vscode.commands.getCommands(true);
        if (commands.includes('bulkhead.containers.reveal')) await vscode.commands.executeCommand('bulkhead.containers.reveal', { id: m.id, name: m.name });
        else await vscode.commands.executeCommand('bulkhead.containers.focus');
        return;
      }
      case 'openCompose': {
        const uri = vscode.Uri.file(m.file);
        try {
          const doc = await vscode.workspace.openTextDocument(uri);
          const editor = await vscode.window.showTextDocument(doc);
          const at = doc.getText().search(new RegExp(`^\\s*${m.service.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`, 'm'));
          if (at >= 0) editor.revealRange(new vscode.Range(doc.positionAt(at), doc.positionAt(at)), vscode.TextEditorRevealType.InCenter);
        } catch (e) {
          void vscode.window.showWarningMessage(`Cannot open ${m.file}: ${(e as Error).message}`);
        }
        return;
      }
    }
  }

  async export(format?: AuditFormat, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (!this.report) return undefined;
    const choice = format ? EXPORTS.find((e) => e.format === format) : await vscode.window.showQuickPick(EXPORTS, { title: 'Export the host audit as' });
    if (!choice) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri =
      target ??
      (await vscode.window.showSaveDialog({
        title: 'Export host audit',
        defaultUri: folder ? vscode.Uri.joinPath(folder, `docker-host-audit.${choice.ext}`) : undefined,
        filters: { [choice.label]: [choice.ext] },
      }));
    if (!uri) return undefined;
    const version = String(this.ctx.extension.extension.packageJSON.version ?? '0.0.0');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(formatReport(this.report, choice.format, version), 'utf8'));
    void vscode.window.showInformationMessage(`Host audit exported to ${uri.fsPath}`);
    return uri;
  }

  /** Sets the status filter and search text shown in the panel. */
  setView(view: { filter?: string; search?: string }): Thenable<boolean> {
    return this.panel.webview.postMessage({ type: 'setView', filter: view.filter, search: view.search });
  }

  get currentReport(): AuditReport | undefined {
    return this.report;
  }
  get currentState(): RunState {
    return this.state;
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(18).toString('base64');
    const root = this.ctx.extension.extensionUri;
    const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'audit', 'main.js'));
    const elementsFile = elementsScript(this.ctx);
    const elements = elementsFile ? webview.asWebviewUri(elementsFile) : undefined;
    const style = webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'audit', 'audit.css'));
    // Scripts only with this nonce; styles from the extension (vscode-elements adopts constructed sheets).
    const csp = [`default-src 'none'`, `img-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `style-src ${webview.cspSource} 'unsafe-inline'`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Docker Host Audit</title>
</head>
<body>
<div id="root" data-sections="${escapeHtml(JSON.stringify(SECTION_TITLES))}" data-statuses="${escapeHtml(JSON.stringify(AUDIT_STATUSES))}"></div>
${elements ? `<script type="module" nonce="${nonce}" src="${elements}"></script>` : ''}
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.running?.abort();
    if (AuditPanel.current === this) AuditPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
