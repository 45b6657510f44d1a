import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { orderedMigrations, type Migration } from '../domain/storage/migration-files.js';
import type { Database } from './open-database.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** The numbered migrations shipped with ReadPulse, in order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return orderedMigrations(readdirSync(dir), (file) => readFileSync(`${dir}/${file}`, 'utf8'));
}

/**
 * Applies pending migrations, each in its own transaction, and records them. Safe to run from
 * several processes at once: BEGIN IMMEDIATE takes the write lock before checking what is
 * applied, so two processes never apply the same migration. Returns the names applied.
 */
export function migrate(db: Database, now: number, migrations: readonly Migration[] = loadMigrations()): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: string[] = [];
  for (const migration of migrations) {
    if (isApplied.get(migration.version)) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      if (!isApplied.get(migration.version)) {
        db.exec(migration.sql);
        record.run(migration.version, migration.name, now);
        applied.push(migration.name);
      }
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
    }
  }
  return applied;
}
