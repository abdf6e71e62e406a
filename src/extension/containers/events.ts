// Keeps one engine's snapshot current (no `vscode` import: plain-Node tests drive it against real
// engines). Live updates come from the engine's event stream, debounced; when the stream breaks it
// reconnects with backoff; a slow poll is used only while events cannot be had.
import type Docker from 'dockerode';
import { classifyEngineError, connectEngine, createClient, type EngineTarget } from '../../docker/connection';
import { analyseEngine, type AnalyseOptions } from '../../docker/containers';
import { engineEvents, EngineResponseTooLarge } from '../../docker/engine-api';
import type { EngineSnapshot } from './model';

export interface WatcherTiming {
  /** Quiet time after the last event before re-reading containers. */
  debounceMs: number;
  /** First reconnect delay; doubles up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Poll interval used only while the event stream cannot be opened. */
  pollMs: number;
  requestTimeoutMs: number;
}

export const DEFAULT_TIMING: WatcherTiming = { debounceMs: 400, backoffMs: 1000, maxBackoffMs: 10000, pollMs: 30000, requestTimeoutMs: 10000 };

interface EventStream {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  destroy?(): void;
  removeAllListeners?(): void;
}

export class EngineWatcher {
  private snapshotValue: EngineSnapshot;
  private client: Docker | undefined;
  private stream: EventStream | undefined;
  private running = false;
  private generation = 0;
  private debounceTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private backoff: number;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;

  constructor(
    readonly target: EngineTarget,
    private readonly onChange: (snapshot: EngineSnapshot) => void,
    private readonly analyse: () => AnalyseOptions = () => ({}),
    private readonly timing: WatcherTiming = DEFAULT_TIMING,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.snapshotValue = { target, status: 'connecting', containers: [] };
    this.backoff = timing.backoffMs;
  }

  get snapshot(): EngineSnapshot {
    return this.snapshotValue;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Connects, reads every container, and follows events until stop(). Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  /** Closes the stream and timers (view hidden); the last snapshot stays for when it comes back. */
  stop(): void {
    this.running = false;
    this.generation++;
    this.closeStream();
    for (const t of [this.debounceTimer, this.retryTimer, this.pollTimer]) if (t) clearTimeout(t);
    this.debounceTimer = this.retryTimer = this.pollTimer = undefined;
  }

  /** Retry now (the user asked): resets the backoff and reconnects. */
  retry(): void {
    this.stop();
    this.backoff = this.timing.backoffMs;
    this.set({ status: 'connecting', problem: undefined });
    this.start();
  }

  /** Re-reads the containers now (Refresh command); reconnects first when the engine was down. */
  async refresh(): Promise<void> {
    if (!this.running) this.start();
    if (this.snapshotValue.status !== 'ready') {
      this.retry();
      return this.waitSettled();
    }
    await this.reload();
  }

  /** Resolves once the current connect/reload work is done (tests, commands awaiting fresh data). */
  async waitSettled(): Promise<void> {
    for (let i = 0; i < 200 && (this.refreshing || this.snapshotValue.status === 'connecting'); i++) {
      await (this.refreshing ?? new Promise((r) => setTimeout(r, 50)));
    }
  }

  private set(snapshot: Partial<EngineSnapshot>): void {
    this.snapshotValue = { ...this.snapshotValue, ...snapshot };
    this.onChange(this.snapshotValue);
  }

  private async connect(): Promise<void> {
    const generation = this.generation;
    const connection = await connectEngine(this.target, this.timing.requestTimeoutMs);
    if (generation !== this.generation) return;
    if (!connection.ok) {
      this.log(`engine ${this.target.host}: ${connection.problem.message}`);
      this.set({ status: 'problem', problem: connection.problem, containers: [] });
      this.scheduleReconnect();
      return;
    }
    this.client = connection.client;
    this.set({ version: connection.version });
    await this.reload();
    if (generation !== this.generation || this.snapshotValue.status !== 'ready') return;
    this.backoff = this.timing.backoffMs;
    await this.follow(generation);
  }

  private async reload(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    const generation = this.generation;
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        try {
          if (!this.client) throw new Error('not connected');
          const containers = await analyseEngine(this.client, this.target, this.analyse());
          if (generation !== this.generation) return;
          this.set({ status: 'ready', problem: undefined, containers });
        } catch (e) {
          if (generation !== this.generation) return;
          const problem = classifyEngineError(e, this.target);
          this.log(`engine ${this.target.host}: ${problem.message}`);
          this.set({ status: 'problem', problem, containers: [] });
          this.closeStream();
          this.scheduleReconnect();
          return;
        }
      } while (this.refreshAgain);
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async follow(generation: number): Promise<void> {
    let stream: EventStream;
    try {
      // Events are a long-lived stream: a client without the idle timeout of ordinary requests.
      const eventsClient = createClient(this.target, { timeoutMs: 0 });
      stream = await engineEvents(eventsClient, { filters: JSON.stringify({ type: ['container'] }) }, { deadlineMs: this.timing.requestTimeoutMs });
    } catch (e) {
      if (generation !== this.generation) return;
      this.log(`engine ${this.target.host}: events unavailable (${(e as Error).message}); polling every ${this.timing.pollMs / 1000} s`);
      this.set({ updates: 'poll' });
      this.schedulePoll(generation);
      return;
    }
    if (generation !== this.generation) {
      stream.destroy?.();
      return;
    }
    this.stream = stream;
    this.set({ updates: 'events' });
    stream.on('data', () => this.scheduleReload());
    const broken = (why: string) => {
      if (generation !== this.generation || this.stream !== stream) return;
      this.log(`engine ${this.target.host}: event stream ${why}; reconnecting`);
      this.closeStream();
      // The engine may have gone: a reconnect either finds it again or shows the problem.
      this.set({ status: 'connecting' });
      this.scheduleReconnect(0);
    };
    stream.on('error', (e) => {
      if (!(e instanceof EngineResponseTooLarge)) return broken(`failed (${(e as Error).message})`);
      // A broken or hostile engine: reconnecting would only read the same again. Poll instead.
      if (generation !== this.generation || this.stream !== stream) return;
      this.log(`engine ${this.target.host}: ${e.message}; polling every ${this.timing.pollMs / 1000} s`);
      this.closeStream();
      this.set({ updates: 'poll' });
      this.schedulePoll(generation);
    });
    stream.on('end', () => broken('ended'));
    stream.on('close', () => broken('closed'));
  }

  private scheduleReload(): void {
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      void this.reload();
    }, this.timing.debounceMs);
  }

  private schedulePoll(generation: number): void {
    this.pollTimer = setTimeout(async () => {
      if (generation !== this.generation) return;
      await this.reload();
      if (generation !== this.generation || this.snapshotValue.status !== 'ready') return;
      // Try events again on every poll: the fallback lasts only while they fail.
      await this.follow(generation);
    }, this.timing.pollMs);
  }

  private scheduleReconnect(delay = this.backoff): void {
    if (!this.running) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const generation = ++this.generation;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (generation === this.generation && this.running) void this.connect();
    }, delay);
    if (delay) this.backoff = Math.min(this.backoff * 2, this.timing.maxBackoffMs);
  }

  private closeStream(): void {
    const stream = this.stream;
    this.stream = undefined;
    if (!stream) return;
    stream.removeAllListeners?.();
    stream.on('error', () => undefined);
    stream.destroy?.();
  }
}
