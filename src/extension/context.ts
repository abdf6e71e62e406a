import * as vscode from 'vscode';
import { FEATURES } from './features';
import type { DiagnosticsPublisher } from './linting/diagnostics';
import { TeamConfigResolver } from '../workspace/teamConfig';

/**
 * The one object composed in activate() (rust-analyzer's `Ctx`): it owns the log, the
 * configuration view, and every adapter's disposables. Adapters receive it, never globals.
 */
export class BulkheadContext implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  private readonly disposables: vscode.Disposable[] = [];
  /** Set by the linting feature; other features read findings of open documents through it. */
  diagnostics?: DiagnosticsPublisher;
  /**
   * Activation cost (logged; read by tests): loadMs from VS Code's load call (outside VS Code, the
   * bundle's first line) to the end of the bundle's evaluation, activateMs the activate() call,
   * totalMs their sum; hostWaitMs is VS Code preparing the extension context between the two.
   */
  timings?: { totalMs: number; loadMs: number; activateMs: number; hostWaitMs: number; fromHostMark: boolean };
  /** .bulkhead.yaml files, read exactly as the CLI reads them. */
  readonly teamConfig = new TeamConfigResolver();

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Bulkhead', { log: true });
    this.disposables.push(this.log);
  }

  start(): void {
    const started = Date.now();
    for (const register of FEATURES) {
      try {
        register(this);
      } catch (e) {
        // One broken feature must not take the others down.
        this.log.error(`feature ${register.name} failed to start: ${(e as Error).stack ?? e}`);
      }
    }
    this.subscribe(vscode.commands.registerCommand('bulkhead.showOutput', () => this.log.show()));
    this.log.info(`Bulkhead ${this.extension.extension.packageJSON.version}: features started in ${Date.now() - started} ms`);
  }

  /** A path inside the installed extension (docs, media). */
  asAbsolutePath(relative: string): string {
    return this.extension.asAbsolutePath(relative);
  }

  /** The rule's page shipped with the extension (docs/rules/<id>.md). */
  ruleDocsUri(ruleId: string): vscode.Uri {
    return vscode.Uri.joinPath(this.extension.extensionUri, 'docs', 'rules', `${ruleId}.md`);
  }

  /** What a diagnostic's code and a hover link to: the rule's page in a read-only Markdown preview. */
  ruleDocsLink(ruleId: string): vscode.Uri {
    return vscode.Uri.from({ scheme: 'command', path: 'bulkhead.showRuleDocs', query: JSON.stringify([ruleId]) });
  }

  subscribe(...items: vscode.Disposable[]): void {
    this.disposables.push(...items);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
