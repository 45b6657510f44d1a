import type { EngineRuntime, SessionRevocation, UpkeepJob } from '../domain/index.js';
import type { SqliteStore } from './sqlite-store.js';

export interface SqliteRuntimeLog {
  debug(obj: object, msg: string): void;
}

export interface SqliteRuntimeOptions {
  /** How often the WAL is checkpointed (keeps it bounded). */
  readonly checkpointIntervalMs: number;
  readonly log: SqliteRuntimeLog;
}

/**
 * What SQLite brings to the process: one process owns the database file, so live events are
 * numbered and delivered in memory, every job turn is this process's, and nothing is shared
 * with other instances. Its upkeep is the WAL checkpoint (PostgreSQL checkpoints by itself).
 */
export class SqliteRuntime implements EngineRuntime {
  readonly shared = false;
  readonly liveRelay = null;
  readonly revocations = null;
  readonly loginFailures = null;
  readonly upkeep: readonly UpkeepJob[];

  constructor(
    private readonly store: SqliteStore,
    options: SqliteRuntimeOptions,
  ) {
    this.upkeep = [
      {
        name: 'WAL checkpoint',
        intervalMs: options.checkpointIntervalMs,
        takesTurns: false,
        run: () => {
          const { busy, walPages } = store.checkpoint();
          if (busy) options.log.debug({ walPages }, 'WAL checkpoint could not finish; a reader holds it');
        },
      },
    ];
  }

  get pendingWrites(): number {
    return this.store.pendingWrites;
  }

  get appliedMigrations(): readonly string[] {
    return this.store.appliedMigrations;
  }

  claimTurn(): Promise<boolean> {
    return Promise.resolve(true);
  }

  onSessionsRevoked(listener: (revoked: SessionRevocation) => void): void {
    this.store.onSessionsRevoked(listener);
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {}
}
