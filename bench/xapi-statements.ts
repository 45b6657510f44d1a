import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { createPasswordHasher } from '../src/auth/password-hasher.js';
import { loadConfig } from '../src/config.js';
import { systemClock } from '../src/domain/index.js';
import { assembleServer } from '../src/main.js';
import { createLrsCredential } from '../src/xapi/lrs-credentials.js';

/**
 * Statements per second the LRS accepts over HTTP (POST /xapi/statements: one statement per
 * request, and batches of 50), beside the reader's own POST /api/me/activity in the same run, on
 * each engine: `--clients` concurrent keep-alive loops for `--seconds`, three rounds each, the
 * median reported.
 *
 *   npx tsx bench/xapi-statements.ts --engine both [--seconds 5] [--clients 20]
 *
 * PostgreSQL at READPULSE_BENCH_DATABASE_URL (default postgres://root@127.0.0.1:5432/postgres);
 * a database readpulse_xapi_bench_<pid> is made there and dropped afterwards.
 */
const ENGINES = ['sqlite', 'postgres'] as const;
type Engine = (typeof ENGINES)[number];
const ROUNDS = 3;

interface Target {
  readonly name: string;
  /** Statements (or events) one request carries. */
  readonly perRequest: number;
  request(): { url: string; init: RequestInit };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { engine: { type: 'string', default: 'both' }, seconds: { type: 'string', default: '5' }, clients: { type: 'string', default: '20' } },
  });
  const engines: Engine[] = values.engine === 'both' ? [...ENGINES] : [values.engine as Engine];
  const seconds = Number(values.seconds);
  const clients = Number(values.clients);
  const rows: string[] = [];
  for (const engine of engines) {
    const server = await startServer(engine);
    try {
      for (const target of server.targets) {
        const rates: number[] = [];
        for (let round = 0; round < ROUNDS; round++) rates.push(await measure(server.base, target, clients, seconds));
        rates.sort((a, b) => a - b);
        const median = rates[Math.floor(rates.length / 2)]!;
        rows.push(`| ${engine} | ${target.name} | ${Math.round(median / target.perRequest)} | ${Math.round(median)} |`);
        process.stderr.write(`${rows[rows.length - 1]}\n`);
      }
    } finally {
      await server.stop();
    }
  }
  process.stdout.write(['| engine | request | requests/s | statements (events)/s |', '|---|---|---|---|', ...rows].join('\n') + '\n');
}

/** Completed items per second over `seconds` with `clients` loops. */
async function measure(base: string, target: Target, clients: number, seconds: number): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let items = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const { url, init } = target.request();
        const response = await fetch(base + url, init);
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`${target.name}: ${response.status}`);
        items += target.perRequest;
      }
    }),
  );
  return items / seconds;
}

async function startServer(engine: Engine) {
  const dir = await mkdtemp(join(tmpdir(), 'readpulse-xapi-bench-'));
  const adminUrl = process.env.READPULSE_BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
  const database = `readpulse_xapi_bench_${process.pid}`;
  let databaseUrl: string | null = null;
  if (engine === 'postgres') {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  }
  const config = loadConfig({
    READPULSE_LOG_LEVEL: 'silent',
    READPULSE_RATE_LIMITS: 'off',
    ...(databaseUrl ? { READPULSE_DATABASE_URL: databaseUrl } : { READPULSE_DB: join(dir, 'bench.db') }),
  });
  const hasher = createPasswordHasher({ memoryKiB: 256, iterations: 1 });
  const parts = await assembleServer(config, systemClock, pino({ level: 'silent' }), { webRoot: join(dir, 'no-web'), hasher });
  const base = await parts.app.listen({ port: 0, host: '127.0.0.1' });
  parts.presence.start();
  await parts.store.users.createUser({ email: 'ada@bench.test', name: 'Ada', role: 'reader', passwordHash: await hasher.hash('bench password 1') });
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ada@bench.test', password: 'bench password 1' }),
  });
  const { token } = (await login.json()) as { token: string };
  const { credential, secret } = await createLrsCredential(parts.store.lrsCredentials, 'bench');
  const lrsHeaders = {
    authorization: `Basic ${Buffer.from(`${credential.key}:${secret}`).toString('base64')}`,
    'x-experience-api-version': '2.0.0',
    'content-type': 'application/json',
  };
  const statement = (n: number) => ({
    actor: { mbox: n % 2 === 0 ? 'mailto:ada@bench.test' : `mailto:learner${n % 1000}@bench.test` },
    verb: { id: 'http://adlnet.gov/expapi/verbs/answered' },
    object: { id: `https://books.bench.test/chapter-${n % 20}/question-${n % 7}` },
    result: { score: { scaled: (n % 10) / 10 }, success: n % 3 !== 0 },
  });
  let counter = 0;
  const targets: Target[] = [
    {
      name: 'POST /api/me/activity',
      perRequest: 1,
      request: () => ({
        url: '/api/me/activity',
        init: { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ actionType: 'PAGE_VIEW', metadata: { page: ++counter } }) },
      }),
    },
    { name: 'POST /xapi/statements (1)', perRequest: 1, request: () => ({ url: '/xapi/statements', init: { method: 'POST', headers: lrsHeaders, body: JSON.stringify(statement(++counter)) } }) },
    {
      name: 'POST /xapi/statements (batch of 50)',
      perRequest: 50,
      request: () => ({ url: '/xapi/statements', init: { method: 'POST', headers: lrsHeaders, body: JSON.stringify(Array.from({ length: 50 }, () => statement(++counter))) } }),
    },
  ];
  return {
    base,
    targets,
    async stop() {
      await parts.app.close();
      await parts.presence.stop();
      await parts.accessRecorder.stop();
      await parts.store.operations.close();
      if (engine === 'postgres') {
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await admin.end();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

await main();
