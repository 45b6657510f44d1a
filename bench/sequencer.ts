import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { loadMigrations } from '../src/postgres/migrate.js';

/**
 * The live-event sequencer alone: `--writers` concurrent pgbench connections each commit
 * single-row activity inserts (one event-bearing transaction each) for `--seconds`, on a
 * database migrated up to 007 (the advisory lock at commit, ADR 0019), on one migrated up to 015
 * (snapshots and a ticker, ADR 0022, with each activity row copied into live_events), on one
 * migrated to the end (the same, with activity rows read where they are stored, migration 016;
 * the ticker runs every 50 ms as an instance would), and, as the ceiling, on the last with the
 * rows not live (no live events at all), in one run. Needs pgbench (Debian: postgresql-client).
 *
 *   npm run bench -- --sequencer [--writers 8] [--duration 5] [--rounds 3]
 *
 * Prints commits/s per round and the median per schema. PostgreSQL at READPULSE_BENCH_POSTGRES_URL
 * (default postgres://root@127.0.0.1:5432/postgres); databases readpulse_bench_seq_<pid>_* are
 * made there and dropped afterwards.
 */
const run = promisify(execFile);
const SERVER_URL = process.env.READPULSE_BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

function urlOf(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A fresh database with the migrations up to `upTo` applied and one reader; returns its URL. */
async function freshDatabase(name: string, upTo: number, then?: string): Promise<string> {
  await onServer(`DROP DATABASE IF EXISTS ${name}`);
  await onServer(`CREATE DATABASE ${name}`);
  const client = new pg.Client({ connectionString: urlOf(name) });
  await client.connect();
  try {
    for (const migration of loadMigrations().filter((m) => m.version <= upTo)) await client.query(migration.sql);
    await client.query(`INSERT INTO users (id, email, name, password_hash, role, created_at, search_key)
      VALUES (1, 'r@bench.test', 'Reader', 'x', 'reader', 0, 'r')`);
    if (then) await client.query(then);
  } finally {
    await client.end();
  }
  return urlOf(name);
}

/**
 * Commits per second from `writers` pgbench connections inserting one activity row per
 * transaction (pgbench, as the figures this replaces were taken: no Node.js client in the loop),
 * while this process ticks every 50 ms when `ticker` is set.
 */
async function measure(url: string, writers: number, seconds: number, ticker: boolean): Promise<number> {
  const script = join(await mkdtemp(join(tmpdir(), 'readpulse-seq-')), 'insert.sql');
  await writeFile(script, "INSERT INTO activity_logs (user_id, action_type, created_at) VALUES (1, 'PAGE_VIEW', 1);\n");
  const target = new URL(url);
  const tickClient = new pg.Client({ connectionString: url });
  await tickClient.connect();
  let running = true;
  const tickLoop = (async () => {
    while (ticker && running) {
      await tickClient.query('SELECT live_tick(40)');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    const args = ['-h', target.hostname, '-p', target.port || '5432', '-U', decodeURIComponent(target.username) || 'postgres'];
    const { stdout } = await run('pgbench', [...args, '-n', '-c', String(writers), '-j', '2', '-T', String(seconds), '-f', script, target.pathname.slice(1)]);
    const tps = /tps = ([\d.]+)/.exec(stdout);
    if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
    return Number(tps[1]);
  } finally {
    running = false;
    await tickLoop;
    await tickClient.end();
    await rm(dirname(script), { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** `npm run bench -- --sequencer [--writers 8] [--duration 5] [--rounds 3]`. */
export async function runSequencerBench(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--sequencer'),
    options: { writers: { type: 'string', default: '8' }, duration: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' } },
    strict: true,
  });
  const writers = Number(values.writers);
  const seconds = Number(values.duration);
  const rounds = Number(values.rounds);
  const last = Math.max(...loadMigrations().map((m) => m.version));
  const schemas = [
    { label: 'before: advisory lock at commit (migrations to 007)', upTo: 7, ticker: false },
    { label: 'snapshots and a ticker, each activity row copied into live_events (migrations to 015)', upTo: 15, ticker: true },
    { label: `after: snapshots and a ticker, activity read where it is stored (migrations to ${String(last).padStart(3, '0')})`, upTo: last, ticker: true },
    { label: 'ceiling: no live events (activity rows not live)', upTo: last, ticker: false, drop: 'ALTER TABLE activity_logs ALTER COLUMN xid DROP DEFAULT' },
  ];
  const results = schemas.map(() => [] as number[]);
  try {
    // Rounds alternate the schemas, so a noisy neighbour skews them alike.
    for (let round = 0; round < rounds; round += 1) {
      for (const [i, schema] of schemas.entries()) {
        const url = await freshDatabase(`readpulse_bench_seq_${process.pid}_${i}`, schema.upTo, schema.drop);
        const rate = await measure(url, writers, seconds, schema.ticker);
        results[i]!.push(rate);
        console.log(`round ${round + 1}, ${schema.label}: ${Math.round(rate)} commits/s`);
      }
    }
  } finally {
    for (const i of schemas.keys()) await onServer(`DROP DATABASE IF EXISTS readpulse_bench_seq_${process.pid}_${i}`);
  }
  console.log(`\n| schema | ${writers} writers, event-bearing commits/s (median of ${rounds}) |\n|---|---|`);
  for (const [i, schema] of schemas.entries()) console.log(`| ${schema.label} | ${Math.round(median(results[i]!)).toLocaleString('en')} |`);
  const ratio = median(results[2]!) / median(results[0]!);
  const ofCeiling = median(results[2]!) / median(results[3]!);
  console.log(`\nafter / before: ${ratio.toFixed(2)}; after / ceiling: ${ofCeiling.toFixed(2)}`);
}

if (process.argv[1]?.endsWith('sequencer.ts')) await runSequencerBench(process.argv.slice(2));
