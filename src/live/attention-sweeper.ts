import type { AttentionItem, AttentionPort } from '../domain/index.js';

export interface AttentionSweeperLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AttentionSweeperOptions {
  readonly store: Pick<AttentionPort, 'sweepAttention'>;
  /** Called with every item a run opened or resolved (the live stream publishes them). */
  readonly onChange: (item: AttentionItem) => void;
  readonly log: AttentionSweeperLog;
  /**
   * With several instances: whether this one takes this interval's turn (true for one of them),
   * so the sweep runs once per interval across the cluster, as the retention jobs do.
   */
  readonly claimTurn?: (intervalMs: number) => Promise<boolean>;
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

  private get intervalMs(): number {
    return this.options.intervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  }

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
    this.timer = setInterval(run, this.intervalMs);
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
    if (this.options.claimTurn && !(await this.options.claimTurn(this.intervalMs))) return 0;
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
