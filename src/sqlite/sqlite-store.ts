import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError, userNotFound, type Clock, type OperationsPort, type SessionRevocation, type Store } from '../domain/index.js';
import { ActivityAggregates } from './activity-aggregates.js';
import { MilestoneAggregates } from './milestone-aggregates.js';
import { migrate } from './migrate.js';
import { BUSY_TIMEOUT_MS, openDatabase, type Database, type DatabaseOptions } from './open-database.js';
import { prepareStatements } from './statements.js';
import { SqliteAccessLog } from './sqlite-access-log.js';
import { SqliteActivity } from './sqlite-activity.js';
import { SqliteAnalytics } from './sqlite-analytics.js';
import { SqliteAttention } from './sqlite-attention.js';
import { SqliteChapters } from './sqlite-chapters.js';
import { SqliteCohorts } from './sqlite-cohorts.js';
import { SqliteExports } from './sqlite-exports.js';
import { SqliteInvites } from './sqlite-invites.js';
import { SqliteProgress } from './sqlite-progress.js';
import { SqliteReaders } from './sqlite-readers.js';
import { SqliteSessions } from './sqlite-sessions.js';
import { SqliteUsers } from './sqlite-users.js';
import type { SqliteWriter } from './sqlite-writer.js';
import { SqliteLrsCredentials } from './xapi-credentials.js';
import { SqliteXapiDocuments } from './xapi-documents.js';
import { SqliteXapiStatements } from './xapi-statements.js';
import { WriteQueue, type WriteQueueOptions } from './write-queue.js';

export interface SqliteStoreOptions extends DatabaseOptions {
  readonly clock: Clock;
  readonly writeQueue?: Partial<WriteQueueOptions>;
  /**
   * A heartbeat moves a session's stored last_seen_at only when it is at least this much newer:
   * idle expiry needs minutes, not seconds, so a busy session is not rewritten every flush.
   * 0 (the default) writes every heartbeat.
   */
  readonly sessionSeenResolutionMs?: number;
}

export type { SessionRevocation } from '../domain/index.js';

const DEFAULT_WRITE_QUEUE: WriteQueueOptions = { maxPending: 10_000, maxBatch: 500 };
/** Opens (creating and migrating) the database at `options.path` and returns a Store on it. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const db = openDatabase(options);
  const applied = migrate(db, options.clock.now());
  return new SqliteStore(db, options.clock, { ...DEFAULT_WRITE_QUEUE, ...options.writeQueue }, applied, options.sessionSeenResolutionMs);
}

/**
 * The Store on one SQLite connection. Reads run directly (better-sqlite3 is synchronous and WAL
 * lets them proceed beside other processes' writes); every write goes through the group-commit
 * queue, so this process never contends with itself for the write lock.
 */
export class SqliteStore implements Store {
  readonly users: SqliteUsers;
  readonly sessions: SqliteSessions;
  readonly progress: SqliteProgress;
  readonly activity: SqliteActivity;
  readonly readers: SqliteReaders;
  readonly chapters: SqliteChapters;
  readonly cohorts: SqliteCohorts;
  readonly invites: SqliteInvites;
  readonly attention: SqliteAttention;
  readonly analytics: SqliteAnalytics;
  readonly exports: SqliteExports;
  readonly accessLog: SqliteAccessLog;
  readonly operations: OperationsPort;
  readonly xapiStatements: SqliteXapiStatements;
  readonly xapiDocuments: SqliteXapiDocuments;
  readonly lrsCredentials: SqliteLrsCredentials;
  private readonly writes: WriteQueue;
  private closed = false;
  private readonly revocationListeners: ((revoked: SessionRevocation) => void)[] = [];

  constructor(
    readonly db: Database,
    clock: Clock,
    writeQueueOptions: WriteQueueOptions,
    /** Migrations this open applied (empty when the schema was current). */
    readonly appliedMigrations: readonly string[] = [],
    sessionSeenResolutionMs = 0,
  ) {
    const sql = prepareStatements(db);
    const aggregates = { activity: new ActivityAggregates(db), milestones: new MilestoneAggregates(db) };
    // Activity aggregates are updated once per group commit, just before it commits.
    this.writes = new WriteQueue(db, { ...writeQueueOptions, beforeCommit: () => aggregates.activity.applyDeferred() });
    const write: SqliteWriter = (work, conflictMessage) => this.write(work, conflictMessage);
    const revoked = (revocation: SessionRevocation) => {
      for (const listener of this.revocationListeners) listener(revocation);
    };
    this.users = new SqliteUsers(sql, clock, write, aggregates, revoked);
    this.sessions = new SqliteSessions(sql, write, revoked, sessionSeenResolutionMs);
    this.progress = new SqliteProgress(sql, clock, write, aggregates.milestones, (reader, chapter, now) =>
      this.attention.reviewMilestoneInWrite(reader, chapter, now),
    );
    this.activity = new SqliteActivity(sql, clock, write, aggregates.activity);
    this.cohorts = new SqliteCohorts(db, clock, write);
    this.readers = new SqliteReaders(sql, this.cohorts, db);
    this.chapters = new SqliteChapters(sql, clock, write);
    this.invites = new SqliteInvites(db, clock, write);
    this.attention = new SqliteAttention(db, clock, write, this.cohorts);
    this.analytics = new SqliteAnalytics(db);
    this.accessLog = new SqliteAccessLog(db, write);
    this.exports = new SqliteExports(db, this.accessLog);
    this.xapiStatements = new SqliteXapiStatements(db, write);
    this.xapiDocuments = new SqliteXapiDocuments(db, write);
    this.lrsCredentials = new SqliteLrsCredentials(db, clock, write);
    this.operations = {
      ping: async () => {
        sql.ping.get();
      },
      backup: async (path) => this.backup(path),
      close: () => this.close(),
    };
  }

  /** Writes waiting for the next group commit. */
  get pendingWrites(): number {
    return this.writes.depth;
  }

  /** Calls the listener after each session or user deletion made through this store. */
  onSessionsRevoked(listener: (revoked: SessionRevocation) => void): void {
    this.revocationListeners.push(listener);
  }

  /** Throws `conflict` if `path` exists: a backup never overwrites. */
  private async backup(path: string): Promise<void> {
    if (existsSync(path)) throw new AppError('conflict', `${path} exists already.`);
    mkdirSync(dirname(path), { recursive: true });
    // VACUUM INTO reads one consistent snapshot in a single read transaction, which WAL lets run
    // beside writers; an online-backup copy would restart whenever another process writes.
    this.db.prepare('VACUUM INTO ?').run(path);
  }

  /** Checkpoints the WAL, truncating it when no reader holds it. For the periodic policy. */
  checkpoint(): { busy: boolean; walPages: number } {
    // TRUNCATE waits for other processes' readers inside the busy handler, synchronously: with
    // the usual 5 s timeout a long backup would freeze the event loop. Try once; retry next time.
    this.db.pragma('busy_timeout = 0');
    try {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number }[];
      return { busy: (result?.busy ?? 0) !== 0, walPages: result?.log ?? 0 };
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.writes.flush();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }

  /** Queues a write for the next group commit; `conflictMessage` words a uniqueness violation. */
  private async write<T>(work: () => T, conflictMessage = 'That email is already registered.'): Promise<T> {
    if (this.closed) throw new AppError('unavailable', 'The database is closed.');
    try {
      return await this.writes.run(work);
    } catch (error) {
      throw translateSqliteError(error, conflictMessage);
    }
  }
}

/** Turns constraint violations into the domain's codes; everything else stays internal. */
function translateSqliteError(error: unknown, conflictMessage: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new AppError('conflict', conflictMessage, { cause: error });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return userNotFound();
  // The disk (or max_page_count) is full: nothing was stored, and writes work again once space
  // is freed. Not the caller's fault and not a crash: 503, saying so.
  if (code === 'SQLITE_FULL') {
    return new AppError('unavailable', 'The database storage is full. Try again once space is freed.', {
      retryAfterSeconds: 30,
      cause: error,
    });
  }
  // The schema's CHECKs back the HTTP validation up; reaching one is bad input, not a crash.
  if (code === 'SQLITE_CONSTRAINT_CHECK' || code === 'SQLITE_CONSTRAINT_NOTNULL') {
    return new AppError('invalid_request', 'The data is not valid.', { cause: error });
  }
  return error;
}
