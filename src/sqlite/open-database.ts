import type BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteDriver } from './sqlite-driver.js';

export type Database = BetterSqlite3.Database;

export interface DatabaseOptions {
  readonly path: string;
  /** NORMAL (default) can lose the last commits on power loss, never on a process crash. */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** The WAL file is truncated to at most this size after each checkpoint. */
  readonly walLimitBytes?: number;
  readonly readonly?: boolean;
}

/** How long a connection waits for another process's lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;
export const DEFAULT_WAL_LIMIT_BYTES = 64 * 1024 * 1024;
/** Pages after which SQLite checkpoints the WAL on commit (SQLite's default, stated). */
const WAL_AUTOCHECKPOINT_PAGES = 1000;

/**
 * Opens a connection with the pragmas every ReadPulse connection needs, creating the file's
 * folder when missing.
 */
export function openDatabase(options: DatabaseOptions): Database {
  if (options.path !== ':memory:' && !options.readonly) {
    mkdirSync(dirname(options.path), { recursive: true });
  }
  const db = new SqliteDriver(options.path, { readonly: options.readonly ?? false });
  // busy_timeout first: even switching to WAL needs a lock another process may hold.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma(`journal_size_limit = ${options.walLimitBytes ?? DEFAULT_WAL_LIMIT_BYTES}`);
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  return db;
}
