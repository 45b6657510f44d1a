import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { systemClock } from '../../src/domain/index.js';
import { migrate } from '../../src/postgres/migrate.js';
import { openPool } from '../../src/postgres/open-pool.js';

/** The server the PostgreSQL suites run on (`npm run test:postgres`). */
export const TEST_SERVER_URL = process.env.READPULSE_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
/** Every database the tests create starts with this, so a crashed run's leftovers are recognisable. */
export const TEST_DATABASE_PREFIX = 'readpulse_test_';

const run = `${process.pid}_${randomBytes(3).toString('hex')}`;
let template: Promise<string> | undefined;
let counter = 0;

/** The URL of database `name` on the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `No PostgreSQL answers at ${TEST_SERVER_URL} (${(error as Error).message}). Start one, or set READPULSE_TEST_DATABASE_URL.`,
      { cause: error },
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates this run's template once: an empty database with every migration applied. */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const name = `${TEST_DATABASE_PREFIX}${run}_template`;
    await onServer((client) => client.query(`CREATE DATABASE ${name}`));
    const pool = openPool({ url: databaseUrl(name), maxConnections: 1 });
    try {
      await migrate(pool, systemClock.now());
    } finally {
      await pool.end();
    }
    return name;
  })();
  return template;
}

/** A fresh database cloned from the migrated template (fast: a file copy), and its URL. */
export async function createTestDatabase(): Promise<{ name: string; url: string }> {
  const source = await migratedTemplate();
  counter += 1;
  const name = `${TEST_DATABASE_PREFIX}${run}_${counter}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${source}`));
  return { name, url: databaseUrl(name) };
}

/** An empty database with no tables at all (for `readpulse copy` and migration tests). */
export async function createEmptyDatabase(): Promise<{ name: string; url: string }> {
  counter += 1;
  const name = `${TEST_DATABASE_PREFIX}${run}_${counter}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name}`));
  return { name, url: databaseUrl(name) };
}

/** Drops a test database, ending any connection still open on it. */
export async function dropTestDatabase(name: string): Promise<void> {
  await onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Drops this run's template; for afterAll. */
export async function dropTemplate(): Promise<void> {
  if (template === undefined) return;
  const name = await template.catch(() => undefined);
  template = undefined;
  if (name) await dropTestDatabase(name);
}
