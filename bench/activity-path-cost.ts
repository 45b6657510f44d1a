/**
 * CPU time per activity POST through the whole app in one process, without sockets: the built
 * server (`dist/`, or the build given with --dist) wired as production wires it, logs at `info`
 * into a sink that counts lines, rate limits off, and `app.inject` sending activity POSTs 100 at
 * a time (so the group commit sees batches as under wrk's 100 connections), a different reader's
 * token on each. Reports process CPU microseconds per request, which a shared machine's noise
 * moves far less than wrk's requests per second; it leaves out the HTTP parser and the socket
 * writes (the same for the bare node:http ceiling), so it shows what the app itself costs.
 *
 * With `--engine postgres` the app runs on a fresh database `readpulse_bench_cost_<pid>` at
 * READPULSE_BENCH_POSTGRES_URL (default postgres://root@127.0.0.1:5432/postgres), dropped at the
 * end, and the report adds PostgreSQL's side of each request: the CPU time of the backends serving
 * that database (/proc/<pid>/stat) and the WAL it wrote (pg_current_wal_lsn, so other work on the
 * same PostgreSQL server counts too: run it on a quiet server).
 *
 *   npx tsx bench/activity-path-cost.ts [--dist DIR] [--requests N] [--readers N] [--engine sqlite|postgres]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { PostgresCost } from './process-cost.js';

const { values } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    requests: { type: 'string', default: '40000' },
    readers: { type: 'string', default: '1000' },
    engine: { type: 'string', default: 'sqlite' },
  },
});
const distDir = resolve(values.dist);
const total = Number(values.requests);
const readerCount = Number(values.readers);
if (values.engine !== 'sqlite' && values.engine !== 'postgres') throw new Error('--engine must be sqlite or postgres');
const ADMIN_URL = process.env.READPULSE_BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

/** A fresh database for the run, and PostgreSQL's side of it. */
class PostgresSide extends PostgresCost {
  constructor(database: string) {
    super(ADMIN_URL, database);
  }
  get url(): string {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${this.database}`;
    return url.href;
  }
  async create(): Promise<void> {
    await this.connect();
    await this.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await this.query(`CREATE DATABASE ${this.database}`);
  }
  async drop(): Promise<void> {
    await this.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await this.end();
  }
}
const IN_FLIGHT = 100;
const load = (path: string): Promise<any> => import(pathToFileURL(join(distDir, path)).href);

const [{ loadConfig }, { createServerLogger }, { assembleServer }, { newSessionToken }, { systemClock }] = await Promise.all([
  load('config.js'),
  load('logger.js'),
  load('main.js'),
  load('auth/session-token.js'),
  load('domain/index.js'),
]);

const dir = mkdtempSync(join(tmpdir(), 'readpulse-path-cost-'));
const postgres = values.engine === 'postgres' ? new PostgresSide(`readpulse_bench_cost_${process.pid}`) : undefined;
let lines = 0;
try {
  await postgres?.create();
  const config = loadConfig({
    READPULSE_DB: join(dir, 'bench.db'),
    ...(postgres ? { READPULSE_DATABASE_URL: postgres.url } : {}),
    READPULSE_LOG_LEVEL: 'info',
    READPULSE_RATE_LIMITS: 'off',
  });
  const logger = createServerLogger(config, { write: () => void (lines += 1) });
  const { app, store } = await assembleServer(config, systemClock, logger.log, { webRoot: join(dir, 'no-web') });
  await app.ready();

  const tokens: string[] = [];
  for (let i = 0; i < readerCount; i += 1) {
    const user = await store.users.createUser({ email: `r${i}@bench.readpulse.test`, name: '', role: 'reader', passwordHash: 'x' });
    const { token, tokenHash } = newSessionToken();
    const now = systemClock.now();
    await store.sessions.createSession({ tokenHash, userId: user.id, createdAt: now, lastSeenAt: now, expiresAt: now + 86_400_000 });
    tokens.push(token);
  }

  let sent = 0;
  const run = async (count: number): Promise<void> => {
    for (let done = 0; done < count; done += IN_FLIGHT) {
      const answers = await Promise.all(
        Array.from({ length: Math.min(IN_FLIGHT, count - done) }, () => {
          sent += 1;
          return app.inject({
            method: 'POST',
            url: '/api/me/activity',
            headers: { authorization: `Bearer ${tokens[sent % tokens.length]}`, 'content-type': 'application/json' },
            payload: `{"actionType":"PAGE_VIEW","metadata":{"page":${sent % 300}}}`,
          });
        }),
      );
      for (const answer of answers) if (answer.statusCode !== 201) throw new Error(`status ${answer.statusCode}: ${answer.body}`);
    }
  };

  await run(Math.min(10_000, total)); // warm-up: JIT, the session cache
  const linesBefore = lines;
  await postgres?.mark();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await run(total);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - startedAt;
  const database = await postgres?.since();
  logger.flushSync();
  const cpuUs = cpu.user + cpu.system;
  console.log(
    JSON.stringify({
      dist: values.dist,
      requests: total,
      cpuMicrosPerRequest: Math.round((cpuUs / total) * 10) / 10,
      wallMicrosPerRequest: Math.round(((wallMs * 1000) / total) * 10) / 10,
      logLinesPerRequest: (lines - linesBefore) / total,
      ...(database
        ? {
            postgresCpuMicrosPerRequest: Math.round((database.cpuMicros / total) * 10) / 10,
            walBytesPerRequest: Math.round(database.walBytes / total),
            commitsPerRequest: Math.round((database.commits / total) * 1000) / 1000,
            rowsUpdatedPerRequest: Math.round((database.rowsUpdated / total) * 1000) / 1000,
          }
        : {}),
    }),
  );
  logger.stop();
  await app.close();
} finally {
  await postgres?.drop();
  rmSync(dir, { recursive: true, force: true });
}
