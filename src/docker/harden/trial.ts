import { execFile, spawn } from 'node:child_process';
import { chmodSync, constants, existsSync, mkdtempSync, open as openFile, readFileSync, rmSync, write as writeFd, close as closeFd, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type Docker from 'dockerode';
import { parse, stringify } from 'yaml';
import { deriveHardening, type Control, type Derivation } from '../../engine/harden/derive';
import { hardeningEdits, hasHealthcheck, servicePorts } from '../../engine/harden/edits';
import type { Evidence } from '../../engine/harden/evidence';
import { splitCommand } from '../../engine/harden/container';
import { escapeInterpolation } from '../../engine/runtime/hardened';
import { bisectCulprit, controlsOf, deniedCalls, regressions, type RunOutcome } from '../../engine/harden/verify';
import { buildSeccompProfile, serializeSeccompProfile } from '../../engine/profile/seccomp';
import { parseStraceLog } from '../../engine/profile/strace';
import { applyEdits } from '../../engine/text';
import { withTimeout } from '../connection';
import { readTextFile, type FileSnapshot } from '../../workspace/readText';
import { observeContainer, straceProblem } from '../profile';
import { listeningPorts, probeHttp, scanRootfs, watchPeaks, type RootfsFacts } from './probe';

/**
 * The trial run behind `bulkhead harden`: the service as written, then hardened, each in a
 * throw-away compose project of its own (own name, own network, own volumes), traced with strace
 * from its first process on. Nothing of the user's project is touched; everything started is
 * removed afterwards, whatever happens.
 */

/** Label on everything a trial creates, with the trial's id. */
export const TRIAL_LABEL = 'io.bulkhead.harden';
const COMPOSE_CLI = existsSync('/usr/bin/docker-compose') ? '/usr/bin/docker-compose' : 'docker-compose';
/** A static shell from the host, mounted into the trial container to hold its first process until strace is attached. */
const HOST_BUSYBOX = '/bin/busybox';
const GATE_DIR = '/.bulkhead';
// The FIFO lives in a directory of its own (mounted read-only) so each run gets a fresh one.
const GATE_SCRIPT = `read _ < ${GATE_DIR}/gate-dir/gate; exec "$@"`;

/** What an observation may take beyond its seconds: the gate, strace attaching and detaching, on a loaded machine. */
const OBSERVATION_GRACE_MS = 180000;

/** How long the trial waits for the container's first process to wait on the gate. */
const GATE_DEADLINE_MS = 60000;

/** The trial probes the derived healthcheck at once and often, so a verdict comes in seconds (the written one keeps its own timing). */
const TRIAL_HEALTH_TIMING = { interval: '1s', start_period: '0s' };

export interface Exercise {
  argv: string[];
}

export interface HardenOptions {
  docker: Docker;
  composeFile: string;
  service: string;
  observeSeconds: number;
  exercise?: Exercise;
  signal?: AbortSignal;
  onProgress?(message: string): void;
  strace?: string;
  /**
   * false: the trial publishes no host ports (the user's container holds them while it runs);
   * the exercise reaches the trial at $BULKHEAD_TRIAL_HOST, the trial container's address.
   */
  publishPorts?: boolean;
}

export interface HardenReport {
  service: string;
  /** The value of TRIAL_LABEL on everything the trial created (empty before it started any). */
  trialId: string;
  derivation?: Derivation;
  /** The controls given up because the hardened service regressed with them, and why. */
  relaxed: { key: string; control: Control; why: string }[];
  verification: { baseline?: RunOutcome; hardened?: RunOutcome };
  verified: boolean;
  /** The user's compose file, and as hardened (what --write writes; seccompFile beside it). */
  originalText: string;
  /** The compose file as read: a write goes ahead only if it still looks so. */
  originalSnapshot?: FileSnapshot;
  hardenedText?: string;
  seccompFile: string;
  seccompText?: string;
  /** Runs made (baseline, hardened, bisection steps) and their wall time. */
  trials: number;
  error?: string;
  cancelled?: boolean;
}

class TrialError extends Error {}

interface RunResult {
  outcome: RunOutcome;
  trace: string;
  facts?: RootfsFacts;
  changes: Evidence['changes'];
  listeners: Evidence['listeners'];
  hostAddresses: string[];
  peakMemoryBytes?: number;
  peakPids?: number;
}

function run(cmd: string, args: string[], opts: { cwd?: string; timeoutMs: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise) => {
    execFile(cmd, args, { cwd: opts.cwd, timeout: opts.timeoutMs, signal: opts.signal, env: opts.env, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      // A non-zero exit has a numeric code; a timeout, a signal or a missing program has none.
      const code = !err ? 0 : typeof err.code === 'number' ? err.code : null;
      resolvePromise({ code, output: `${stdout}${stderr}`.slice(-8000) });
    });
  });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((r) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      r();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** The syscalls the gate makes before strace sees it (the hardened trial's profile must allow them; the written profile does not get them). */
async function gateSyscalls(strace: string, dir: string): Promise<string[]> {
  const log = join(dir, 'gate.strace');
  await run(strace, ['-f', '-qq', '-o', log, HOST_BUSYBOX, 'sh', '-c', 'read _ < /dev/null; exec "$@"', 'gate', HOST_BUSYBOX, 'true'], { timeoutMs: 20000 });
  try {
    return [...new Set(parseStraceLog(readFileSync(log, 'utf8')).calls.map((c) => c.name))];
  } catch {
    return [];
  }
}

/**
 * Observes the service, derives its hardening, proves it on a second run, and relaxes what broke it.
 * Never throws for expected problems: they come back in `error`.
 */
export async function hardenComposeService(options: HardenOptions): Promise<HardenReport> {
  const file = resolve(options.composeFile);
  const seccompFile = join(dirname(file), `${options.service}.seccomp.json`);
  const report: HardenReport = { service: options.service, trialId: '', relaxed: [], verification: {}, verified: false, originalText: '', seccompFile, trials: 0 };
  const read = readTextFile(file);
  if (!read.file) return { ...report, error: `cannot read ${options.composeFile}: ${read.error}` };
  if (!read.file.validUtf8) return { ...report, error: `${options.composeFile} is not UTF-8: not rewritten` };
  report.originalText = read.file.text;
  report.originalSnapshot = read.file.snapshot;
  const problem = await straceProblem(options.strace);
  if (problem) {
    return { ...report, error: `${problem}\nWithout strace and root, \`bulkhead lint\` and \`bulkhead fix\` still find and fix missing hardening settings in the compose file, but nothing is derived from what the service does, and nothing is verified.` };
  }
  if (!existsSync(HOST_BUSYBOX)) return { ...report, error: `${HOST_BUSYBOX} (a static busybox, Debian package busybox-static) is needed to trace the service from its first process on` };
  const trialId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  report.trialId = trialId;
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-harden-'));
  chmodSync(dir, 0o755);
  const projects: string[] = [];
  const downed = new Set<string>();
  const progress = (m: string) => options.onProgress?.(m);
  try {
    const config = await run(COMPOSE_CLI, ['-f', file, 'config'], { cwd: dirname(file), timeoutMs: 60000, signal: options.signal });
    if (config.code !== 0) throw new TrialError(`docker-compose cannot read ${basename(file)}: ${config.output.trim().split('\n').pop()}`);
    const resolved = parse(config.output) as { services?: Record<string, Record<string, unknown>> };
    const service = resolved.services?.[options.service];
    if (!service) throw new TrialError(`service "${options.service}" is not in ${basename(file)}`);
    const baseText = await trialCompose(options, service, trialId, dir);
    const gate = await gateSyscalls(options.strace ?? 'strace', dir);

    progress(`baseline: running ${options.service} as written for ${options.observeSeconds} s`);
    const baseProject = `bulkheadharden${trialId}base`;
    projects.push(baseProject);
    const baseline = await runTrial(options, baseProject, baseText, dir, true);
    report.trials++;
    report.verification.baseline = baseline.outcome;
    await down(baseProject, dir, downed);
    if (options.signal?.aborted) return { ...report, cancelled: true, error: 'cancelled' };
    if (baseline.outcome.error) throw new TrialError(`the service as written did not run: ${baseline.outcome.error}`);

    const evidence: Evidence = {
      service: options.service,
      image: String(service.image ?? ''),
      configuredUser: service.user !== undefined ? String(service.user) : ((await imageConfigUser(options.docker, String(service.image ?? ''))) ?? ''),
      imageUsers: baseline.facts?.users ?? [],
      trace: baseline.trace,
      setuidFiles: baseline.facts?.setuidFiles ?? [],
      changes: baseline.changes,
      prefilledDirs: baseline.facts?.nonEmptyDirs ?? [],
      listeners: baseline.listeners,
      hostAddresses: baseline.hostAddresses,
      ports: servicePorts(report.originalText, options.service),
      peakMemoryBytes: baseline.peakMemoryBytes,
      peakPids: baseline.peakPids,
      tools: baseline.facts?.tools ?? [],
      restarts: baseline.outcome.restarts,
      exitCode: baseline.outcome.exitCode ?? undefined,
      running: baseline.outcome.running,
      health: baseline.outcome.healthy === null ? undefined : baseline.outcome.healthy ? 'healthy' : 'unhealthy',
      observedSeconds: options.observeSeconds,
    };
    const derivation = deriveHardening(evidence, { seccompPath: `./${basename(seccompFile)}`, hasHealthcheck: hasHealthcheck(report.originalText, options.service) });
    report.derivation = derivation;
    report.seccompText = serializeSeccompProfile(derivation.profile.seccomp.profile);
    const trialProfile = join(dir, 'trial.seccomp.json');
    writeFileSync(trialProfile, serializeSeccompProfile(buildSeccompProfile([...derivation.profile.counts.keys()], { extra: gate }).profile));

    // Ports stay as written in the trials (docker-compose config writes them in long syntax, and the exercise may use them).
    let kept = controlsOf(derivation.changes).filter((c) => c !== 'ports');
    const hardenedTrial = (controls: Control[]) => {
      const changes = derivation.changes
        .filter((c) => controls.includes(c.control))
        .map((c) => (c.control === 'seccomp' ? { ...c, value: [`seccomp=${trialProfile}`] } : c.key === 'healthcheck' ? { ...c, value: { ...(c.value as object), ...TRIAL_HEALTH_TIMING } } : c));
      const volumes = changes.some((c) => c.key === 'volumes') ? derivation.namedVolumes : [];
      const { edits, error } = hardeningEdits(baseText, options.service, changes, volumes);
      if (error) throw new TrialError(error);
      return applyEdits(baseText, edits).text;
    };
    let attempt = 0;
    const tryControls = async (controls: Control[], what: string): Promise<RunResult> => {
      if (options.signal?.aborted) throw new TrialError('cancelled');
      const project = `bulkheadharden${trialId}h${attempt++}`;
      projects.push(project);
      progress(`${what}: ${controls.join(', ') || 'nothing'} for ${options.observeSeconds} s`);
      try {
        report.trials++;
        return await runTrial(options, project, hardenedTrial(controls), dir, false);
      } finally {
        await down(project, dir, downed);
      }
    };
    for (;;) {
      const hardened = await tryControls(kept, 'hardened run');
      if (options.signal?.aborted) return { ...report, cancelled: true, error: 'cancelled' };
      const why = regressions(baseline.outcome, hardened.outcome);
      report.verification.hardened = hardened.outcome;
      if (!why.length) break;
      progress(`  fails: ${why.join('; ')}`);
      if (!kept.length) throw new TrialError(`it behaves differently even without any change: ${why.join('; ')}`);
      // Bisect: the shortest failing prefix of the controls ends with the culprit.
      const culprit = await bisectCulprit(kept, async (subset) => {
        if (!subset.length) return false;
        const r = await tryControls(subset, 'bisecting');
        const worse = regressions(baseline.outcome, r.outcome);
        progress(worse.length ? `  fails: ${worse.join('; ')}` : '  passes');
        return worse.length > 0;
      });
      if (options.signal?.aborted) return { ...report, cancelled: true, error: 'cancelled' };
      const relaxed = culprit ?? kept[kept.length - 1];
      for (const key of new Set(derivation.changes.filter((c) => c.control === relaxed).map((c) => c.key))) report.relaxed.push({ key, control: relaxed, why: why.join('; ') });
      kept = kept.filter((c) => c !== relaxed);
    }
    const finalChanges = derivation.changes.filter((c) => !report.relaxed.some((r) => r.control === c.control));
    derivation.changes = finalChanges;
    if (!finalChanges.some((c) => c.control === 'seccomp')) report.seccompText = undefined;
    const { edits, error } = hardeningEdits(report.originalText, options.service, finalChanges, finalChanges.some((c) => c.key === 'volumes') ? derivation.namedVolumes : []);
    if (error) throw new TrialError(error);
    report.hardenedText = applyEdits(report.originalText, edits).text;
    report.verified = true;
    return report;
  } catch (e) {
    if (options.signal?.aborted) return { ...report, cancelled: true, error: 'cancelled' };
    if (e instanceof TrialError) return { ...report, error: e.message };
    return { ...report, error: `trial failed: ${(e as Error).message}` };
  } finally {
    // Those a cancel or an error left up (each `docker-compose down` costs seconds on a loaded machine).
    for (const project of projects) if (!downed.has(project)) await down(project, dir, downed);
    await removeLeftovers(options.docker, trialId, projects);
    // The image a `build:` service was built into for the trials (none when it has an image).
    await withTimeout(options.docker.getImage(builtImage(trialId, options.service)).remove({ force: true }), 60000, 'remove image').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What docker-compose names the image it builds for the trial's build project. */
const builtImage = (trialId: string, service: string) => `bulkheadharden${trialId}build_${service}`;

async function imageConfigUser(docker: Docker, image: string): Promise<string | undefined> {
  if (!image) return undefined;
  try {
    const info = (await withTimeout(docker.getImage(image).inspect(), 15000, 'image inspect')) as { Config?: { User?: string } };
    return info.Config?.User || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The trial project's compose file: only this service, from `docker-compose config` (paths
 * absolute, merges applied), without what ties it to the user's project (container_name,
 * depends_on, links, networks, external volumes), labelled, and with its first process held
 * by the gate until strace is attached.
 */
async function trialCompose(options: HardenOptions, source: Record<string, unknown>, trialId: string, dir: string): Promise<string> {
  const service: Record<string, unknown> = { ...source };
  for (const key of ['container_name', 'depends_on', 'links', 'networks', 'network_mode', 'external_links', 'extends']) delete service[key];
  if (options.publishPorts === false) delete service.ports;
  let entrypoint = service.entrypoint;
  let command = service.command;
  if (entrypoint === undefined || command === undefined) {
    const image = String(service.image ?? '');
    if (service.build !== undefined) {
      const built = await run(COMPOSE_CLI, ['-p', `bulkheadharden${trialId}build`, '-f', options.composeFile, 'build', options.service], { cwd: dirname(resolve(options.composeFile)), timeoutMs: 600000, signal: options.signal });
      if (built.code !== 0) throw new TrialError(`building ${options.service} failed: ${built.output.trim().split('\n').pop()}`);
    }
    const name = image || builtImage(trialId, options.service);
    let info: { Config?: { Entrypoint?: string[] | null; Cmd?: string[] | null } };
    try {
      info = (await withTimeout(options.docker.getImage(name).inspect(), 15000, 'image inspect')) as typeof info;
    } catch (e) {
      throw new TrialError(`cannot inspect image ${name}: ${(e as Error).message.split('\n')[0]}`);
    }
    if (!image) service.image = name;
    entrypoint ??= info.Config?.Entrypoint ?? [];
    // An entrypoint set in compose drops the image's CMD, as Docker does.
    if (command === undefined && source.entrypoint === undefined) command = info.Config?.Cmd ?? [];
  }
  const entry = typeof entrypoint === 'string' ? splitCommand(entrypoint) : ((entrypoint as string[] | undefined) ?? []);
  if (command !== undefined) service.command = typeof command === 'string' ? splitCommand(command) : command;
  delete service.build;
  service.volumes = [...((service.volumes as unknown[]) ?? []), `${HOST_BUSYBOX}:${GATE_DIR}/busybox:ro`, `${dir}/gate-dir:${GATE_DIR}/gate-dir:ro`];
  service.entrypoint = [`${GATE_DIR}/busybox`, 'sh', '-c', GATE_SCRIPT, 'bulkhead-gate', ...entry];
  const labels = Array.isArray(service.labels) ? Object.fromEntries((service.labels as string[]).map((l) => l.split(/=(.*)/s).slice(0, 2))) : { ...((service.labels as Record<string, string>) ?? {}) };
  service.labels = { ...labels, [TRIAL_LABEL]: trialId };
  if (service.restart === 'always' || service.restart === 'unless-stopped') service.restart = 'no';
  const volumes: Record<string, unknown> = {};
  for (const v of (service.volumes as unknown[]) ?? []) {
    const name = typeof v === 'string' ? v.split(':')[0] : (v as { source?: string; type?: string }).type === 'volume' ? (v as { source?: string }).source : undefined;
    if (name && !name.startsWith('/') && !name.startsWith('.')) volumes[name] = { labels: { [TRIAL_LABEL]: trialId } };
  }
  // `docker-compose config` prints values already interpolated: `$` must read as itself again.
  return stringify(escapeInterpolation({ version: '3.9', services: { [options.service]: service }, networks: { default: { labels: { [TRIAL_LABEL]: trialId } } }, ...(Object.keys(volumes).length ? { volumes } : {}) }));
}

async function down(project: string, dir: string, downed: Set<string>): Promise<void> {
  const file = join(dir, `${project}.yml`);
  if (!existsSync(file)) return;
  downed.add(project);
  await run(COMPOSE_CLI, ['-p', project, '-f', file, 'down', '-v', '--remove-orphans', '-t', '2'], { cwd: dir, timeoutMs: 120000 });
}

/** How long removal keeps retrying what the engine has not let go of yet (a slow unmount under load, a network with a container still detaching). */
const CLEANUP_DEADLINE_MS = 90000;

/**
 * Whatever a trial left behind (a crash of compose, a `down` that ran out of time): by the
 * trial's label, and by each project's label for the volumes the hardening added. Removal is
 * repeated until the engine lists nothing, bounded: a force-remove that outlasts its deadline
 * under load still has a container listed, and a network cannot go while a container is on it.
 */
async function removeLeftovers(docker: Docker, trialId: string, projects: readonly string[]): Promise<void> {
  const byTrial = JSON.stringify({ label: [`${TRIAL_LABEL}=${trialId}`] });
  const byProject = projects.map((project) => JSON.stringify({ label: [`com.docker.compose.project=${project}`] }));
  const until = Date.now() + CLEANUP_DEADLINE_MS;
  try {
    for (;;) {
      let left = 0;
      const containers = await withTimeout(docker.listContainers({ all: true, filters: byTrial }), 15000, 'list containers');
      left += containers.length;
      for (const c of containers) await withTimeout(docker.getContainer(c.Id).remove({ force: true, v: true }), 30000, 'remove container').catch(() => undefined);
      const networks = await withTimeout(docker.listNetworks({ filters: byTrial }), 15000, 'list networks');
      left += networks.length;
      for (const n of networks) await withTimeout(docker.getNetwork(n.Id).remove(), 30000, 'remove network').catch(() => undefined);
      for (const filters of [byTrial, ...byProject]) {
        const volumes = (await withTimeout(docker.listVolumes({ filters }), 15000, 'list volumes')).Volumes ?? [];
        left += volumes.length;
        for (const v of volumes) await withTimeout(docker.getVolume(v.Name).remove(), 30000, 'remove volume').catch(() => undefined);
      }
      if (!left || Date.now() > until) return;
      await sleep(500);
    }
  } catch {
    // The engine went away: nothing more can be removed from here.
  }
}

/** Opens the gate FIFO without blocking (ENXIO when the container is not waiting on it). */
function releaseGate(fifo: string): Promise<boolean> {
  return new Promise((r) => {
    openFile(fifo, constants.O_WRONLY | constants.O_NONBLOCK, (err, fd) => {
      if (err) return r(false);
      writeFd(fd, '\n', () => closeFd(fd, () => r(true)));
    });
  });
}

function tracerAttached(pid: number): boolean {
  try {
    return !/^TracerPid:\s*0$/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** One run of one compose text: up, trace from the first process, exercise, collect, and report. */
async function runTrial(options: HardenOptions, project: string, text: string, dir: string, baseline: boolean): Promise<RunResult> {
  const file = join(dir, `${project}.yml`);
  writeFileSync(file, text);
  const gateDir = join(dir, 'gate-dir');
  rmSync(gateDir, { recursive: true, force: true });
  await run('mkdir', ['-m', '755', gateDir], { timeoutMs: 10000 });
  await run('mkfifo', ['-m', '644', join(gateDir, 'gate'), join(gateDir, 'probe')], { timeoutMs: 10000 });
  const empty: RunResult = { outcome: { exitCode: null, running: false, healthy: null, restarts: 0, exerciseExitCode: null, listening: [], denied: [] }, trace: '', changes: [], listeners: [], hostAddresses: [] };
  // Not cancelled midway: a killed compose leaves the engine creating a container that a clean-up
  // listing may miss. `up -d` returns as soon as the container waits at the gate.
  const up = await run(COMPOSE_CLI, ['-p', project, '-f', file, 'up', '-d', '--no-deps', '--no-build', options.service], { cwd: dir, timeoutMs: 300000 });
  if (options.signal?.aborted) return { ...empty, outcome: { ...empty.outcome, error: 'cancelled' } };
  if (up.code !== 0) return { ...empty, outcome: { ...empty.outcome, error: `docker-compose up failed: ${up.output.trim().split('\n').slice(-2).join(' ')}` } };
  const filters = JSON.stringify({ label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${options.service}`] });
  const [summary] = await withTimeout(options.docker.listContainers({ all: true, filters }), 15000, 'list containers');
  if (!summary) return { ...empty, outcome: { ...empty.outcome, error: 'no container was created' } };
  const container = options.docker.getContainer(summary.Id);
  const first = (await withTimeout(container.inspect(), 15000, 'inspect')) as unknown as { State?: { Pid?: number }; NetworkSettings?: { Networks?: Record<string, { IPAddress?: string; Gateway?: string }> } };
  const pid = first.State?.Pid ?? 0;
  if (!pid) return { ...empty, outcome: { ...empty.outcome, error: 'the container did not start' } };
  const facts = baseline ? scanRootfs(pid) : undefined;
  const networks = Object.values(first.NetworkSettings?.Networks ?? {});
  const ip = networks.find((n) => n.IPAddress)?.IPAddress;
  const hostAddresses = networks.map((n) => n.Gateway).filter((g): g is string => !!g);

  const peaks = watchPeaks(summary.Id);
  // Listeners come and go (a server between two connections): the union over the run counts.
  const seenPorts = new Set<number>();
  const portSampler = setInterval(() => listeningPorts(pid).forEach((p) => seenPorts.add(p)), 250);
  const release = (async () => {
    const until = Date.now() + 15000;
    while (!tracerAttached(pid) && Date.now() < until && !options.signal?.aborted) await sleep(20);
    // The gate opens only once the container's shell waits on the FIFO, which a loaded machine
    // delays: retry until it does, the container is gone, or the deadline.
    const openUntil = Date.now() + GATE_DEADLINE_MS;
    let released = false;
    while (!(released = await releaseGate(join(gateDir, 'gate'))) && Date.now() < openUntil && !options.signal?.aborted && existsSync(`/proc/${pid}`)) await sleep(50);
    if (released) options.onProgress?.(`  ${project} started under strace`);
    return released;
  })();
  const activity = (async () => {
    if (!(await release)) return { listeners: [] as Evidence['listeners'], exerciseExitCode: null as number | null };
    const settle = Math.min(2000, (options.observeSeconds * 1000) / 3);
    await sleep(settle, options.signal);
    const ports = listeningPorts(pid);
    const listeners: Evidence['listeners'] = [];
    for (const port of ports) listeners.push({ port, ...(ip ? await probeHttp(ip, port) : { http: false }) });
    // Run the probe tools once inside, so the hardened profile allows the healthcheck's calls.
    if (baseline && facts && ports.length) {
      for (const tool of facts.tools) await execTraced(container, probeCommand(tool, ports[0]), join(gateDir, 'probe'));
    }
    let exerciseExitCode: number | null = null;
    if (options.exercise) {
      exerciseExitCode = await runExercise(options.exercise.argv, Math.max(30, options.observeSeconds) * 1000, ip ?? '', options.signal);
    }
    return { listeners, exerciseExitCode };
  })();
  // Bounded: a tracer stuck attaching to a `docker exec` that ended (seen once, 19 minutes) must not hold the trial.
  const observed: { error?: string; log?: string } = await Promise.race([
    observeContainer(options.docker, summary.Id, { seconds: options.observeSeconds, signal: options.signal, strace: options.strace, startAfter: release }),
    sleep(options.observeSeconds * 1000 + OBSERVATION_GRACE_MS).then(() => ({ error: `the observation did not end within ${options.observeSeconds} s + ${OBSERVATION_GRACE_MS / 1000} s (strace did not detach)` })),
  ]);
  const { listeners, exerciseExitCode } = await activity;
  const { peakMemoryBytes, peakPids } = peaks.stop();
  clearInterval(portSampler);
  if (observed.error && !observed.log) return { ...empty, outcome: { ...empty.outcome, error: observed.error } };
  // A service held at the gate the whole time looks like one that runs: that is no evidence.
  if (!(await release) && !options.signal?.aborted) return { ...empty, outcome: { ...empty.outcome, error: 'the service was never started: the gate holding its first process did not open' } };
  let state = (await withTimeout(container.inspect(), 15000, 'inspect')) as unknown as { State?: { Running?: boolean; ExitCode?: number; Health?: { Status?: string } }; RestartCount?: number };
  // A healthcheck needs its interval to judge: wait for a verdict, bounded.
  const healthUntil = Date.now() + 40000;
  while (state.State?.Running && state.State.Health?.Status === 'starting' && Date.now() < healthUntil && !options.signal?.aborted) {
    await sleep(500, options.signal);
    state = (await withTimeout(container.inspect(), 15000, 'inspect'));
  }
  if (state.State?.Running) listeningPorts(pid).forEach((p) => seenPorts.add(p));
  listeners.forEach((l) => seenPorts.add(l.port));
  const listening = [...seenPorts].sort((a, b) => a - b);
  const changes = ((await withTimeout(container.changes(), 30000, 'changes').catch(() => [])) ?? []) as { Path: string; Kind: 0 | 1 | 2 }[];
  const health = state.State?.Health?.Status;
  return {
    outcome: {
      exitCode: state.State?.Running ? null : (state.State?.ExitCode ?? null),
      running: !!state.State?.Running,
      healthy: health === undefined || health === 'none' ? null : health === 'healthy',
      restarts: state.RestartCount ?? 0,
      exerciseExitCode,
      listening,
      denied: deniedCalls(observed.log ?? ''),
    },
    trace: observed.log ?? '',
    facts,
    changes: changes.filter((c) => !c.Path.startsWith(GATE_DIR)).map((c) => ({ path: c.Path, kind: c.Kind })),
    listeners,
    hostAddresses,
    peakMemoryBytes,
    peakPids,
  };
}

/**
 * Runs the exercise on the host in a process group of its own, so a timeout or a cancel ends
 * everything it started (a shell's children too). Its exit code, or null when it was stopped.
 */
function runExercise(argv: string[], timeoutMs: number, trialHost: string, signal?: AbortSignal): Promise<number | null> {
  return new Promise((resolvePromise) => {
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: 'ignore', env: { ...process.env, BULKHEAD_TRIAL_HOST: trialHost } });
    const stop = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Ended already.
      }
    };
    const timer = setTimeout(stop, timeoutMs);
    signal?.addEventListener('abort', stop, { once: true });
    const done = (code: number | null) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      stop();
      resolvePromise(code);
    };
    child.on('error', () => done(null));
    child.on('exit', (code) => done(code));
  });
}

/** A probe of the kind a derived healthcheck runs, with `tool` against `port`. */
function probeCommand(tool: string, port: number): string[] {
  const url = `http://127.0.0.1:${port}/`;
  if (tool.endsWith('/nc')) return [tool, '-w', '1', '127.0.0.1', String(port)];
  if (tool.endsWith('/curl')) return [tool, '-s', '-o', '/dev/null', '-m', '2', url];
  return [tool, '-q', '-O', '/dev/null', '-T', '2', url];
}

/**
 * `docker exec` of a short command, held by a gate FIFO until strace traces it (the tracer finds
 * new processes of the container by rescanning, which a quick command would outrun).
 */
async function execTraced(container: Docker.Container, argv: string[], hostFifo: string): Promise<void> {
  try {
    const exec = await withTimeout(container.exec({ Cmd: [`${GATE_DIR}/busybox`, 'sh', '-c', `read _ < ${GATE_DIR}/gate-dir/probe; exec "$@"`, 'probe', ...argv], AttachStdout: true, AttachStderr: true }), 15000, 'exec');
    const stream = await withTimeout(exec.start({}), 15000, 'exec start');
    const ended = new Promise<void>((r) => (stream.on('end', () => r()), stream.on('error', () => r()), stream.resume()));
    const until = Date.now() + 10000;
    let pid = 0;
    while (!pid && Date.now() < until) {
      pid = ((await withTimeout(exec.inspect(), 15000, 'exec inspect')) as { Pid?: number }).Pid ?? 0;
      if (!pid) await sleep(20);
    }
    while (pid && !tracerAttached(pid) && Date.now() < until) await sleep(20);
    // Released in any case: an untraced probe only means its calls may be missing from the profile.
    while (!(await releaseGate(hostFifo)) && Date.now() < until) await sleep(20);
    await withTimeout(ended, 10000, 'exec');
  } catch {
    // A probe tool that does not run is no evidence either way.
  }
}
