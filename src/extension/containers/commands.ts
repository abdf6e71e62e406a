import * as vscode from 'vscode';
import type { ContainerAnalysis } from '../../docker/containers';
import { locateComposeService } from '../../docker/compose-source';
import { hardenedComposeService, hardenedRunCommand } from '../../engine/runtime/hardened';
import { containerReportMarkdown, severitySummary } from '../../engine/output/container-report';
import { allContainerNodes, type ContainerNode, type TreeNode } from './model';
import type { ContainersTree } from './tree';

export const REPORT_SCHEME = 'bulkhead-container';

/**
 * Read-only documents for one container: its hardening report (markdown) and raw inspect (JSON).
 * URIs: bulkhead-container:/report/<id>/<name>.md and bulkhead-container:/inspect/<id>/<name>.json.
 */
export class ContainerDocuments implements vscode.TextDocumentContentProvider {
  private readonly byId = new Map<string, ContainerAnalysis>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  remember(c: ContainerAnalysis): void {
    this.byId.set(c.id, c);
  }

  uri(kind: 'report' | 'inspect', c: ContainerAnalysis): vscode.Uri {
    const safeName = c.name.replace(/[^A-Za-z0-9._-]/g, '_');
    return vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${kind}/${c.id}/${safeName}.${kind === 'report' ? 'md' : 'json'}` });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, kind, id] = uri.path.split('/');
    const c = this.byId.get(id);
    if (!c) return kind === 'report' ? '# Container not found\n\nRefresh the Containers view and open the report again.\n' : '{}\n';
    return kind === 'report' ? containerReportMarkdown(c) : JSON.stringify(c.inspect, null, 2) + '\n';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export async function showReport(docs: ContainerDocuments, c: ContainerAnalysis): Promise<vscode.Uri> {
  docs.remember(c);
  const uri = docs.uri('report', c);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    // Without the built-in markdown extension the source is still readable.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  }
  return uri;
}

export async function showInspect(docs: ContainerDocuments, c: ContainerAnalysis): Promise<vscode.Uri> {
  docs.remember(c);
  const uri = docs.uri('inspect', c);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.languages.setTextDocumentLanguage(doc, 'json');
  await vscode.window.showTextDocument(doc, { preview: true });
  return uri;
}

export async function openComposeService(c: ContainerAnalysis): Promise<void> {
  const where = locateComposeService(c);
  if ('error' in where) {
    void vscode.window.showWarningMessage(where.error);
    return;
  }
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(where.file));
  const position = new vscode.Position(where.line, 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

export async function copyRunCommand(c: ContainerAnalysis): Promise<string> {
  const text = hardenedRunCommand(c.inspect);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.showInformationMessage(`Copied a hardened docker run command for ${c.name}.`);
  return text;
}

export async function copyComposeService(c: ContainerAnalysis): Promise<string> {
  const text = hardenedComposeService(c.inspect, c.compose?.service);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.showInformationMessage(`Copied a hardened compose service for ${c.name}.`);
  return text;
}

/** The container a command is about: the tree node it was invoked on, or a quick pick. */
export async function pickContainer(tree: ContainersTree, node: TreeNode | string | undefined): Promise<ContainerAnalysis | undefined> {
  if (typeof node === 'object' && (node?.kind === 'container' || node?.kind === 'finding')) return node.container;
  const snapshots = await tree.settled();
  const nodes: ContainerNode[] = allContainerNodes(snapshots);
  // A name or id (from scripts, keybindings or tests) selects without asking.
  if (typeof node === 'string') {
    const found = nodes.find((n) => n.container.name === node || n.container.id === node || (node.length >= 12 && n.container.id.startsWith(node)));
    if (!found) void vscode.window.showWarningMessage(`No container named ${node} on the Docker engines.`);
    return found?.container;
  }
  const problems = snapshots.filter((s) => s.status === 'problem');
  if (!nodes.length) {
    const why = problems.map((s) => `${s.problem?.message} ${s.problem?.hint ?? ''}`).join(' ');
    void vscode.window.showWarningMessage(why || 'No containers found on the Docker engine.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    nodes.map((n) => ({
      label: n.container.name,
      description: `${n.container.image} · ${n.container.state}`,
      detail: n.container.findings.length ? severitySummary(n.container.findings) : 'no findings',
      container: n.container,
    })),
    { placeHolder: 'Container to audit', matchOnDescription: true },
  );
  return picked?.container;
}
