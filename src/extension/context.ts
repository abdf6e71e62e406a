import * as vscode from 'vscode';

/**
 * The one object composed in activate() (rust-analyzer's `Ctx`): it owns the log, the
 * configuration view, and every adapter's disposables. Adapters receive it, never globals.
 */
export class BulkheadContext implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Bulkhead', { log: true });
    this.disposables.push(this.log);
  }

  start(): void {
    this.log.info(`Bulkhead ${this.extension.extension.packageJSON.version} activated`);
  }

  subscribe(...items: vscode.Disposable[]): void {
    this.disposables.push(...items);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
