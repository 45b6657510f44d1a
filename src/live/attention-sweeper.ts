import type { AttentionItem, Store } from '../domain/index.js';

/**
 * Decides whether this instance runs the sweep now. With one instance it always does; a
 * deployment of several instances supplies one that lets a single instance per cluster run it
 * (a lease in the database), so the sweep's work is not done once per instance.
 */
export interface SweepLease {
  tryAcquire(): Promise<boolean>;
}

/** The lease of a single instance: always this one. */
export const SOLE_INSTANCE: SweepLease = { tryAcquire: async () => true };

export interface AttentionSweeperLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AttentionSweeperOptions {
  readonly store: Pick<Store, 'sweepAttention'>;
  /** Called with every item a run opened or resolved (the live stream publishes them). */
  readonly onChange: (item: AttentionItem) => void;
  readonly log: AttentionSweeperLog;
  readonly lease?: SweepLease;
  /** Rows each rule reads per batch; each batch is one short write. */
  readonly batchSize?: number;
  /** At most this many batches per run, so a backlog is worked off over several runs. */
  readonly maxBatchesPerRun?: number;
  readonly intervalMs?: number;
}

export const DEFAULT_SWEEP_BATCH = 100;
export const DEFAULT_SWEEP_BATCHES_PER_RUN = 50;
export const DEFAULT_SWEEP_INTERVAL_MS = 30_000;

/**
 * Runs the attention rules that depend on time passing (a chapter stuck too long, a reader
 * inactive too long) every interval. Each run does bounded batches and yields to the event loop
 * between them; the store reads only what crossed a threshold since the last run.
 */
export class AttentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopping = false;

  constructor(private readonly options: AttentionSweeperOptions) {}

  /** One run now; resolves with how many items changed. A call during a run joins it. */
  runOnce(): Promise<number> {
    if (this.running) return this.running;
    this.stopping = false;
    this.running = this.sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  start(): void {
    if (this.timer) return;
    const run = () => {
      this.runOnce().catch((error: unknown) => this.options.log.error({ err: error }, 'attention sweep failed; will retry'));
    };
    this.timer = setInterval(run, this.options.intervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
    this.timer.unref();
    setImmediate(run);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }

  private async sweep(): Promise<number> {
    if (!(await (this.options.lease ?? SOLE_INSTANCE).tryAcquire())) return 0;
    const batch = this.options.batchSize ?? DEFAULT_SWEEP_BATCH;
    const maxBatches = this.options.maxBatchesPerRun ?? DEFAULT_SWEEP_BATCHES_PER_RUN;
    let changed = 0;
    for (let i = 0; i < maxBatches && !this.stopping; i += 1) {
      const result = await this.options.store.sweepAttention(batch);
      for (const item of result.changed) this.options.onChange(item);
      changed += result.changed.length;
      if (result.done) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (changed > 0) this.options.log.info({ changed }, 'attention sweep changed items');
    return changed;
  }
}
