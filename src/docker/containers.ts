import type Docker from 'dockerode';
import { checkContainer } from '../engine/lint';
import type { Finding, LintError, SeverityOverride } from '../engine/model';
import type { ContainerContext, ContainerInspect } from '../engine/runtime/container';
import { readLiveCapabilities, type LiveCapabilities } from './capabilities';
import { classifyEngineError, connectedEngineKind, type EngineTarget } from './connection';
import type { EngineKind } from '../engine/runtime/engine-defaults';
import { engineApi } from './engine-api';

/** Compose labels the engine keeps on containers that docker compose created. */
export interface ComposeLabels {
  project: string;
  service?: string;
  workingDir?: string;
  configFiles?: string[];
}

/** One container with what the engine and Bulkhead know about it. */
export interface ContainerAnalysis {
  id: string;
  /** Without the leading slash. */
  name: string;
  image: string;
  /** created | running | paused | restarting | removing | exited | dead */
  state: string;
  engine: string;
  compose?: ComposeLabels;
  inspect: ContainerInspect;
  findings: Finding[];
  errors: LintError[];
  /** The main process's real capability sets, when this machine can see it. */
  live?: LiveCapabilities;
}

export interface AnalyseOptions {
  severities?: Record<string, SeverityOverride>;
  /** Read /proc for running containers (only meaningful for engines on this machine). */
  readLive?: boolean;
  /** Inspect requests in flight at once. */
  concurrency?: number;
  /** Which engine runs the containers: rules judge defaults (capabilities, ulimits) against its own. */
  engineKind?: EngineKind;
}

/** Whether the engine's pids are this machine's: a unix socket here (not a VM's forwarded one). */
function engineIsLocal(target: EngineTarget): boolean {
  return process.platform === 'linux' && target.host.startsWith('unix://');
}

export function composeLabels(labels: Record<string, string> | null | undefined): ComposeLabels | undefined {
  const project = labels?.['com.docker.compose.project'];
  if (!project) return undefined;
  const files = labels['com.docker.compose.project.config_files'];
  return {
    project,
    service: labels['com.docker.compose.service'] || undefined,
    workingDir: labels['com.docker.compose.project.working_dir'] || undefined,
    configFiles: files ? files.split(',').map((f) => f.trim()).filter(Boolean) : undefined,
  };
}

/** Turns one inspect into an analysis; pure apart from the optional /proc read. */
export async function analyseInspect(inspect: ContainerInspect, engine: string, options: AnalyseOptions = {}): Promise<ContainerAnalysis> {
  const context: ContainerContext = { inspect, engineKind: options.engineKind };
  const result = checkContainer(context, { severities: options.severities });
  const live = options.readLive && inspect.State?.Running ? await readLiveCapabilities(inspect.State.Pid, inspect.Id) : undefined;
  return {
    id: inspect.Id,
    name: (inspect.Name ?? '').replace(/^\//, '') || inspect.Id.slice(0, 12),
    image: inspect.Config?.Image ?? '',
    state: inspect.State?.Status ?? 'unknown',
    engine,
    compose: composeLabels(inspect.Config?.Labels),
    inspect,
    findings: result.findings,
    errors: result.errors,
    ...(live ? { live } : {}),
  };
}

/** Runs `work` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  });
  await Promise.all(lanes);
  return out;
}

/**
 * Lists every container of an engine (running, paused, exited, created) and analyses each.
 * A container removed between list and inspect is skipped; one whose inspect fails otherwise
 * (HTTP 500, a malformed answer, its deadline) is reported with an error and the rest go on.
 * Errors reaching the engine for the list reject; callers turn them into states with classifyEngineError.
 */
export async function analyseEngine(client: Docker, target: EngineTarget, options: AnalyseOptions = {}): Promise<ContainerAnalysis[]> {
  const summaries = await engineApi.listContainers(client);
  const readLive = options.readLive ?? engineIsLocal(target);
  const engineKind = options.engineKind ?? connectedEngineKind(client);
  // Over ssh every request is a new ssh session: a few at a time, as sshd's MaxStartups expects.
  const limit = options.concurrency ?? (target.host.startsWith('ssh://') ? 4 : 256);
  const results = await mapLimited(summaries, limit, async (summary) => {
    let inspect: ContainerInspect;
    try {
      inspect = (await engineApi.inspectContainer(client, summary.Id)) as ContainerInspect;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      return inspectFailed(summary, target, e);
    }
    return analyseInspect(inspect, target.host, { ...options, readLive, engineKind });
  });
  return results.filter((r): r is ContainerAnalysis => r !== undefined).sort((a, b) => a.name.localeCompare(b.name));
}

/** A container the engine listed but would not describe: shown with the reason, no findings. */
function inspectFailed(summary: { Id: string; Names?: string[]; Image?: string; State?: string }, target: EngineTarget, err: unknown): ContainerAnalysis {
  const name = (Array.isArray(summary.Names) && typeof summary.Names[0] === 'string' ? summary.Names[0].replace(/^\//, '') : '') || summary.Id.slice(0, 12);
  return {
    id: summary.Id,
    name,
    image: typeof summary.Image === 'string' ? summary.Image : '',
    state: typeof summary.State === 'string' ? summary.State : 'unknown',
    engine: target.host,
    inspect: { Id: summary.Id, Name: `/${name}` },
    findings: [],
    errors: [{ message: `cannot inspect this container: ${classifyEngineError(err, target).message}` }],
  };
}
