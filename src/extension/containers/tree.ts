import * as vscode from 'vscode';
import type { Severity } from '../../engine/model';
import { ruleMeta } from '../../engine/registry';
import { engineKey, type EngineTarget } from '../../docker/connection';
import type { ContainerAnalysis } from '../../docker/containers';
import { escapeMarkdown } from '../../engine/output/escape';
import { securitySummary, severitySummary } from '../../engine/output/container-report';
import type { AnalyseOptions } from '../../docker/containers';
import { EngineWatcher, DEFAULT_TIMING } from './events';
import { childrenOf, parentOf, type EngineSnapshot, type TreeNode } from './model';

const SEVERITY_ICON: Record<Severity, [string, string]> = {
  error: ['error', 'problemsErrorIcon.foreground'],
  warning: ['warning', 'problemsWarningIcon.foreground'],
  info: ['info', 'problemsInfoIcon.foreground'],
};

function severityIcon(worst: Severity | undefined, clean = 'pass'): vscode.ThemeIcon {
  if (!worst) return new vscode.ThemeIcon(clean, new vscode.ThemeColor('testing.iconPassed'));
  const [icon, color] = SEVERITY_ICON[worst];
  return new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
}

/** A container's state as the Container Tools view draws it (shape), coloured by its worst finding. */
const STATE_ICON: Record<string, string> = { running: 'debug-start', paused: 'debug-pause', restarting: 'debug-restart', exited: 'debug-stop', dead: 'debug-stop', created: 'circle-large-outline', removing: 'trash' };

function containerIcon(state: string, worst: Severity | undefined): vscode.ThemeIcon {
  const color = worst ? SEVERITY_ICON[worst][1] : 'testing.iconPassed';
  return new vscode.ThemeIcon(STATE_ICON[state] ?? 'circle-large-outline', new vscode.ThemeColor(color));
}

/** The tooltip of a container: a summary of its confinement, every Docker string escaped. */
function containerTooltip(c: ContainerAnalysis): vscode.MarkdownString {
  // No theme icons: a container named "$(zap)" must stay text.
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown(`**${escapeMarkdown(c.name)}**  \n${escapeMarkdown(c.image)} · ${escapeMarkdown(c.state)}${c.findings.length ? ` · ${severitySummary(c.findings)}` : ''}\n\n`);
  for (const [k, v] of securitySummary(c)) md.appendMarkdown(`- ${k}: ${escapeMarkdown(v)}\n`);
  return md;
}

/**
 * Owns the engines' watchers and serves the tree. Watchers start when the view becomes visible
 * (or a command needs data) and stop when it is hidden, so a closed view costs nothing.
 */
export class ContainersTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private watchers: EngineWatcher[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly stateListeners = new Set<() => void>();

  constructor(
    private readonly engines: () => EngineTarget[],
    private readonly analyseOptions: () => AnalyseOptions,
    private readonly log: vscode.LogOutputChannel,
    /** Whether the view is on screen: only then do watchers keep following the engines. */
    private readonly visible: () => boolean = () => true,
  ) {}

  get snapshots(): EngineSnapshot[] {
    return this.watchers.map((w) => w.snapshot);
  }

  /** Calls back on every snapshot change (view message, context keys, tests). */
  onState(listener: () => void): vscode.Disposable {
    this.stateListeners.add(listener);
    return new vscode.Disposable(() => this.stateListeners.delete(listener));
  }

  /** (Re)creates watchers for the configured engines, keeping those that did not change. */
  private ensureWatchers(): void {
    const targets = this.engines();
    const keys = targets.map((t) => `${engineKey(t)}|${t.source}|${t.resolutionError ?? ''}`);
    const current = this.watchers.map((w) => `${engineKey(w.target)}|${w.target.source}|${w.target.resolutionError ?? ''}`);
    if (keys.join('\n') === current.join('\n')) return;
    const kept = new Map(this.watchers.map((w, i) => [current[i], w]));
    const next = targets.map((t, i) => {
      const existing = kept.get(keys[i]);
      if (existing) {
        kept.delete(keys[i]);
        return existing;
      }
      return new EngineWatcher(t, () => this.fire(), this.analyseOptions, DEFAULT_TIMING, (m) => this.log.info(m));
    });
    for (const w of kept.values()) w.stop();
    this.watchers = next;
  }

  /** Starts following the engines (view visible or a command needs containers). */
  start(): void {
    this.ensureWatchers();
    for (const w of this.watchers) w.start();
    this.fire();
  }

  stop(): void {
    for (const w of this.watchers) w.stop();
  }

  /** Engines changed in settings: rebuild and, if running, start the new ones. */
  reconfigure(running: boolean): void {
    this.ensureWatchers();
    if (running) for (const w of this.watchers) w.start();
    this.fire();
  }

  async refresh(): Promise<void> {
    this.ensureWatchers();
    await Promise.all(this.watchers.map((w) => w.refresh()));
    this.stopUnlessVisible();
    this.fire();
  }

  /** A command read fresh data with the view hidden: stop following until the view is shown. */
  private stopUnlessVisible(): void {
    if (!this.visible()) this.stop();
  }

  retry(engine?: string): void {
    for (const w of this.watchers) if (!engine || engineKey(w.target) === engine) w.retry();
  }

  /** Fresh data for commands: starts watchers if needed and waits for the first read. */
  async settled(): Promise<EngineSnapshot[]> {
    this.start();
    await Promise.all(this.watchers.map((w) => w.waitSettled()));
    this.stopUnlessVisible();
    return this.snapshots;
  }

  private fire(): void {
    // Events arrive in bursts (start = create, attach, start…); one tree update per burst.
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => this.flush(), 50);
  }

  /** Delivers a pending update now, so what the view shows matches `snapshots`. */
  flush(): void {
    if (!this.refreshTimer) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    this.changed.fire(undefined);
    for (const l of this.stateListeners) l();
  }

  /** The view's filter text (bulkhead.containers.filter); undefined shows every container. */
  get filter(): string | undefined {
    return this.filterText;
  }
  set filter(text: string | undefined) {
    this.filterText = text?.trim() || undefined;
    this.changed.fire(undefined);
    for (const l of this.stateListeners) l();
  }
  private filterText: string | undefined;

  getChildren(node?: TreeNode): TreeNode[] {
    return childrenOf(node, this.snapshots, this.filterText);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return parentOf(node, this.snapshots, this.filterText);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    const none = vscode.TreeItemCollapsibleState.None;
    switch (node.kind) {
      case 'engine': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        item.description = node.description;
        item.contextValue = node.snapshot.status === 'problem' ? 'engine.problem' : 'engine';
        item.iconPath = node.snapshot.status === 'problem' ? new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('problemsErrorIcon.foreground')) : new vscode.ThemeIcon('server-environment');
        item.tooltip = `${node.snapshot.target.host} (${node.snapshot.target.source})`;
        return item;
      }
      case 'problem': {
        const item = new vscode.TreeItem(node.label, none);
        item.id = node.id;
        item.description = node.description;
        item.contextValue = 'problem';
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
        const md = new vscode.MarkdownString();
        md.appendText(node.problem.message);
        if (node.problem.hint) md.appendMarkdown('\n\n').appendText(node.problem.hint);
        item.tooltip = md;
        item.command = { command: 'bulkhead.containers.retry', title: 'Retry', arguments: [node] };
        return item;
      }
      case 'connecting':
      case 'empty': {
        const item = new vscode.TreeItem(node.label, none);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.kind === 'connecting' ? 'loading~spin' : 'info');
        return item;
      }
      case 'project': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        item.description = node.description;
        item.contextValue = 'project';
        item.iconPath = severityIcon(node.worst, 'layers');
        return item;
      }
      case 'container': {
        const item = new vscode.TreeItem(node.label, node.container.findings.length ? collapsed : none);
        item.id = node.id;
        item.description = node.description;
        item.contextValue = node.container.compose?.configFiles?.length ? 'container.compose' : 'container';
        item.iconPath = containerIcon(node.container.state, node.worst);
        item.tooltip = containerTooltip(node.container);
        return item;
      }
      case 'finding': {
        const item = new vscode.TreeItem(node.label, none);
        item.id = node.id;
        item.description = node.description;
        item.contextValue = 'finding';
        item.iconPath = severityIcon(node.finding.severity);
        const meta = ruleMeta(node.finding.ruleId);
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**${escapeMarkdown(meta?.title ?? node.finding.ruleId)}** \`${node.finding.ruleId}\`${meta?.refs.cis?.length ? ` · CIS ${meta.refs.cis.join(', ')}` : ''}\n\n`);
        if (node.finding.evidence) md.appendMarkdown(`Evidence: ${escapeMarkdown(node.finding.evidence)}\n\n`);
        if (meta?.remediation) md.appendMarkdown(meta.remediation);
        item.tooltip = md;
        // Clicking a finding explains its rule (the linting feature's documentation view).
        item.command = { command: 'bulkhead.showRuleDocs', title: 'Show Rule Documentation', arguments: [node.finding.ruleId] };
        return item;
      }
    }
  }

  dispose(): void {
    this.stop();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.changed.dispose();
  }
}
