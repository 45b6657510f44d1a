import { parseArgs } from 'node:util';
import pg from 'pg';
import { createPasswordHasher } from '../src/auth/password-hasher.js';
import { systemClock } from '../src/domain/index.js';
import { createPostgresScaleData } from '../src/postgres/bulk-load.js';
import { migrate } from '../src/postgres/migrate.js';
import { openPool } from '../src/postgres/open-pool.js';
import { loadPostgresXapiStatements } from '../src/postgres/xapi-bulk-load.js';
/** As bench/generate-scale-data.ts: every generated user signs in with it. */
const SCALE_PASSWORD = 'scale-test-password';

/**
 * The large data set on PostgreSQL: creates database `--database` (it must start with
 * `readpulse_bench_` and not exist yet) on the server at READPULSE_BENCH_POSTGRES_URL (default the
 * local one), migrates it and fills it server-side (src/postgres/bulk-load.ts):
 *
 *   npx tsx bench/generate-postgres-scale-data.ts --readers 100000 --events 10000000 --database readpulse_bench_scale
 *
 * With `--statements N` it also loads N generated xAPI statements (actors among the readers, 12
 * verbs, `--activities` activity IRIs with modules and courses, some registrations and voided
 * statements, stored over the `--days`; see src/domain/storage/xapi-scale-data.ts), e.g.
 * `--readers 100000 --events 0 --statements 10000000`;
 * then `npx tsx bench/scale-queries.ts --postgres postgres://root@127.0.0.1:5432/readpulse_bench_scale`.
 * Drop it afterwards with `dropdb readpulse_bench_scale`.
 */
const DAY_MS = 86_400_000;
const SERVER_URL = process.env.READPULSE_BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      readers: { type: 'string', default: '100000' },
      consultants: { type: 'string', default: '20' },
      events: { type: 'string', default: '10000000' },
      chapters: { type: 'string', default: '12' },
      days: { type: 'string', default: '365' },
      live: { type: 'string', default: '1000' },
      statements: { type: 'string', default: '0' },
      activities: { type: 'string', default: '3000' },
      database: { type: 'string', default: 'readpulse_bench_scale' },
    },
  });
  const database = values.database;
  if (!/^readpulse_bench_[a-z0-9_]+$/.test(database)) throw new Error('--database must match readpulse_bench_[a-z0-9_]+');
  const count = (name: 'readers' | 'consultants' | 'events' | 'chapters' | 'days' | 'live' | 'statements' | 'activities'): number => {
    const n = Number(values[name]);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
    return n;
  };
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  const pool = openPool({ url: url.toString(), maxConnections: 2 });
  const started = performance.now();
  try {
    await migrate(pool, systemClock.now());
    const result = await createPostgresScaleData(pool, {
      readers: count('readers'),
      consultants: count('consultants'),
      events: count('events'),
      chapters: count('chapters'),
      spanMs: count('days') * DAY_MS,
      liveReaders: count('live'),
      now: systemClock.now(),
      passwordHash: await createPasswordHasher({ memoryKiB: 19_456, iterations: 2 }).hash(SCALE_PASSWORD),
      onProgress: ({ table, done, total }) => {
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        process.stdout.write(`${seconds.padStart(7)} s  ${table}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')}\n`);
      },
    });
    const now = systemClock.now();
    const statements =
      count('statements') === 0
        ? null
        : await loadPostgresXapiStatements(pool, {
            statements: count('statements'),
            readers: count('readers'),
            activities: Math.max(1, count('activities')),
            spanMs: count('days') * DAY_MS,
            now,
            onProgress: ({ table, done, total }) => {
              const seconds = ((performance.now() - started) / 1000).toFixed(1);
              process.stdout.write(`${seconds.padStart(7)} s  ${table}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')}\n`);
            },
          });
    if (statements) process.stdout.write(`${statements.statements} xAPI statements (${statements.rows} rows with their targets, agents and activities)\n`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`done in ${seconds} s: ${result.readers} readers, ${result.milestones} milestones, ${result.events} events -> ${url.toString()}\n`);
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
