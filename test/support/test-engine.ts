import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineStore } from '../../src/main.js';
import { openPool } from '../../src/postgres/open-pool.js';
import { PostgresStore } from '../../src/postgres/postgres-store.js';
import { SqliteDriver } from '../../src/sqlite/sqlite-driver.js';
import { createEmptyDatabase, createTestDatabase, dropTestDatabase } from './postgres-databases.js';

export type TestEngine = 'sqlite' | 'postgres';

/** The engine the suites run on: SQLite under `npm test`, PostgreSQL under `npm run test:postgres`. */
export const TEST_ENGINE: TestEngine = process.env.READPULSE_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

/** A fresh database for one test: the environment that selects it, and how to remove it. */
export interface TestDatabase {
  readonly engine: TestEngine;
  readonly env: Readonly<Record<string, string>>;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database of `engine`: a file in `dir` for SQLite, a clone of the migrated
 * template for PostgreSQL. The caller removes `dir`; drop() removes a PostgreSQL database.
 */
export async function provisionDatabase(dir: string, engine: TestEngine = TEST_ENGINE): Promise<TestDatabase> {
  if (engine === 'sqlite') return { engine, env: { READPULSE_DB: join(dir, 'test.db') }, drop: async () => undefined };
  const { name, url } = await createTestDatabase();
  return { engine, env: { READPULSE_DATABASE_URL: url }, drop: () => dropTestDatabase(name) };
}

/** Reads a store's tables directly, for tests that check stored state; `?` placeholders on both engines. */
export interface StoredRows {
  all<R = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<R[]>;
  get<R = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<R | undefined>;
  /** The `n` column of a `SELECT count(*) AS n ...`. */
  count(sql: string, ...params: unknown[]): Promise<number>;
  /** The names of the application's tables. */
  tables(): Promise<string[]>;
  /** The column names of one table. */
  columns(table: string): Promise<string[]>;
}

export function storedRows(store: EngineStore): StoredRows {
  const all = async <R>(sql: string, ...params: unknown[]): Promise<R[]> => {
    if (store instanceof PostgresStore) {
      let n = 0;
      const text = sql.replace(/\?/g, () => `$${++n}`);
      return (await store.pool.query(text, params)).rows as R[];
    }
    return store.db.prepare(sql).all(...params) as R[];
  };
  return {
    all,
    get: async <R>(sql: string, ...params: unknown[]) => (await all<R>(sql, ...params))[0],
    count: async (sql, ...params) => Number((await all<{ n: number }>(sql, ...params))[0]?.n ?? 0),
    tables: async () =>
      store instanceof PostgresStore
        ? (await all<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")).map((r) => r.name)
        : (await all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).map((r) => r.name),
    columns: async (table) =>
      store instanceof PostgresStore
        ? (await all<{ name: string }>("SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ?", table)).map((r) => r.name)
        : (await all<{ name: string }>('SELECT name FROM pragma_table_info(?)', table)).map((r) => r.name),
  };
}

/** A database as the CLI tests see it from outside the process under test. */
export interface CliDatabase extends TestDatabase {
  /** Whether anything has created the database (SQLite: the file; PostgreSQL: any table). */
  exists(): Promise<boolean>;
  /** The first column of the first row. */
  value<T>(sql: string, params?: readonly unknown[]): Promise<T>;
  rows<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/**
 * A database the CLI has not touched yet: no SQLite file at all, or an empty PostgreSQL
 * database without even the migrations.
 */
export async function provisionCliDatabase(dir: string, engine: TestEngine = TEST_ENGINE): Promise<CliDatabase> {
  if (engine === 'sqlite') {
    const file = join(dir, 'r.db');
    const rows = async <T>(sql: string, params: readonly unknown[] = []): Promise<T[]> => {
      const db = new SqliteDriver(file, { readonly: true });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    };
    return {
      engine,
      env: { READPULSE_DB: file },
      drop: async () => undefined,
      exists: async () => existsSync(file),
      rows,
      value: async <T>(sql: string, params: readonly unknown[] = []) => Object.values((await rows<object>(sql, params))[0] ?? {})[0] as T,
    };
  }
  const { name, url } = await createEmptyDatabase();
  const rows = async <T>(sql: string, params: readonly unknown[] = []): Promise<T[]> => {
    const pool = openPool({ url, maxConnections: 1 });
    try {
      let n = 0;
      return (await pool.query(sql.replace(/\?/g, () => `$${++n}`), [...params])).rows as T[];
    } finally {
      await pool.end();
    }
  };
  return {
    engine,
    env: { READPULSE_DATABASE_URL: url },
    drop: () => dropTestDatabase(name),
    exists: async () => (await rows("SELECT 1 FROM pg_tables WHERE schemaname = 'public'")).length > 0,
    rows,
    value: async <T>(sql: string, params: readonly unknown[] = []) => Object.values((await rows<object>(sql, params))[0] ?? {})[0] as T,
  };
}
