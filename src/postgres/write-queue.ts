import { AppError } from '../domain/index.js';
import type { Pool, PoolClient } from './open-pool.js';

export interface WriteQueueOptions {
  /** Writes waiting beyond this are refused with `unavailable` (backpressure), not buffered. */
  readonly maxPending: number;
  /** At most this many writes share one transaction. */
  readonly maxBatch: number;
  /**
   * At most this many batches run at once, each on its own connection (default 1). With more than
   * one, a batch's statements overlap the previous batch's COMMIT and PostgreSQL groups their WAL
   * flushes; batches then commit in whichever order PostgreSQL settles them, so only a write
   * answered before another was queued is known to come first.
   */
  readonly maxInFlight?: number;
  /** Called after each committed batch, for metrics. */
  readonly onCommit?: (batchSize: number, commitMs: number) => void;
  /** Called at each BEGIN of a batch, with its connection (a batch may be tried again, see runBatch). */
  readonly onBegin?: (client: WriteClient) => void;
  /**
   * Runs inside each batch's transaction after its last write, just before COMMIT: the work the
   * writes deferred to do once per batch (the store's activity aggregates). If it throws, the
   * whole batch rolls back and every write in it is rejected.
   */
  readonly beforeCommit?: (client: WriteClient) => Promise<void>;
}

/** What a write job may do: run queries inside the batch's transaction. */
export type WriteClient = Pick<PoolClient, 'query'>;

/**
 * A kind of write that a batch runs for all its writes of that kind at once: `runAll` takes the
 * inputs in queue order and answers one result each, in a constant number of statements however
 * many there are (multi-row `unnest` statements). If it throws (a write among them would fail),
 * the batch starts again with each write alone in its savepoint, through `runOne`, so the failing
 * write fails alone.
 */
export interface CombinedWrite<I, T> {
  /**
   * Set when `runAll` sends exactly one statement and defers nothing to `beforeCommit`: a batch
   * whose writes are all of this kind is then that statement alone, in PostgreSQL's implicit
   * transaction (no BEGIN, no COMMIT: one round trip, answered after its commit).
   */
  readonly oneStatement?: boolean;
  readonly runAll: (client: WriteClient, inputs: readonly I[]) => Promise<T[]>;
  readonly runOne: (client: WriteClient, input: I) => Promise<T>;
}

interface Job {
  readonly work: (client: WriteClient) => Promise<unknown>;
  /** Set for a combinable write: its kind and input. */
  readonly combined?: { readonly kind: CombinedWrite<unknown, unknown>; readonly input: unknown };
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Batched writes, as SQLite's group commit: the writes queued while the previous batch commits
 * (or during one turn of the event loop) run together in one transaction on one connection, so
 * they share one WAL flush, and the writes of a combinable kind share their statements (ADR
 * 0020). Each is isolated: a write that fails is rolled back alone and rejects alone (see
 * runBatch). A write's promise settles only after COMMIT. Order is FIFO, except that combinable
 * writes of different kinds may swap places (they commute).
 */
export class WriteQueue {
  private pending: Job[] = [];
  /** The batches running now. */
  private readonly active = new Set<Promise<void>>();
  /** Whether a pump waits for the end of the current turn of the event loop. */
  private scheduled = false;
  private gate: (() => Promise<void> | undefined) | undefined;

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
    return this.enqueue(work);
  }

  /**
   * Runs `input` as one write of `kind`: the batch runs the writes of each kind together (see
   * CombinedWrite), between the other writes queued before and after them.
   */
  runCombined<I, T>(kind: CombinedWrite<I, T>, input: I): Promise<T> {
    return this.enqueue((client) => kind.runOne(client, input), { kind: kind as CombinedWrite<unknown, unknown>, input });
  }

  private enqueue<T>(work: (client: WriteClient) => Promise<T>, combined?: Job['combined']): Promise<T> {
    if (this.pending.length >= this.options.maxPending) {
      return Promise.reject(
        new AppError('unavailable', 'The server is busy. Try again in a moment.', { retryAfterSeconds: 1 }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, ...(combined ? { combined } : {}), resolve: resolve as (value: unknown) => void, reject });
      // setImmediate: writes made in the same turn join one batch.
      if (!this.scheduled && this.active.size < (this.options.maxInFlight ?? 1)) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /**
   * Each batch, as it is cut, first waits for what `gate` answers then (nothing: it goes at
   * once). It must not wait on this queue. PostgresRuntime orders a reader's arrival, recorded
   * on another connection, before the writes that announced it this way.
   */
  waitBeforeBatches(gate: () => Promise<void> | undefined): void {
    this.gate = gate;
  }

  /** Resolves once everything queued now (and meanwhile) has committed or failed. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.scheduled) await new Promise((done) => setImmediate(done));
      else if (this.active.size > 0) await Promise.all([...this.active]);
      else if (this.pending.length > 0) this.pump();
      else return;
    }
  }

  /** Starts a batch of what waits while a connection is free; each batch that ends pumps again. */
  private pump(): void {
    while (this.pending.length > 0 && this.active.size < (this.options.maxInFlight ?? 1)) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      const running: Promise<void> = this.commitBatch(batch)
        .catch(() => undefined)
        .finally(() => {
          this.active.delete(running);
          this.pump();
        });
      this.active.add(running);
    }
  }

  private async commitBatch(batch: readonly Job[]): Promise<void> {
    const gate = this.gate?.();
    if (gate) await gate;
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
   * them, combinable writes together (a constant number of statements per kind); if any write
   * throws, that attempt is rolled back (nothing of it is kept) and the batch runs again with a
   * savepoint around each write (a batch of one just fails its write). Write jobs only touch the
   * database, so running one twice in two transactions of which the first rolled back is safe.
   */
  private async runBatch(client: PoolClient, batch: readonly Job[]): Promise<Outcome[]> {
    let fast = await this.runWithoutSavepoints(client, batch);
    // Two batches in flight may lock the same rows in opposite orders; PostgreSQL then aborts
    // one of them, which says nothing about its writes: that batch runs again.
    for (let retry = 0; !fast.ok && retry < 3 && isDeadlock(fast.error); retry++) fast = await this.runWithoutSavepoints(client, batch);
    if (fast.ok) return fast.outcomes;
    if (batch.length === 1) return [{ ok: false, error: fast.error }];
    return this.runWithSavepoints(client, batch);
  }

  /**
   * Sends BEGIN and returns without waiting for it: the batch's first statement goes to the
   * connection's queue behind it, and node-postgres sends each queued statement as the previous
   * one's answer arrives, not after a turn of the event loop. Await the result before COMMIT.
   */
  private begin(client: PoolClient): Promise<void> {
    const began = client.query('BEGIN').then(() => undefined);
    // Awaited before the batch ends. BEGIN fails only with its connection, and then so does
    // every statement queued behind it.
    began.catch(() => undefined);
    this.options.onBegin?.(client);
    return began;
  }

  /**
   * Runs beforeCommit and queues COMMIT behind the statements it sent before its first await, so
   * the aggregates and the COMMIT cost one trip. If one of them fails, PostgreSQL has aborted the
   * transaction and answers that COMMIT with a rollback; the failure is thrown.
   */
  private async commit(client: PoolClient, began: Promise<void>): Promise<void> {
    const before = Promise.resolve(this.options.beforeCommit?.(client));
    const committed = client.query('COMMIT');
    for (const outcome of await Promise.allSettled([began, before, committed])) {
      if (outcome.status === 'rejected') throw outcome.reason;
    }
  }

  /**
   * Runs the batch in order, except that combinable writes wait to run together: those of a kind
   * met since the last plain write run in one go (one-statement kinds first, then the others in
   * the order first met) before the next plain write, and at the end, the next kind's statements
   * sent without waiting for the answer of a one-statement kind. Combinable writes of different
   * kinds must commute. A batch of one kind that runs as one statement (CombinedWrite.oneStatement)
   * is sent without BEGIN and COMMIT: PostgreSQL runs a lone statement in a transaction of its own.
   */
  private async runWithoutSavepoints(
    client: PoolClient,
    batch: readonly Job[],
  ): Promise<{ ok: true; outcomes: Outcome[] } | { ok: false; error: unknown }> {
    const outcomes: Outcome[] = new Array(batch.length);
    const sole = soleStatementKind(batch);
    if (sole) {
      try {
        const values = await sole.runAll(client, batch.map((job) => job.combined!.input));
        return { ok: true, outcomes: values.map((value) => ({ ok: true, value })) };
      } catch (error) {
        // Its implicit transaction rolled back: the connection is idle again, nothing to undo.
        return { ok: false, error };
      }
    }
    let waiting = new Map<CombinedWrite<unknown, unknown>, number[]>();
    const runWaiting = async () => {
      // A one-statement kind (activity) has nothing to send after its answer, so the next kind's
      // statements go to the connection right behind it instead of a turn of the event loop later:
      // PostgreSQL still runs them in the same order.
      const sent: Promise<void>[] = [];
      // One-statement kinds go first: they need no answer before what follows, so a batch whose
      // other kind was met first still costs one turn of the event loop fewer.
      const kinds = [...waiting].sort(([a], [b]) => Number(b.oneStatement ?? false) - Number(a.oneStatement ?? false));
      for (const [kind, indexes] of kinds) {
        const running = kind.runAll(client, indexes.map((i) => batch[i]!.combined!.input)).then((values) => {
          indexes.forEach((index, n) => (outcomes[index] = { ok: true, value: values[n] }));
        });
        if (!kind.oneStatement) {
          await running;
          continue;
        }
        // Its failure aborts the transaction, so what follows fails too; it is rethrown below.
        running.catch(() => undefined);
        sent.push(running);
      }
      waiting = new Map();
      await Promise.all(sent);
    };
    const began = this.begin(client);
    try {
      for (const [index, job] of batch.entries()) {
        if (job.combined) {
          const indexes = waiting.get(job.combined.kind) ?? [];
          indexes.push(index);
          waiting.set(job.combined.kind, indexes);
          continue;
        }
        await runWaiting();
        outcomes[index] = { ok: true, value: await job.work(client) };
      }
      await runWaiting();
    } catch (error) {
      await began;
      await client.query('ROLLBACK');
      return { ok: false, error };
    }
    await this.commit(client, began);
    return { ok: true, outcomes };
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
    await this.commit(client, Promise.resolve());
    return outcomes;
  }
}

/** The kind of every write in `batch`, when they are all of one kind that runs as one statement. */
function soleStatementKind(batch: readonly Job[]): CombinedWrite<unknown, unknown> | undefined {
  const kind = batch[0]?.combined?.kind;
  return kind?.oneStatement && batch.every((job) => job.combined?.kind === kind) ? kind : undefined;
}

/** PostgreSQL's deadlock_detected and serialization_failure: the transaction may simply run again. */
function isDeadlock(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}
