import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { systemClock, type Store } from '../src/domain/index.js';
import { openPostgresStore } from '../src/postgres/postgres-store.js';
import { openSqliteStore } from '../src/sqlite/sqlite-store.js';

/**
 * The batched write path of each engine, in-process through the Store (no HTTP): `--writers`
 * concurrent loops of logActivity and upsertMilestone for `--seconds`, then the same with one
 * writer (one commit per write), on SQLite and PostgreSQL in one run:
 *
 *   npx tsx bench/store-writes.ts --engine both [--seconds 5] [--writers 50]
 *
 * PostgreSQL at READPULSE_BENCH_DATABASE_URL (default postgres://root@127.0.0.1:5432/postgres);
 * a database readpulse_bench_<pid> is made there and dropped afterwards.
 */
const ENGINES = ['sqlite', 'postgres'] as const;
type Engine = (typeof ENGINES)[number];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engine: { type: 'string', default: 'both' },
      seconds: { type: 'string', default: '5' },
      writers: { type: 'string', default: '50' },
    },
  });
  const engines: Engine[] = values.engine === 'both' ? [...ENGINES] : [values.engine as Engine];
  if (!engines.every((e) => (ENGINES as readonly string[]).includes(e))) throw new Error('--engine must be sqlite, postgres or both');
  const seconds = Number(values.seconds);
  const writers = Number(values.writers);
  const rows: string[] = [];
  for (const engine of engines) {
    for (const concurrency of [writers, 1]) {
      const { store, cleanUp } = await openFresh(engine);
      try {
        const result = await measure(store, concurrency, seconds);
        rows.push(
          `| ${engine} | ${concurrency} | ${result.writes} | ${Math.round(result.writes / seconds)} | ${result.p50.toFixed(1)} | ${result.p99.toFixed(1)} |`,
        );
        process.stderr.write(`${rows[rows.length - 1]}\n`);
      } finally {
        await store.operations.close();
        await cleanUp();
      }
    }
  }
  process.stdout.write(
    ['| engine | writers | writes | writes/s | p50 ms | p99 ms |', '|---|---|---|---|---|---|', ...rows].join('\n') + '\n',
  );
}

async function openFresh(engine: Engine): Promise<{ store: Store; cleanUp: () => Promise<void> }> {
  if (engine === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'readpulse-store-bench-'));
    return { store: openSqliteStore({ path: join(dir, 'bench.db'), clock: systemClock }), cleanUp: () => rm(dir, { recursive: true, force: true }) };
  }
  const server = process.env.READPULSE_BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
  const name = `readpulse_bench_${process.pid}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { store: await openPostgresStore({ url: url.toString(), clock: systemClock }), cleanUp: () => admin(`DROP DATABASE ${name} WITH (FORCE)`) };
}

async function measure(store: Store, concurrency: number, seconds: number) {
  const readers = await Promise.all(
    Array.from({ length: concurrency }, (_, i) =>
      store.users.createUser({ email: `w${i}@bench.test`, name: `W ${i}`, role: 'reader', passwordHash: 'x' }),
    ),
  );
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    readers.map(async (reader, w) => {
      for (let i = 0; performance.now() < until; i += 1) {
        const started = performance.now();
        if (i % 4 === 3) await store.progress.upsertMilestone(reader.id, { chapterId: `ch-${i % 20}`, status: 'started', score: i % 100 });
        else await store.activity.logActivity(reader.id, { actionType: 'PAGE_VIEW', metadata: { w, i } });
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { writes: latencies.length, p50: at(0.5), p99: at(0.99) };
}

await main();
