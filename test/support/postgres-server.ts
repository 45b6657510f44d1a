import pg from 'pg';
import { TEST_DATABASE_PREFIX, TEST_SERVER_URL } from './postgres-databases.js';

/**
 * Vitest globalSetup of `npm run test:postgres`: fails the run at once, with a message saying
 * what to do, when no PostgreSQL answers; drops test databases that earlier runs, now ended, left
 * behind, and at the end those of this run's test processes (each file's template, and any a
 * failed file did not drop).
 */
export async function setup(): Promise<void> {
  await sweepEndedRuns();
}

/** After every test process has exited, none of this run's databases is in use. */
export async function teardown(): Promise<void> {
  await sweepEndedRuns();
}

async function sweepEndedRuns(): Promise<void> {
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
    // Only a dead run's: each name carries the pid of the test process that made it, and other
    // runs (another checkout's, on the same server) may be using theirs right now.
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [TEST_DATABASE_PREFIX],
    );
    for (const { datname } of rows) {
      const pid = Number(/^(\d+)_[0-9a-f]+_/.exec(datname.slice(TEST_DATABASE_PREFIX.length))?.[1]);
      if (Number.isSafeInteger(pid) && pid > 0 && !isAlive(pid)) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
