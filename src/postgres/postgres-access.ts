import type { Clock } from '../domain/index.js';
import type { Statement } from './statements.js';
import type { CombinedWrite, WriteClient } from './write-queue.js';

/**
 * What each port's adapter on PostgreSQL reaches the database through: reads on the pool, and
 * writes queued for the batched writer. Both check that the store is open and translate
 * PostgreSQL's errors into the domain's codes.
 */
export interface PostgresAccess {
  readonly clock: Clock;
  read<R>(statement: Statement, values: readonly unknown[]): Promise<R[]>;
  /** Queues a write for the next batch; `conflictMessage` words a uniqueness violation. */
  write<T>(work: (db: WriteClient) => Promise<T>, conflictMessage?: string): Promise<T>;
  /** Queues a combinable write: the batch runs every write of its kind together (ADR 0022). */
  combinedWrite<I, T>(kind: CombinedWrite<I, T>, input: I): Promise<T>;
  /**
   * Runs a one-statement write on its own, in PostgreSQL's implicit transaction, beside the
   * batched writer instead of in its batch: for writes that every instance makes to the same rows
   * (heartbeats), whose row locks a batch would hold until its COMMIT, while another instance's
   * batch waits for them.
   */
  writeAlone<R>(statement: Statement, values: readonly unknown[]): Promise<R[]>;
}

/** Runs one prepared statement on the writer's transaction. */
export function run<R extends object = object>(db: WriteClient, statement: Statement, values: readonly unknown[]) {
  return db.query<R>({ ...statement, values: [...values] });
}
