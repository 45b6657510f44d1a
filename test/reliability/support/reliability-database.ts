import { join } from 'node:path';
import { openPool } from '../../../src/postgres/open-pool.js';
import { openPostgresStore } from '../../../src/postgres/postgres-store.js';
import { systemClock } from '../../../src/domain/index.js';
import { createTestDatabase, dropTestDatabase } from '../../support/postgres-databases.js';
import { TEST_ENGINE, type TestEngine } from '../../support/test-engine.js';
import { seedReaders, seedReadersInto, type SeededReader } from './seed-readers.js';
import { readStoredState, type StoredState } from './stored-state.js';

/** The database a reliability test runs a real server on: a SQLite file, or a PostgreSQL database. */
export interface ReliabilityDatabase {
  readonly engine: TestEngine;
  readonly dbFile: string;
  /** Settings that point `readpulse serve` at it (on top of READPULSE_DB=dbFile). */
  readonly env: Readonly<Record<string, string>>;
  seedReaders(count: number): Promise<SeededReader[]>;
  /** What the database holds now, read directly, with the integrity and foreign-key checks. */
  readState(): Promise<StoredState>;
  drop(): Promise<void>;
}

/** A fresh database of the suite's engine in `dir` (SQLite) or on the test server (PostgreSQL). */
export async function provisionReliabilityDatabase(dir: string, engine: TestEngine = TEST_ENGINE): Promise<ReliabilityDatabase> {
  const dbFile = join(dir, 'readpulse.db');
  if (engine === 'sqlite') {
    return {
      engine,
      dbFile,
      env: {},
      seedReaders: (count) => seedReaders(dbFile, count),
      readState: async () => readStoredState(dbFile),
      drop: async () => undefined,
    };
  }
  const { name, url } = await createTestDatabase();
  return {
    engine,
    dbFile,
    env: { READPULSE_DATABASE_URL: url },
    async seedReaders(count) {
      const store = await openPostgresStore({ url, clock: systemClock });
      try {
        return await seedReadersInto(store, count);
      } finally {
        await store.operations.close();
      }
    },
    readState: () => readPostgresState(url),
    drop: () => dropTestDatabase(name),
  };
}

/** PostgreSQL recovers itself; what is checked is that every row's user exists and the rows read back. */
async function readPostgresState(url: string): Promise<StoredState> {
  const pool = openPool({ url, maxConnections: 1 });
  try {
    const orphans = await pool.query<{ table_name: string; n: number }>(
      `SELECT 'sessions' AS table_name, count(*) AS n FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id)
       UNION ALL SELECT 'milestones', count(*) FROM milestones m WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = m.user_id)
       UNION ALL SELECT 'activity_logs', count(*) FROM activity_logs a WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = a.user_id)`,
    );
    const eventsById = new Map<number, { userId: number; actionType: string; metadata: unknown }>();
    for (const row of (await pool.query('SELECT id, user_id, action_type, metadata FROM activity_logs')).rows) {
      eventsById.set(row.id, { userId: row.user_id, actionType: row.action_type, metadata: row.metadata === null ? null : JSON.parse(row.metadata) });
    }
    const scores = new Map<string, number | null>();
    for (const row of (await pool.query('SELECT user_id, chapter_id, score FROM milestones')).rows) {
      scores.set(`${row.user_id}|${row.chapter_id}`, row.score);
    }
    const lastActiveAt = new Map<number, number | null>();
    for (const row of (await pool.query('SELECT id, last_active_at FROM users')).rows) lastActiveAt.set(row.id, row.last_active_at);
    const chapters = (await pool.query('SELECT id, position FROM chapters ORDER BY position, id')).rows as { id: string; position: number }[];
    return {
      integrity: ['ok'],
      foreignKeyProblems: orphans.rows.filter((row) => row.n > 0),
      eventsById,
      scores,
      lastActiveAt,
      chapters,
    };
  } finally {
    await pool.end();
  }
}
