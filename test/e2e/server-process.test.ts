import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SqliteDriver as Database } from '../../src/sqlite/sqlite-driver.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashSessionToken } from '../../src/auth/session-token.js';
import { systemClock } from '../../src/domain/index.js';
import { openSqliteStore } from '../../src/sqlite/sqlite-store.js';
import { ensureServerBuilt } from '../support/build-server.js';
import { createPasswordHasher } from '../../src/auth/password-hasher.js';
import { REPO_ROOT } from '../support/build-server.js';
import { READPULSE_BIN, readpulseEnv, runReadpulse } from '../support/run-readpulse.js';
import { cleanUp, logLines, makeTempDir, sleep, startServer as startServerProcess, type Exit, type ServerProcess } from '../support/server-process.js';

const READER = { email: 'rita.reader@example.test', password: 'rita-reads-a-lot', name: 'Rita Reader' };
const CONSULTANT = { email: 'carl.consultant@example.test', password: 'carl-watches-closely', name: 'Carl Consultant' };

/** Every path of the HTTP contract (docs API.md), in OpenAPI's `{param}` form. */
const CONTRACT_PATHS = [
  '/api/auth/register',
  '/api/auth/login',
  '/api/auth/logout',
  '/api/me',
  '/api/me/password',
  '/api/me/milestones/{chapterId}',
  '/api/me/milestones',
  '/api/me/activity',
  '/api/readers',
  '/api/readers/{id}/progress',
  '/api/readers/{id}/activity',
  '/api/consultant/dashboard/live',
  '/api/consultant/dashboard/stream',
  '/healthz',
  '/metrics',
];

beforeAll(() => ensureServerBuilt(), 120_000);

afterEach(cleanUp);

/** A server on its own temporary database, whose log so far is all JSON and whose address is real. */
async function startServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ env });
  logLines(server.stdout(), { strict: true });
  expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(server.baseUrl).not.toMatch(/:0$/);
  return server;
}

interface Reply {
  readonly status: number;
  readonly body: any;
  readonly headers: Headers;
}

async function call(server: ServerProcess, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, body: type.includes('json') && text !== '' ? JSON.parse(text) : text, headers: response.headers };
}

async function registerReader(server: ServerProcess): Promise<{ id: number; token: string }> {
  const registered = await call(server, 'POST', '/api/auth/register', { body: READER });
  expect(registered.status).toBe(201);
  expect(registered.body.user).toMatchObject({ email: READER.email, name: READER.name, role: 'reader', lastActiveAt: null });
  expect(registered.body.token).toEqual(expect.any(String));
  return { id: registered.body.user.id as number, token: registered.body.token as string };
}

async function logProgress(server: ServerProcess, token: string): Promise<void> {
  const milestone = await call(server, 'PUT', '/api/me/milestones/ch01', { token, body: { status: 'completed', score: 88 } });
  expect(milestone.status).toBe(200);
  expect(milestone.body.milestone).toMatchObject({ chapterId: 'ch01', status: 'completed', score: 88 });
  const stuck = await call(server, 'PUT', '/api/me/milestones/ch02', { token, body: { status: 'stuck' } });
  expect(stuck.status).toBe(200);
  const activity = await call(server, 'POST', '/api/me/activity', { token, body: { actionType: 'PAGE_VIEW', metadata: { chapterId: 'ch02', page: 4 } } });
  expect(activity.status).toBe(201);
  expect(activity.body.event).toMatchObject({ actionType: 'PAGE_VIEW', metadata: { chapterId: 'ch02', page: 4 } });
}

function expectNoSecretsIn(log: string, secrets: readonly string[]): void {
  for (const secret of secrets) expect(log.includes(secret), `the log contains "${secret}"`).toBe(false);
}

describe('the readpulse server process', () => {
  it('logs the address it really listens on and answers /healthz with 200 {status: "ok"}', async () => {
    const server = await startServer();
    const health = await call(server, 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    expect(existsSync(server.dbFile)).toBe(true);
  });

  it('serves an OpenAPI 3 document that lists every path of the HTTP contract', async () => {
    const server = await startServer();
    const openapi = await call(server, 'GET', '/api/openapi.json');
    expect(openapi.status).toBe(200);
    expect(String(openapi.body.openapi)).toMatch(/^3\./);
    const paths = Object.keys(openapi.body.paths ?? {});
    const missing = CONTRACT_PATHS.filter((path) => !paths.includes(path));
    expect(missing, `paths missing from /api/openapi.json (it lists ${paths.join(', ')})`).toEqual([]);
  });

  it("a consultant created with the CLI while the server runs sees a new reader's progress, live within 2 s, and an online backup holds both", async () => {
    const server = await startServer();
    const created = await runReadpulse(['user', 'create', '--email', CONSULTANT.email, '--role', 'consultant', '--name', CONSULTANT.name], {
      ...server.env,
      READPULSE_LOG_LEVEL: 'silent',
      READPULSE_PASSWORD: CONSULTANT.password,
    });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(CONSULTANT.email);

    const reader = await registerReader(server);
    const progressStartedAt = Date.now();
    await logProgress(server, reader.token);
    const readerSeenAt = Date.now();

    const login = await call(server, 'POST', '/api/auth/login', { body: { email: CONSULTANT.email, password: CONSULTANT.password } });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ email: CONSULTANT.email, role: 'consultant', name: CONSULTANT.name });
    const consultant = login.body.token as string;

    const readers = await call(server, 'GET', '/api/readers?search=rita', { token: consultant });
    expect(readers.status).toBe(200);
    expect(readers.body.readers).toEqual([
      expect.objectContaining({ id: reader.id, email: READER.email, role: 'reader', counts: { started: 0, completed: 1, stuck: 1 } }),
    ]);
    expect(readers.body.nextCursor).toBeNull();

    const progress = await call(server, 'GET', `/api/readers/${reader.id}/progress`, { token: consultant });
    expect(progress.status).toBe(200);
    expect(progress.body.reader).toMatchObject({ id: reader.id, email: READER.email });
    expect(progress.body.milestones).toEqual([
      expect.objectContaining({ chapterId: 'ch01', status: 'completed', score: 88 }),
      expect.objectContaining({ chapterId: 'ch02', status: 'stuck', score: null }),
    ]);

    const activity = await call(server, 'GET', `/api/readers/${reader.id}/activity`, { token: consultant });
    expect(activity.status).toBe(200);
    expect(activity.body.events).toEqual([expect.objectContaining({ actionType: 'PAGE_VIEW' })]);

    let live: Reply;
    do {
      live = await call(server, 'GET', '/api/consultant/dashboard/live', { token: consultant });
      expect(live.status).toBe(200);
      if (live.body.readers.some((r: { id: number }) => r.id === reader.id)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } while (Date.now() - readerSeenAt < 2_000);
    expect(live.body.windowSeconds).toBe(60);
    const onLive = live.body.readers.find((r: { id: number }) => r.id === reader.id);
    expect(onLive, 'the reader is on the live dashboard within 2 s').toBeDefined();
    expect(Date.parse(onLive.lastActiveAt)).toBeGreaterThanOrEqual(progressStartedAt);
    expect(Date.parse(onLive.lastActiveAt)).toBeLessThanOrEqual(readerSeenAt);
    expect(live.body.readers.every((r: { role: string }) => r.role === 'reader')).toBe(true);

    const copy = join(server.dir, 'online-backup.db');
    const backup = await runReadpulse(['backup', copy], { ...server.env, READPULSE_LOG_LEVEL: 'silent' });
    expect(backup.code, backup.stderr).toBe(0);
    const copied = new Database(copy, { readonly: true });
    try {
      expect(copied.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copied.prepare('SELECT email, role FROM users ORDER BY email').all()).toEqual([
        { email: CONSULTANT.email, role: 'consultant' },
        { email: READER.email, role: 'reader' },
      ]);
      expect(copied.prepare('SELECT count(*) FROM milestones WHERE user_id = ?').pluck().get(reader.id)).toBe(2);
    } finally {
      copied.close();
    }

    const forbidden = await call(server, 'GET', '/api/readers', { token: reader.token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toContain('application/problem+json');
    expect(forbidden.body.code).toBe('forbidden');

    expectNoSecretsIn(server.stdout() + server.stderr(), [READER.password, reader.token, CONSULTANT.password, consultant]);
  });

  it('on SIGTERM exits 0 within 10 s, having flushed heartbeats, checkpointed the WAL and logged no credentials', async () => {
    // A long flush interval, so the reader's last heartbeat is still in memory at SIGTERM.
    const server = await startServer({ READPULSE_HEARTBEAT_FLUSH_MS: '10000' });
    const reader = await registerReader(server);
    await logProgress(server, reader.token);
    const wrong = await call(server, 'POST', '/api/auth/login', { body: { email: READER.email, password: `${READER.password}-typo` } });
    expect(wrong.status).toBe(401);
    const login = await call(server, 'POST', '/api/auth/login', { body: { email: READER.email, password: READER.password } });
    expect(login.status).toBe(200);
    const secondToken = login.body.token as string;

    const lastRequestAt = Date.now();
    const me = await call(server, 'GET', '/api/me', { token: reader.token });
    expect(me.status).toBe(200);

    const exit = await server.stop('SIGTERM', 10_000);
    expect(exit).toEqual({ code: 0, signal: null });

    const log = logLines(server.stdout(), { strict: true });
    expect(log.map((line) => line.msg)).toEqual(expect.arrayContaining(['ReadPulse is listening', 'shutting down', 'stopped']));
    expectNoSecretsIn(server.stdout() + server.stderr(), [READER.password, `${READER.password}-typo`, reader.token, secondToken]);

    const wal = `${server.dbFile}-wal`;
    expect(existsSync(wal) ? statSync(wal).size : 0, 'the -wal file is empty or absent after shutdown').toBe(0);

    const store = openSqliteStore({ path: server.dbFile, clock: systemClock });
    try {
      const stored = await store.users.getUserById(reader.id);
      expect(stored?.lastActiveAt, "the reader's last heartbeat was written on shutdown").not.toBeNull();
      expect(stored!.lastActiveAt!).toBeGreaterThanOrEqual(lastRequestAt);
      const session = await store.sessions.findSession(hashSessionToken(reader.token));
      // A session's stored last-seen time moves at the resolution idle expiry needs (1 % of the
      // 24 h idle timeout), so it may be as old as the sign-in, but no older.
      expect(session?.session.lastSeenAt).toBeGreaterThanOrEqual(lastRequestAt - 24 * 60 * 60_000 / 100);
      expect(await store.progress.getMyMilestones(reader.id)).toHaveLength(2);
      expect((await store.activity.listActivity(reader.id, { limit: 10 })).items).toHaveLength(1);
    } finally {
      await store.operations.close();
    }
  });

  it('with its stdout closed (the log reader gone, as `readpulse serve | head -1`), exits 0 on SIGTERM within the shutdown deadline, every acknowledged write kept', async () => {
    const dbFile = join(makeTempDir(), 'readpulse.db');
    const port = await freePort();
    const child = spawn(process.execPath, [READPULSE_BIN, 'serve'], {
      cwd: REPO_ROOT,
      env: readpulseEnv({ PORT: String(port), HOST: '127.0.0.1', READPULSE_DB: dbFile, READPULSE_LOG_LEVEL: 'info', READPULSE_SHUTDOWN_TIMEOUT_SECONDS: '5' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    try {
      // Like `head -1`: read the first line, then close the pipe while the server is still starting.
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.destroy();
      const base = `http://127.0.0.1:${port}`;
      for (let ready = false; !ready; ) {
        ready = await fetch(`${base}/healthz`).then((r) => r.status === 200, () => false);
        if (!ready) await sleep(50);
      }
      const registered = await fetch(`${base}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(READER),
      });
      expect(registered.status).toBe(201);
      const { token, user } = (await registered.json()) as { token: string; user: { id: number } };
      let acknowledged = 0;
      for (let i = 0; i < 40; i += 1) {
        const response = await fetch(`${base}/api/me/activity`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ actionType: 'PAGE_VIEW', metadata: { page: i } }),
        });
        if (response.status === 201) acknowledged += 1;
      }
      expect(acknowledged).toBe(40);

      child.kill('SIGTERM');
      // The contract's own figure: the shutdown deadline (5 s here), plus a second for the process to go.
      const exit = await Promise.race([exited, sleep(6_000).then(() => 'still running' as const)]);
      expect(exit).toEqual({ code: 0, signal: null });

      const store = openSqliteStore({ path: dbFile, clock: systemClock });
      try {
        expect((await store.activity.listActivity(user.id, { limit: 100 })).items).toHaveLength(acknowledged);
      } finally {
        await store.operations.close();
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });

  it("a reader's own export of a long history streams in bounded memory: the server's RSS grows by less than the download's size", async () => {
    // 24,000 events of about 3.9 KB of metadata: a 90 MiB download. The old-space cap makes the
    // garbage collector work as on a small machine; an export built in memory cannot fit in it.
    const dbFile = join(makeTempDir(), 'readpulse.db');
    const seeded = openSqliteStore({ path: dbFile, clock: systemClock });
    const hasher = createPasswordHasher({ memoryKiB: 19_456, iterations: 2 });
    const reader = await seeded.users.createUser({ email: READER.email, name: READER.name, role: 'reader', passwordHash: await hasher.hash(READER.password) });
    // Twice the heap cap and more, so an export built in memory could not fit, while a streamed one
    // (whose RSS also holds socket buffers, more on some Node versions) stays well below the download.
    const events = 48_000;
    for (let i = 0; i < events; i += 1_000) {
      await seeded.activity.logActivities(
        reader.id,
        Array.from({ length: 1_000 }, (_, j) => ({ actionType: 'PAGE_VIEW', metadata: { n: i + j, note: 'x'.repeat(3_900) } })),
      );
    }
    await seeded.operations.close();

    const server = await startServerProcess({ dbFile, env: { NODE_OPTIONS: '--max-old-space-size=64' } });
    const login = await call(server, 'POST', '/api/auth/login', { body: { email: READER.email, password: READER.password } });
    expect(login.status).toBe(200);
    await sleep(500);
    const rssOf = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))![1]) * 1024;
    const before = rssOf();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf());
    }, 10);
    let bytes = 0;
    let tail = '';
    try {
      const response = await fetch(`${server.baseUrl}/api/me/export`, { headers: { authorization: `Bearer ${login.body.token}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const decoder = new TextDecoder();
      for await (const chunk of response.body!) {
        bytes += chunk.length;
        tail = (tail + decoder.decode(chunk, { stream: true })).slice(-200);
      }
    } finally {
      clearInterval(sampler);
    }
    expect(bytes).toBeGreaterThan(events * 3_900);
    expect(peak - before, `RSS grew from ${before >> 20} MiB to ${peak >> 20} MiB for a ${bytes >> 20} MiB download`).toBeLessThan(bytes);
    expect(tail).toMatch(/xxx"\},"createdAt":"[^"]+"\}\],"accessLog":\[\]\}$/);
    expect((await call(server, 'GET', '/healthz')).status).toBe(200);
  }, 120_000);
});

/** A TCP port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
