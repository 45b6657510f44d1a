import { AppError } from '../domain/index.js';
import type { Pool, PoolClient } from './open-pool.js';

export interface WriteQueueOptions {
  /** Writes waiting beyond this are refused with `unavailable` (backpressure), not buffered. */
  readonly maxPending: number;
  /** At most this many writes share one transaction. */
  readonly maxBatch: number;
  /** Called after each committed batch, for metrics. */
  readonly onCommit?: (batchSize: number, commitMs: number) => void;
  /** Called at each BEGIN of a batch (a batch may be tried twice, see runBatch). */
  readonly onBegin?: () => void;
  /**
   * Runs inside each batch's transaction after its last write, just before COMMIT: the work the
   * writes deferred to do once per batch (the store's activity aggregates). If it throws, the
   * whole batch rolls back and every write in it is rejected.
   */
  readonly beforeCommit?: (client: WriteClient) => Promise<void>;
}

/** What a write job may do: run queries inside the batch's transaction. */
export type WriteClient = Pick<PoolClient, 'query'>;

interface Job {
  readonly work: (client: WriteClient) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Batched writes, as SQLite's group commit: the writes queued while the previous batch commits
 * (or during one turn of the event loop) run together in one transaction on one connection, so
 * they share one WAL flush. Each is isolated: a write that fails is rolled back alone and rejects
 * alone (see runBatch). A write's promise settles only after COMMIT. Order is FIFO.
 */
export class WriteQueue {
  private pending: Job[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly options: WriteQueueOptions,
  ) {}

  /** How many writes wait for the next transaction. */
  get depth(): number {
    return this.pending.length;
  }

  /**
   * Runs `work` inside the next batch's transaction and resolves with its result once committed.
   * Throws `unavailable` when the queue is full; rejects with whatever `work` throws.
   */
  run<T>(work: (client: WriteClient) => Promise<T>): Promise<T> {
    if (this.pending.length >= this.options.maxPending) {
      return Promise.reject(
        new AppError('unavailable', 'The server is busy. Try again in a moment.', { retryAfterSeconds: 1 }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      // setImmediate: writes made in the same turn join one batch.
      if (this.running === null) this.running = new Promise((done) => setImmediate(done)).then(() => this.drain());
    });
  }

  /** Resolves once everything queued now (and meanwhile) has committed or failed. */
  async flush(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.options.maxBatch);
        await this.commitBatch(batch);
      }
    } finally {
      this.running = null;
    }
  }

  private async commitBatch(batch: readonly Job[]): Promise<void> {
    const started = performance.now();
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      for (const job of batch) job.reject(error);
      return;
    }
    // A checked-out client whose connection drops emits 'error'; unheard, it would crash the
    // process. The batch's pending query rejects too, which is where the failure is handled.
    const ignore = () => undefined;
    client.on('error', ignore);
    let outcomes: Outcome[];
    try {
      outcomes = await this.runBatch(client, batch);
    } catch (error) {
      client.off('error', ignore);
      // The transaction itself failed (BEGIN, a savepoint, COMMIT, the connection): nothing in
      // it is known to be stored, so every write in it fails, and the connection is discarded.
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      for (const job of batch) job.reject(error);
      return;
    }
    client.off('error', ignore);
    client.release();
    this.options.onCommit?.(batch.length, performance.now() - started);
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }

  /**
   * PostgreSQL aborts the whole transaction at a failed statement, so isolating each write needs
   * a savepoint: two more round trips per write. Writes rarely fail, so a batch first runs without
   * them; if any write throws, that attempt is rolled back (nothing of it is kept) and the batch
   * runs again with a savepoint around each write. Write jobs only touch the database, so
   * running one twice in two transactions of which the first rolled back is safe.
   */
  private async runBatch(client: PoolClient, batch: readonly Job[]): Promise<Outcome[]> {
    if (batch.length > 1) {
      const fast = await this.runWithoutSavepoints(client, batch);
      if (fast !== null) return fast;
    }
    return this.runWithSavepoints(client, batch);
  }

  private async begin(client: PoolClient): Promise<void> {
    await client.query('BEGIN');
    this.options.onBegin?.();
  }

  private async commit(client: PoolClient): Promise<void> {
    await this.options.beforeCommit?.(client);
    await client.query('COMMIT');
  }

  private async runWithoutSavepoints(client: PoolClient, batch: readonly Job[]): Promise<Outcome[] | null> {
    const outcomes: Outcome[] = [];
    await this.begin(client);
    for (const job of batch) {
      try {
        outcomes.push({ ok: true, value: await job.work(client) });
      } catch {
        await client.query('ROLLBACK');
        return null;
      }
    }
    await this.commit(client);
    return outcomes;
  }

  private async runWithSavepoints(client: PoolClient, batch: readonly Job[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    await this.begin(client);
    for (const job of batch) {
      await client.query('SAVEPOINT write');
      try {
        const value = await job.work(client);
        await client.query('RELEASE SAVEPOINT write');
        outcomes.push({ ok: true, value });
      } catch (error) {
        // On a broken connection this throws too, and the whole batch fails in commitBatch.
        await client.query('ROLLBACK TO SAVEPOINT write');
        await client.query('RELEASE SAVEPOINT write');
        outcomes.push({ ok: false, error });
      }
    }
    await this.commit(client);
    return outcomes;
  }
}
