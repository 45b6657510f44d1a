import type { AttentionItem, AttentionPort } from '../domain/index.js';
import { PeriodicJob } from './periodic-job.js';

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
  private readonly job: PeriodicJob;

  constructor(options: AttentionSweeperOptions) {
    const batch = options.batchSize ?? DEFAULT_SWEEP_BATCH;
    this.job = new PeriodicJob({
      name: 'attention sweep',
      intervalMs: options.intervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
      runOnStart: true,
      maxStepsPerRun: options.maxBatchesPerRun ?? DEFAULT_SWEEP_BATCHES_PER_RUN,
      log: options.log,
      ...(options.claimTurn ? { claimTurn: options.claimTurn } : {}),
      begin: () => ({
        step: async () => {
          const result = await options.store.sweepAttention(batch);
          for (const item of result.changed) options.onChange(item);
          return { count: result.changed.length, done: result.done };
        },
        finish: (changed) => {
          if (changed > 0) options.log.info({ changed }, 'attention sweep changed items');
        },
      }),
    });
  }

  /** One run now (if this instance has the turn); resolves with how many items changed. A call during a run joins it. */
  runOnce(): Promise<number> {
    return this.job.runOnce();
  }

  start(): void {
    this.job.start();
  }

  /** Stops the timer; a run in progress stops after its current batch. */
  stop(): Promise<void> {
    return this.job.stop();
  }
}
