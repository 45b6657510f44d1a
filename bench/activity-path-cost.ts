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
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

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
/** USER_HZ, 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

/** What PostgreSQL spent on one database: its backends' CPU and the server's WAL position. */
class PostgresSide {
  private readonly admin: pg.Client;
  private cpuMark = new Map<number, number>();
  private walMark = '0/0';
  constructor(readonly database: string) {
    this.admin = new pg.Client({ connectionString: ADMIN_URL });
  }
  get url(): string {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${this.database}`;
    return url.href;
  }
  async create(): Promise<void> {
    await this.admin.connect();
    await this.admin.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await this.admin.query(`CREATE DATABASE ${this.database}`);
  }
  async drop(): Promise<void> {
    await this.admin.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await this.admin.end();
  }
  /** CPU milliseconds of each backend connected to the database. */
  private async backendCpu(): Promise<Map<number, number>> {
    const { rows } = await this.admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [this.database]);
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND);
      } catch {
        // the backend ended between the two reads
      }
    }
    return cpu;
  }
  private async wal(): Promise<string> {
    return (await this.admin.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
  }
  async mark(): Promise<void> {
    this.cpuMark = await this.backendCpu();
    this.walMark = await this.wal();
  }
  /** CPU microseconds and WAL bytes since mark(). A backend started since counts whole. */
  async since(): Promise<{ cpuMicros: number; walBytes: number }> {
    const now = await this.backendCpu();
    let cpuMs = 0;
    for (const [pid, ms] of now) cpuMs += ms - (this.cpuMark.get(pid) ?? 0);
    const wal = await this.admin.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS bytes', [
      this.walMark,
    ]);
    return { cpuMicros: cpuMs * 1000, walBytes: Number(wal.rows[0]!.bytes) };
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
