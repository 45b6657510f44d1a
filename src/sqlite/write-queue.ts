import { AppError } from '../domain/index.js';
import type { Database } from './open-database.js';

export interface WriteQueueOptions {
  /** Writes waiting beyond this are refused with `unavailable` (backpressure), not buffered. */
  readonly maxPending: number;
  /** At most this many writes share one transaction. */
  readonly maxBatch: number;
  /** Called after each committed batch, for metrics. */
  readonly onCommit?: (batchSize: number, commitMs: number) => void;
  /**
   * Called inside each batch's transaction after its last write, just before COMMIT: work the
   * writes deferred to do once per batch (the store's activity aggregates). If it throws, the
   * whole batch rolls back and every write in it is rejected.
   */
  readonly beforeCommit?: () => void;
}

interface Job {
  readonly work: (db: Database) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit. Writes enqueued during one turn of the event loop run together in a single
 * BEGIN IMMEDIATE transaction, so many requests share one fsync. Each write runs inside its own
 * savepoint: a write that throws is rolled back alone and rejects alone, its neighbours commit.
 * A write's promise settles only after the transaction holding it has committed. Order is FIFO.
 */
export class WriteQueue {
  private pending: Job[] = [];
  private scheduled = false;
  private readonly begin;
  private readonly commit;
  private readonly rollback;
  private readonly savepoint;
  private readonly release;
  private readonly rollbackToSavepoint;

  constructor(
    private readonly db: Database,
    private readonly options: WriteQueueOptions,
  ) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.savepoint = db.prepare('SAVEPOINT write');
    this.release = db.prepare('RELEASE write');
    this.rollbackToSavepoint = db.prepare('ROLLBACK TO write');
  }

  /** How many writes wait for the next transaction. */
  get depth(): number {
    return this.pending.length;
  }

  /**
   * Runs `work` inside the next group transaction and resolves with its result once committed.
   * Throws `unavailable` when the queue is full; rejects with whatever `work` throws.
   */
  run<T>(work: (db: Database) => T): Promise<T> {
    if (this.pending.length >= this.options.maxPending) {
      return Promise.reject(
        new AppError('unavailable', 'The server is busy. Try again in a moment.', { retryAfterSeconds: 1 }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now. Called by the scheduler and on close. */
  flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      const started = performance.now();
      let outcomes: Outcome[];
      try {
        outcomes = this.runBatch(batch);
      } catch (error) {
        // The transaction itself failed (BEGIN or COMMIT): nothing in it was stored.
        if (this.db.inTransaction) this.rollback.run();
        for (const job of batch) job.reject(error);
        continue;
      }
      this.options.onCommit?.(batch.length, performance.now() - started);
      batch.forEach((job, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) job.resolve(outcome.value);
        else job.reject(outcome.error);
      });
    }
  }

  private runBatch(batch: readonly Job[]): Outcome[] {
    const outcomes: Outcome[] = [];
    this.begin.run();
    for (const job of batch) {
      this.savepoint.run();
      try {
        const value = job.work(this.db);
        this.release.run();
        outcomes.push({ ok: true, value });
      } catch (error) {
        this.rollbackToSavepoint.run();
        this.release.run();
        outcomes.push({ ok: false, error });
      }
    }
    this.options.beforeCommit?.();
    this.commit.run();
    return outcomes;
  }
}
