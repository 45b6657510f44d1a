import type { ActivityPort, Clock } from '../domain/index.js';

const DAY_MS = 86_400_000;

export interface ActivityRetentionLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ActivityRetentionOptions {
  readonly store: Pick<ActivityPort, 'deleteActivityBefore'>;
  readonly clock: Clock;
  /** Activity older than this many days is deleted; 0 keeps it forever (the job never runs). */
  readonly retentionDays: number;
  readonly log: ActivityRetentionLog;
  /** Rows per delete; each batch is one short write in the group-commit queue. */
  readonly batchSize?: number;
  /** How often start() runs the job. */
  readonly intervalMs?: number;
  /**
   * With several instances: whether this one takes this interval's turn (true for one of them),
   * so the job runs once per interval across the cluster rather than once per instance.
   */
  readonly claimTurn?: (intervalMs: number) => Promise<boolean>;
  /** What the rows are, for log lines; "activity" unless given (the access log reuses this job). */
  readonly label?: string;
}

const DEFAULT_BATCH_SIZE = 1_000;
const DEFAULT_INTERVAL_MS = 3_600_000;

/**
 * Deletes activity older than the retention period. A run deletes in small batches and yields
 * to the event loop between them, so a large backlog (the first run after enabling retention)
 * never holds the write lock or the event loop for long: requests' writes commit in between.
 */
export class ActivityRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopping = false;

  constructor(private readonly options: ActivityRetentionOptions) {}

  private get label(): string {
    return this.options.label ?? 'activity';
  }

  /** Whether a retention period is configured at all. */
  get enabled(): boolean {
    return this.options.retentionDays > 0;
  }

  /**
   * Deletes everything older than the retention period as of now and resolves with how many
   * events were deleted. A call while a run is in progress joins that run. Rejects with the
   * store's error if a batch fails (what was deleted before stays deleted).
   */
  runOnce(): Promise<number> {
    if (!this.enabled) return Promise.resolve(0);
    if (this.running) return this.running;
    this.stopping = false;
    this.running = this.deleteExpired().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Runs the job now and then every interval; does nothing when retention is off. */
  start(): void {
    if (!this.enabled || this.timer) return;
    const intervalMs = this.options.intervalMs ?? DEFAULT_INTERVAL_MS;
    const claim = this.options.claimTurn ?? (() => Promise.resolve(true));
    const run = () => {
      claim(intervalMs)
        .then((mine) => (mine ? this.runOnce() : 0))
        .catch((error: unknown) => this.options.log.error({ err: error }, `${this.label} retention failed; will retry`));
    };
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
    setImmediate(run);
  }

  /** Stops the timer; a run in progress stops after its current batch. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }

  private async deleteExpired(): Promise<number> {
    const batchSize = this.options.batchSize ?? DEFAULT_BATCH_SIZE;
    const cutoff = this.options.clock.now() - this.options.retentionDays * DAY_MS;
    let total = 0;
    for (;;) {
      const deleted = await this.options.store.deleteActivityBefore(cutoff, batchSize);
      total += deleted;
      if (deleted < batchSize || this.stopping) break;
      // Let requests (and their writes) run before the next batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (total > 0) this.options.log.info({ deleted: total, cutoff }, `${this.label} retention deleted old rows`);
    return total;
  }
}
