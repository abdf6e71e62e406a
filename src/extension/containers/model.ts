// The Containers tree as plain data (no `vscode` import), so plain-Node tests can check exactly
// what the view shows. tree.ts turns these nodes into TreeItems.
import type { Finding, Severity } from '../../engine/model';
import { engineKey, engineLabel, type EngineProblem, type EngineTarget } from '../../docker/connection';
import type { ContainerAnalysis } from '../../docker/containers';
import { severitySummary, worstSeverity } from '../../engine/output/container-report';

/** What one engine looks like right now. */
export interface EngineSnapshot {
  target: EngineTarget;
  status: 'connecting' | 'ready' | 'problem';
  problem?: EngineProblem;
  version?: string;
  containers: ContainerAnalysis[];
  /** Live updates come from the event stream, or from a slow poll when events fail. */
  updates?: 'events' | 'poll';
}

export type TreeNode = EngineNode | ProblemNode | ConnectingNode | ProjectNode | ContainerNode | FindingNode | EmptyNode;

export interface EngineNode {
  kind: 'engine';
  id: string;
  label: string;
  description: string;
  snapshot: EngineSnapshot;
  worst?: Severity;
}
export interface ProblemNode {
  kind: 'problem';
  id: string;
  engine: string;
  label: string;
  description: string;
  problem: EngineProblem;
}
export interface ConnectingNode {
  kind: 'connecting';
  id: string;
  label: string;
}
export interface EmptyNode {
  kind: 'empty';
  id: string;
  label: string;
}
export interface ProjectNode {
  kind: 'project';
  id: string;
  engine: string;
  label: string;
  description: string;
  containers: ContainerAnalysis[];
  worst?: Severity;
}
export interface ContainerNode {
  kind: 'container';
  id: string;
  engine: string;
  label: string;
  description: string;
  worst?: Severity;
  container: ContainerAnalysis;
}
export interface FindingNode {
  kind: 'finding';
  id: string;
  label: string;
  description: string;
  finding: Finding;
  container: ContainerAnalysis;
}

function worstOf(containers: readonly ContainerAnalysis[]): Severity | undefined {
  return worstSeverity(containers.flatMap((c) => c.findings));
}

function containerNode(engine: string, c: ContainerAnalysis): ContainerNode {
  const counts = severitySummary(c.findings);
  return {
    kind: 'container',
    id: `${engine}/container/${c.id}`,
    engine,
    label: `${c.name} (${c.image})`,
    description: `${c.state} · ${counts || 'no findings'}`,
    worst: worstSeverity(c.findings),
    container: c,
  };
}

/** The problem the welcome view shows: only with a single engine (several show problem rows). */
export function singleEngineProblem(snapshots: readonly EngineSnapshot[]): EngineProblem | undefined {
  return snapshots.length === 1 && snapshots[0].status === 'problem' ? snapshots[0].problem : undefined;
}

/** A view filter: the containers whose name, image, state, compose project or finding rule ids contain the text. */
export function matchesFilter(c: ContainerAnalysis, filter: string | undefined): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [c.name, c.image, c.state, c.compose?.project ?? '', ...c.findings.map((f) => f.ruleId)].some((v) => v.toLowerCase().includes(needle));
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const rankOf = (worst: Severity | undefined) => (worst ? SEVERITY_RANK[worst] : 3);
/** Worst first (error, warning, info, clean), then by name. */
const bySeverity = (a: { worst?: Severity; label: string }, b: { worst?: Severity; label: string }) => rankOf(a.worst) - rankOf(b.worst) || a.label.localeCompare(b.label);

/** Top level: the engine's content when there is one engine, else one node per engine. */
export function rootNodes(snapshots: readonly EngineSnapshot[], filter?: string): TreeNode[] {
  // A lone engine in trouble leaves the tree empty: the view's welcome content explains the state
  // with Retry and Show Log buttons (package.json viewsWelcome, keyed by bulkhead.engineState).
  if (snapshots.length === 1 && singleEngineProblem(snapshots)) return [];
  if (snapshots.length === 1) return engineChildren(snapshots[0], filter);
  return snapshots.map((s) => {
    const id = engineKey(s.target);
    const description =
      s.status === 'problem' ? (s.problem?.kind ?? 'problem') : s.status === 'connecting' ? 'connecting…' : `${s.containers.length} container(s)${s.version ? ` · Docker ${s.version}` : ''}`;
    return { kind: 'engine', id: `engine/${id}`, label: engineLabel(s.target), description, snapshot: s, worst: worstOf(s.containers) };
  });
}

/** Short enough for a tree row; the full message and the fix are in the tooltip and the view message. */
const PROBLEM_TITLES: Record<EngineProblem['kind'], string> = {
  notRunning: 'Docker engine not running',
  permissionDenied: 'Permission denied on the Docker socket',
  tls: 'TLS failure connecting to the engine',
  timeout: 'The engine did not answer in time',
  badAddress: 'The engine address cannot be used',
  error: 'The engine returned an error',
};

/** An engine's content: its problem, or compose project groups first, then standalone containers; each worst first. */
function engineChildren(s: EngineSnapshot, filter?: string): TreeNode[] {
  const engine = engineKey(s.target);
  if (s.status === 'problem' && s.problem) {
    return [{ kind: 'problem', id: `${engine}/problem`, engine, label: PROBLEM_TITLES[s.problem.kind], description: 'click to retry', problem: s.problem }];
  }
  if (s.status === 'connecting' && !s.containers.length) return [{ kind: 'connecting', id: `${engine}/connecting`, label: `Connecting to ${s.target.host}…` }];
  if (!s.containers.length) return [{ kind: 'empty', id: `${engine}/empty`, label: `No containers on ${s.target.host}` }];
  const shown = s.containers.filter((c) => matchesFilter(c, filter));
  if (!shown.length) return [{ kind: 'empty', id: `${engine}/empty`, label: `No container matches "${filter}"` }];
  const projects = new Map<string, ContainerAnalysis[]>();
  const standalone: ContainerAnalysis[] = [];
  for (const c of shown) {
    if (c.compose) {
      const list = projects.get(c.compose.project) ?? [];
      list.push(c);
      projects.set(c.compose.project, list);
    } else standalone.push(c);
  }
  const groups: ProjectNode[] = [...projects.entries()]
    .map(([project, containers]) => {
      const summary = severitySummary(containers.flatMap((c) => c.findings));
      return {
        kind: 'project',
        id: `${engine}/project/${project}`,
        engine,
        label: project,
        description: `compose · ${containers.length} container(s)${summary ? ` · ${summary}` : ''}`,
        containers,
        worst: worstOf(containers),
      } satisfies ProjectNode;
    })
    .sort(bySeverity);
  return [...groups, ...standalone.map((c) => containerNode(engine, c)).sort(bySeverity)];
}

/** A container's findings, worst first. */
function findingNodes(c: ContainerAnalysis, engine: string): FindingNode[] {
  const ordered = [...c.findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.ruleId.localeCompare(b.ruleId));
  return ordered.map((f, i) => ({
    kind: 'finding',
    id: `${engine}/container/${c.id}/finding/${i}/${f.ruleId}`,
    label: f.message,
    description: f.ruleId,
    finding: f,
    container: c,
  }));
}

/** Children of any node (what the TreeDataProvider returns). */
export function childrenOf(node: TreeNode | undefined, snapshots: readonly EngineSnapshot[], filter?: string): TreeNode[] {
  if (!node) return rootNodes(snapshots, filter);
  switch (node.kind) {
    case 'engine':
      return engineChildren(node.snapshot, filter);
    case 'project':
      return node.containers.map((c) => containerNode(node.engine, c)).sort(bySeverity);
    case 'container':
      return findingNodes(node.container, node.engine);
    default:
      return [];
  }
}

/** The node whose children include `node` (TreeView.reveal walks up with it). */
export function parentOf(node: TreeNode, snapshots: readonly EngineSnapshot[], filter?: string): TreeNode | undefined {
  const walk = (parent: TreeNode | undefined): TreeNode | undefined => {
    for (const child of childrenOf(parent, snapshots, filter)) {
      if (child.id === node.id) return parent ?? undefined;
      if (child.kind === 'engine' || child.kind === 'project' || (child.kind === 'container' && node.kind === 'finding')) {
        const found = walk(child);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(undefined);
}

/** Every container node reachable in the tree (for tests and the quick pick). */
export function allContainerNodes(snapshots: readonly EngineSnapshot[]): ContainerNode[] {
  const out: ContainerNode[] = [];
  const walk = (nodes: TreeNode[]) => {
    for (const n of nodes) {
      if (n.kind === 'container') out.push(n);
      if (n.kind === 'engine' || n.kind === 'project') walk(childrenOf(n, snapshots));
    }
  };
  walk(rootNodes(snapshots));
  return out;
}
