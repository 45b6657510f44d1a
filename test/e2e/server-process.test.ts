import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteDriver as Database } from '../../src/sqlite/sqlite-driver.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashSessionToken } from '../../src/auth/session-token.js';
import { systemClock } from '../../src/domain/index.js';
import { openSqliteStore } from '../../src/sqlite/sqlite-store.js';
import { ensureServerBuilt } from '../support/build-server.js';
import { runReadpulse } from '../support/run-readpulse.js';
import { cleanUp, logLines, startServer as startServerProcess, type ServerProcess } from '../support/server-process.js';

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
});
