import * as vscode from 'vscode';
import type { SeverityOverride } from '../../engine/model';
import { discoverEngines, engineKey } from '../../docker/connection';
import type { BulkheadContext } from '../context';
import { allContainerNodes, childrenOf, matchesFilter, singleEngineProblem, type TreeNode } from './model';
import { ContainersTree } from './tree';
import { ContainerDocuments, REPORT_SCHEME, copyComposeService, copyRunCommand, openComposeService, pickContainer, showInspect, showReport } from './commands';

const VIEW_ID = 'bulkhead.containers';

/**
 * The Containers view: cheap to register (no connection until the view is visible or a command
 * runs). Engines come from the docker CLI's resolution plus the `bulkhead.engines` setting.
 */
export function registerContainers(ctx: BulkheadContext): void {
  const config = () => vscode.workspace.getConfiguration('bulkhead');
  const engines = () => discoverEngines(config().get<unknown[]>('engines') ?? []);
  const analyseOptions = () => ({ severities: config().get<Record<string, SeverityOverride>>('rules') ?? {} });
  // The tree asks for visibility only after the view exists (in commands and refreshes).
  const tree: ContainersTree = new ContainersTree(engines, analyseOptions, ctx.log, (): boolean => view.visible);
  const documents = new ContainerDocuments();
  const view: vscode.TreeView<TreeNode> = vscode.window.createTreeView<TreeNode>(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });

  const updateState = () => {
    const snapshots = tree.snapshots;
    const problems = snapshots.filter((s) => s.status === 'problem' && s.problem);
    const first = snapshots[0];
    void vscode.commands.executeCommand('setContext', 'bulkhead.engineState', first ? (first.status === 'problem' ? first.problem?.kind : first.status) : 'unknown');
    void vscode.commands.executeCommand('setContext', 'bulkhead.engineProblem', Boolean(singleEngineProblem(snapshots)));
    // A lone engine's problem is told by the welcome content, which VS Code hides while a message is
    // set: the address it tried goes in the view's description instead.
    const lone = singleEngineProblem(snapshots);
    view.description = lone && first ? first.target.host : tree.filter ? `filter: ${tree.filter}` : undefined;
    void vscode.commands.executeCommand('setContext', 'bulkhead.containers.filtered', Boolean(tree.filter));
    view.message =
      problems.length && !lone
        ? problems.map((s) => `${s.problem?.message}${s.problem?.hint ? ` ${s.problem.hint}` : ''}`.replace(/`/g, '')).join('\n')
        : undefined;
  };

  ctx.subscribe(
    tree,
    view,
    tree.onState(updateState),
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, documents),
    view.onDidChangeVisibility((e) => (e.visible ? tree.start() : tree.stop())),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('bulkhead.engines')) tree.reconfigure(view.visible);
      else if (e.affectsConfiguration('bulkhead.rules') && view.visible) void tree.refresh();
    }),
    vscode.commands.registerCommand('bulkhead.refresh', () => tree.refresh()),
    vscode.commands.registerCommand('bulkhead.containers.retry', (node?: TreeNode) => {
      tree.retry(node?.kind === 'problem' ? node.engine : node?.kind === 'engine' ? engineKey(node.snapshot.target) : undefined);
    }),
    vscode.commands.registerCommand('bulkhead.auditContainer', async (node?: TreeNode | string) => {
      const c = await pickContainer(tree, node);
      return c ? showReport(documents, c) : undefined;
    }),
    vscode.commands.registerCommand('bulkhead.containers.showReport', async (node?: TreeNode | string) => {
      const c = await pickContainer(tree, node);
      return c ? showReport(documents, c) : undefined;
    }),
    vscode.commands.registerCommand('bulkhead.containers.inspect', async (node?: TreeNode | string) => {
      const c = await pickContainer(tree, node);
      return c ? showInspect(documents, c) : undefined;
    }),
    vscode.commands.registerCommand('bulkhead.containers.openCompose', async (node?: TreeNode | string) => {
      const c = await pickContainer(tree, node);
      if (c) await openComposeService(c);
    }),
    vscode.commands.registerCommand('bulkhead.containers.copyRunCommand', async (node?: TreeNode | string) => {
      const c = await pickContainer(tree, node);
      return c ? copyRunCommand(c) : undefined;
    }),
    vscode.commands.registerCommand('bulkhead.containers.copyComposeService', async (node?: TreeNode | string) => {
      const c = await pickContainer(tree, node);
      return c ? copyComposeService(c) : undefined;
    }),
    // Text given as an argument skips the input box (tests, keybindings); an empty text clears the filter.
    vscode.commands.registerCommand('bulkhead.containers.filter', async (text?: string) => {
      const value =
        typeof text === 'string'
          ? text
          : await vscode.window.showInputBox({
              title: 'Filter containers',
              prompt: 'Name, image, state, compose project or rule id (empty shows all)',
              value: tree.filter ?? '',
            });
      if (value !== undefined) tree.filter = value;
    }),
    vscode.commands.registerCommand('bulkhead.containers.clearFilter', () => (tree.filter = undefined)),
    // The audit webview's container links: select the container in the view (by id, else by name).
    vscode.commands.registerCommand('bulkhead.containers.reveal', async (target?: { id?: string; name?: string }) => {
      await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
      const snapshots = await tree.settled();
      const node =
        allContainerNodes(snapshots).find((n) => target?.id && n.container.id.startsWith(target.id)) ??
        allContainerNodes(snapshots).find((n) => target?.name && n.container.name === target.name);
      if (!node) return undefined;
      // A filter that hides it is cleared rather than leaving the link dead.
      if (tree.filter && !matchesFilter(node.container, tree.filter)) tree.filter = undefined;
      tree.flush();
      await view.reveal(node, { select: true, focus: true, expand: false });
      return node.container.name;
    }),
    // Not contributed to the palette: lets integration tests read what the view shows.
    vscode.commands.registerCommand('bulkhead.containers.viewState', () => {
      // Report a settled view: no debounced update pending between the snapshots and the message.
      tree.flush();
      return {
        visible: view.visible,
        filter: tree.filter,
        selection: view.selection.map((n) => n.label),
        message: view.message,
        description: view.description,
        engines: tree.snapshots.map((s) => ({ host: s.target.host, status: s.status, problem: s.problem, updates: s.updates })),
        welcomeProblem: singleEngineProblem(tree.snapshots)?.kind,
        tree: describe(undefined, tree.snapshots, tree.filter),
      };
    }),
  );
  if (view.visible) tree.start();
}

interface DescribedNode {
  kind: string;
  label: string;
  description?: string;
  children?: DescribedNode[];
}

function describe(node: TreeNode | undefined, snapshots: Parameters<typeof childrenOf>[1], filter?: string): DescribedNode[] {
  return childrenOf(node, snapshots, filter).map((n) => {
    const described: DescribedNode = { kind: n.kind, label: n.label };
    if ('description' in n) described.description = n.description;
    const children = describe(n, snapshots, filter);
    if (children.length) described.children = children;
    return described;
  });
}
