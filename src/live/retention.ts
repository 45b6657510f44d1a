import type { ActivityPort, Clock } from '../domain/index.js';
import { PeriodicJob } from './periodic-job.js';

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
  private readonly job: PeriodicJob;

  constructor(private readonly options: ActivityRetentionOptions) {
    const label = options.label ?? 'activity';
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.job = new PeriodicJob({
      name: `${label} retention`,
      intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS,
      runOnStart: true,
      log: options.log,
      ...(options.claimTurn ? { claimTurn: options.claimTurn } : {}),
      begin: () => {
        const cutoff = options.clock.now() - options.retentionDays * DAY_MS;
        return {
          step: async () => {
            const deleted = await options.store.deleteActivityBefore(cutoff, batchSize);
            return { count: deleted, done: deleted < batchSize };
          },
          finish: (total) => {
            if (total > 0) options.log.info({ deleted: total, cutoff }, `${label} retention deleted old rows`);
          },
        };
      },
    });
  }

  /** Whether a retention period is configured at all. */
  get enabled(): boolean {
    return this.options.retentionDays > 0;
  }

  /**
   * Deletes everything older than the retention period as of now (if this instance has the turn)
   * and resolves with how many rows were deleted. A call while a run is in progress joins that
   * run. Rejects with the store's error if a batch fails (what was deleted before stays deleted).
   */
  runOnce(): Promise<number> {
    return this.enabled ? this.job.runOnce() : Promise.resolve(0);
  }

  /** Runs the job now and then every interval; does nothing when retention is off. */
  start(): void {
    if (this.enabled) this.job.start();
  }

  /** Stops the timer; a run in progress stops after its current batch. */
  stop(): Promise<void> {
    return this.job.stop();
  }
}
