import pg from 'pg';
import { TEST_DATABASE_PREFIX, TEST_SERVER_URL } from './postgres-databases.js';

/**
 * Vitest globalSetup of `npm run test:postgres`: fails the run at once, with a message saying
 * what to do, when no PostgreSQL answers; drops test databases a crashed earlier run left behind.
 */
export async function setup(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `npm run test:postgres needs a PostgreSQL server, and none answers at ${TEST_SERVER_URL}: ${(error as Error).message}\n` +
        'Start one (e.g. pg_ctlcluster 15 main start) or point READPULSE_TEST_DATABASE_URL at one.',
    );
  }
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1)
         AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = pg_database.datname)`,
      [TEST_DATABASE_PREFIX],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}"`);
  } finally {
    await client.end();
  }
}
