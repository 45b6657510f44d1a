import { AppError, userNotFound, type Clock, type OperationsPort, type SessionRevocation, type Store } from '../domain/index.js';
import { ActivityAggregates } from './activity-aggregates.js';
import { migrate } from './migrate.js';
import { MilestoneAggregates } from './milestone-aggregates.js';
import { openPool, type Pool } from './open-pool.js';
import { dumpDatabase } from './pg-dump.js';
import { sqlOn, type Params, type PostgresWriter, type Sql } from './pg-sql.js';
import type { PostgresAccess } from './postgres-access.js';
import { PostgresAccessLog } from './postgres-access-log.js';
import { PostgresActivity } from './postgres-activity.js';
import { PostgresAnalytics } from './postgres-analytics.js';
import { PostgresAttention } from './postgres-attention.js';
import { PostgresChapters } from './postgres-chapters.js';
import { PostgresCohorts } from './postgres-cohorts.js';
import { translatePostgresError } from './postgres-errors.js';
import { PostgresExports } from './postgres-exports.js';
import { PostgresInvites } from './postgres-invites.js';
import { PostgresProgress } from './postgres-progress.js';
import { PostgresReaders } from './postgres-readers.js';
import { PostgresSessions } from './postgres-sessions.js';
import { PostgresUsers } from './postgres-users.js';
import { statements as sql } from './statements.js';
import { WriteQueue, type CombinedWrite, type WriteClient, type WriteQueueOptions } from './write-queue.js';
import { PostgresLrsCredentials } from './xapi-credentials.js';
import { PostgresXapiDocuments } from './xapi-documents.js';
import { PostgresXapiStatements } from './xapi-statements.js';

export interface PostgresStoreOptions {
  /** postgres:// or postgresql:// URL of the database. */
  readonly url: string;
  readonly clock: Clock;
  readonly maxConnections?: number;
  readonly writeQueue?: Partial<WriteQueueOptions>;
  /** Called when an idle pooled connection fails; the pool replaces it. */
  readonly onIdleError?: (error: Error) => void;
  /**
   * A heartbeat moves a session's stored last_seen_at only when it is at least this much newer,
   * as on SQLite; 0 (the default) writes every heartbeat.
   */
  readonly sessionSeenResolutionMs?: number;
}

/** The batched writer's connections: the batch's, and a spare for the next while one is replaced. */
const WRITER_CONNECTIONS = 2;
// One batch at a time: two in flight (the next batch's statements overlapping the previous
// COMMIT) measured no faster for one instance and slower for three, since every batch with
// activity waits on the same hour and day rows (BENCHMARKS.md, "PostgreSQL at full speed").
const DEFAULT_WRITE_QUEUE: WriteQueueOptions = { maxPending: 10_000, maxBatch: 500, maxInFlight: 1 };
/** Opens a pool on `options.url`, applies pending migrations and returns a Store on it. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = openPool({
    url: options.url,
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    ...(options.onIdleError ? { onIdleError: options.onIdleError } : {}),
  });
  // The batched writer has connections of its own, so no read waits for a write's connection
  // and no write waits for a read's (ADR 0022). They pipeline: a batch sends the statements that
  // do not wait on each other's answers together (BEGIN with its first write, the aggregates with
  // COMMIT), so it costs fewer turns of the event loop, which under read load are what a batch waits on.
  const writePool = openPool({
    url: options.url,
    maxConnections: WRITER_CONNECTIONS,
    applicationName: 'readpulse-write',
    pipeline: true,
    ...(options.onIdleError ? { onIdleError: options.onIdleError } : {}),
  });
  try {
    const applied = await migrate(pool, options.clock.now());
    return new PostgresStore(
      pool,
      options.url,
      options.clock,
      { ...DEFAULT_WRITE_QUEUE, ...options.writeQueue },
      applied,
      options.sessionSeenResolutionMs,
      writePool,
    );
  } catch (error) {
    await Promise.all([pool.end(), writePool.end()]);
    throw error;
  }
}

/**
 * The Store on a PostgreSQL pool: one adapter per port. Reads run on any connection of the read
 * pool; every write goes through the batched writer on its own connections, so concurrent
 * requests share transactions as they do on SQLite (ADR 0022).
 */
export class PostgresStore implements Store {
  readonly users: PostgresUsers;
  readonly sessions: PostgresSessions;
  readonly progress: PostgresProgress;
  readonly activity: PostgresActivity;
  readonly readers: PostgresReaders;
  readonly chapters: PostgresChapters;
  readonly cohorts: PostgresCohorts;
  readonly invites: PostgresInvites;
  readonly attention: PostgresAttention;
  readonly analytics: PostgresAnalytics;
  readonly exports: PostgresExports;
  readonly accessLog: PostgresAccessLog;
  readonly operations: OperationsPort;
  readonly xapiStatements: PostgresXapiStatements;
  readonly xapiDocuments: PostgresXapiDocuments;
  readonly lrsCredentials: PostgresLrsCredentials;
  private readonly writes: WriteQueue;
  private closed = false;
  private readonly revocationListeners: ((revoked: SessionRevocation) => void)[] = [];

  constructor(
    readonly pool: Pool,
    url: string,
    clock: Clock,
    writeQueueOptions: WriteQueueOptions,
    /** Migrations this open applied (empty when the schema was current). */
    readonly appliedMigrations: readonly string[] = [],
    sessionSeenResolutionMs = 0,
    /** The batched writer's connections (by default the read pool's). */
    private readonly writePool: Pool = pool,
  ) {
    const aggregates = { activity: new ActivityAggregates(), milestones: new MilestoneAggregates() };
    // The milestone aggregates are updated once per batch, just before it commits (activity adds its own in its insert).
    this.writes = new WriteQueue(writePool, {
      ...writeQueueOptions,
      onBegin: (client) => aggregates.milestones.discardDeferred(client),
      beforeCommit: (client) => aggregates.milestones.applyDeferred(client),
    });
    const access: PostgresAccess = {
      clock,
      read: async (statement, values) => (await this.guarded(() => pool.query({ ...statement, values: [...values] }))).rows,
      write: (work, conflictMessage) => this.write(work, conflictMessage),
      combinedWrite: (kind, input) => this.combinedWrite(kind, input),
      writeAlone: async (statement, values) => (await this.guarded(() => writePool.query({ ...statement, values: [...values] }))).rows,
    };
    const reads = this.guardedSql(sqlOn(pool));
    const write: PostgresWriter = (work, conflictMessage) => this.write((db) => work(sqlOn(db)), conflictMessage);
    const revoked = (revocation: SessionRevocation) => {
      for (const listener of this.revocationListeners) listener(revocation);
    };
    this.users = new PostgresUsers(access, aggregates, revoked);
    this.sessions = new PostgresSessions(access, revoked, sessionSeenResolutionMs);
    this.progress = new PostgresProgress(access, aggregates.milestones);
    this.activity = new PostgresActivity(access, aggregates.activity);
    this.cohorts = new PostgresCohorts(reads, clock, write);
    this.readers = new PostgresReaders(access, this.cohorts);
    this.chapters = new PostgresChapters(access);
    this.invites = new PostgresInvites(reads, clock, write);
    this.attention = new PostgresAttention(reads, clock, write, this.cohorts, access);
    this.analytics = new PostgresAnalytics(reads);
    this.accessLog = new PostgresAccessLog(reads, write);
    this.exports = new PostgresExports(reads, this.accessLog);
    this.xapiStatements = new PostgresXapiStatements(reads, write);
    this.xapiDocuments = new PostgresXapiDocuments(reads, write);
    this.lrsCredentials = new PostgresLrsCredentials(reads, clock, write);
    this.operations = {
      ping: async () => {
        await access.read(sql.ping, []);
      },
      // pg_dump into `path`: throws `conflict` if `path` exists, `unavailable` without pg_dump.
      backup: (path) => dumpDatabase(url, path),
      close: () => this.close(),
    };
  }

  /** Calls the listener after each session or user deletion made through this store. */
  onSessionsRevoked(listener: (revoked: SessionRevocation) => void): void {
    this.revocationListeners.push(listener);
  }

  /**
   * Each batch of writes first waits for what `gate` answers as the batch is cut (see
   * WriteQueue.waitBeforeBatches); the runtime's presence changes go first this way.
   */
  orderWritesAfter(gate: () => Promise<void> | undefined): void {
    this.writes.waitBeforeBatches(gate);
  }

  /** Writes waiting for the next batch. */
  get pendingWrites(): number {
    return this.writes.depth;
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.flush();
    await this.pool.end();
    if (this.writePool !== this.pool) await this.writePool.end();
  }

  /** Runs a read with the closed check and error translation. */
  private async guarded<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new AppError('unavailable', 'The database is closed.');
    try {
      return await work();
    } catch (error) {
      throw translatePostgresError(error, 'That already exists.', userNotFound);
    }
  }

  /** Reads on the pool, each with the closed check and error translation. */
  private guardedSql(reads: Sql): Sql {
    return {
      all: <R>(text: string, params?: Params) => this.guarded(() => reads.all<R>(text, params)),
      get: <R>(text: string, params?: Params) => this.guarded(() => reads.get<R>(text, params)),
      run: (text: string, params?: Params) => this.guarded(() => reads.run(text, params)),
    };
  }

  /** Queues a combinable write for the next batch (see CombinedWrite). */
  private async combinedWrite<I, T>(kind: CombinedWrite<I, T>, input: I): Promise<T> {
    if (this.closed) throw new AppError('unavailable', 'The database is closed.');
    try {
      return await this.writes.runCombined(kind, input);
    } catch (error) {
      throw translatePostgresError(error, 'That email is already registered.', userNotFound);
    }
  }

  /** Queues a write for the next batch; `conflictMessage` words a uniqueness violation. */
  private async write<T>(work: (db: WriteClient) => Promise<T>, conflictMessage = 'That email is already registered.'): Promise<T> {
    if (this.closed) throw new AppError('unavailable', 'The database is closed.');
    try {
      return await this.writes.run(work);
    } catch (error) {
      throw translatePostgresError(error, conflictMessage, userNotFound);
    }
  }
}
