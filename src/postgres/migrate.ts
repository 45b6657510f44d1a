import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { orderedMigrations, type Migration } from '../domain/storage/migration-files.js';
import type { Pool } from './open-pool.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
/** pg_advisory_xact_lock key: "readpulse" in ASCII, shared by every instance on the database. */
const MIGRATION_LOCK_KEY = 0x72656164_70756c73n;

/** The numbered PostgreSQL migrations shipped with ReadPulse, in order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return orderedMigrations(readdirSync(dir), (file) => readFileSync(`${dir}/${file}`, 'utf8'));
}

/**
 * Applies pending migrations in one transaction under an advisory lock and records them, as
 * SQLite's schema_migrations does. Instances starting together queue on the lock, so no two
 * apply the same migration; the later ones find them applied. Returns the names applied.
 */
export async function migrate(pool: Pool, now: number, migrations: readonly Migration[] = loadMigrations()): Promise<string[]> {
  const client = await pool.connect();
  // A dropped connection also emits 'error' on a checked-out client; the pending query rejects.
  const ignore = () => undefined;
  client.on('error', ignore);
  const applied: string[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT    NOT NULL,
      applied_at BIGINT  NOT NULL
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      try {
        await client.query(migration.sql);
      } catch (error) {
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        now,
      ]);
      applied.push(migration.name);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', ignore);
    client.release();
  }
}
