import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/auth/password-hasher.js';
import { hashSessionToken } from '../../src/auth/session-token.js';
import type { Config } from '../../src/config.js';
import { assembleServer } from '../../src/main.js';
import type { SqliteStore } from '../../src/sqlite/sqlite-store.js';
import { FakeClock } from '../support/fake-clock.js';
import { SESSION_CACHE_TTL_MS } from '../../src/auth/accounts.js';
import { testConfig } from '../support/test-app.js';

/**
 * OWASP ASVS session and credential checks (V2 passwords, V3 sessions, V14 headers) against the
 * app as production builds it: the default Argon2id hasher from config, not the cheap test one.
 */

const PASSWORD = 'a perfectly good password';

interface ProductionApp {
  readonly app: FastifyInstance;
  readonly store: SqliteStore;
  readonly config: Config;
  readonly dbPath: string;
  readonly clock: FakeClock;
  close(): Promise<void>;
}

const opened: ProductionApp[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh app on its own database, wired as main.ts wires it: no `hasher` override. */
async function buildProductionApp(options: { env?: Record<string, string>; webRoot?: string; dir?: string } = {}): Promise<ProductionApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'readpulse-asvs-'));
  if (!options.dir) dirs.push(dir);
  const dbPath = join(dir, 'asvs.db');
  const config = testConfig({ READPULSE_DB: dbPath, ...options.env });
  const clock = new FakeClock();
  const log = pino({ level: 'silent' });
  const { app, store: engineStore, presence } = await assembleServer(config, clock, log, { webRoot: options.webRoot ?? join(dir, 'no-web-build') });
  // These checks read the SQLite file and its WAL byte for byte; the config names no other engine.
  const store = engineStore as SqliteStore;
  await app.ready();
  let closed = false;
  const production: ProductionApp = {
    app,
    store,
    config,
    dbPath,
    clock,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await presence.stop();
      await store.operations.close();
    },
  };
  opened.push(production);
  return production;
}

const register = (p: ProductionApp, email: string, password = PASSWORD) =>
  p.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email, password, name: 'Asvs' } });
const login = (p: ProductionApp, email: string, password = PASSWORD) =>
  p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
const tokenOf = (response: LightMyRequestResponse) => (response.json() as { token: string }).token;
const me = (p: ProductionApp, token: string) => p.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
const storedHash = (p: ProductionApp, email: string) =>
  (p.store.db.prepare('SELECT password_hash AS h FROM users WHERE email = ?').get(email) as { h: string }).h;

function argon2Params(hash: string): { m: number; t: number; p: number } {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(hash);
  expect(match, `not an Argon2id v1.3 hash: ${hash.slice(0, 40)}`).not.toBeNull();
  return { m: Number(match![1]), t: Number(match![2]), p: Number(match![3]) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

describe('session tokens (ASVS V3)', () => {
  it('gives a new token of at least 128 bits at every sign-in: 10 sign-ins, 10 distinct 43-character base64url tokens', async () => {
    const p = await buildProductionApp();
    expect((await register(p, 'tokens@example.test')).statusCode).toBe(201);
    const tokens: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const response = await login(p, 'tokens@example.test');
      expect(response.statusCode).toBe(200);
      tokens.push(tokenOf(response));
    }
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32); // 256 bits
    }
    expect(new Set(tokens).size).toBe(10);
    const rows = p.store.db.prepare('SELECT token_hash FROM sessions').all() as { token_hash: string }[];
    expect(rows).toHaveLength(11); // the registration's session, and one per sign-in
    for (const token of tokens) expect((await me(p, token)).statusCode).toBe(200);
  });

  it('stores only token hashes: no raw token occurs anywhere in the database file or its WAL, each sha256 does', async () => {
    const p = await buildProductionApp();
    const tokens = [tokenOf(await register(p, 'raw-bytes@example.test'))];
    for (let i = 0; i < 5; i += 1) tokens.push(tokenOf(await login(p, 'raw-bytes@example.test')));
    const hashes = (p.store.db.prepare('SELECT token_hash FROM sessions').all() as { token_hash: string }[]).map((r) => r.token_hash);
    for (const token of tokens) expect(hashes).toContain(hashSessionToken(token));

    // While open, recent commits live in the WAL; after close they are checkpointed into the file.
    const walWhileOpen = existsSync(`${p.dbPath}-wal`) ? readFileSync(`${p.dbPath}-wal`) : Buffer.alloc(0);
    const fileWhileOpen = readFileSync(p.dbPath);
    await p.close();
    const fileAfterClose = readFileSync(p.dbPath);
    const walAfterClose = existsSync(`${p.dbPath}-wal`) ? readFileSync(`${p.dbPath}-wal`) : Buffer.alloc(0);
    expect(walWhileOpen.length + fileWhileOpen.length).toBeGreaterThan(0);

    for (const token of tokens) {
      for (const [name, bytes] of Object.entries({ walWhileOpen, fileWhileOpen, fileAfterClose, walAfterClose })) {
        expect(bytes.includes(token), `raw token found in ${name}`).toBe(false);
        expect(bytes.includes(Buffer.from(token, 'base64url')), `raw token bytes found in ${name}`).toBe(false);
      }
      const hash = hashSessionToken(token);
      expect(fileAfterClose.includes(hash) || walAfterClose.includes(hash), 'hash missing from the closed database').toBe(true);
    }
  });

  it("a password change ends the user's other sessions, bearer and cookie alike, and stores a fresh Argon2id hash", async () => {
    const p = await buildProductionApp();
    const current = tokenOf(await register(p, 'change@example.test'));
    const other = tokenOf(await login(p, 'change@example.test'));
    const cookieSession = tokenOf(await login(p, 'change@example.test'));
    const hashBefore = storedHash(p, 'change@example.test');

    const change = await p.app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: { authorization: `Bearer ${current}` },
      payload: { currentPassword: PASSWORD, newPassword: 'another good password' },
    });

    expect(change.statusCode).toBe(204);
    expect((await me(p, other)).statusCode).toBe(401);
    const byCookie = await p.app.inject({ method: 'GET', url: '/api/me', cookies: { readpulse_session: cookieSession } });
    expect(byCookie.statusCode).toBe(401);
    expect(byCookie.json()).toMatchObject({ code: 'unauthenticated' });
    expect((await me(p, current)).statusCode).toBe(200);
    const left = (p.store.db.prepare('SELECT token_hash FROM sessions').all() as { token_hash: string }[]).map((r) => r.token_hash);
    expect(left).toEqual([hashSessionToken(current)]);
    const hashAfter = storedHash(p, 'change@example.test');
    expect(hashAfter).not.toBe(hashBefore);
    expect(argon2Params(hashAfter)).toEqual({ m: 19_456, t: 2, p: 1 });
    expect((await login(p, 'change@example.test')).statusCode).toBe(401);
  });

  it("deleting a user removes their sessions, milestones and activity, and their old token is refused", async () => {
    const p = await buildProductionApp();
    const registered = await register(p, 'leaving@example.test');
    const { user, token } = registered.json() as { user: { id: number }; token: string };
    const auth = { authorization: `Bearer ${token}` };
    expect((await p.app.inject({ method: 'PUT', url: '/api/me/milestones/chapter-1', headers: auth, payload: { status: 'completed', score: 90 } })).statusCode).toBe(200);
    expect((await p.app.inject({ method: 'POST', url: '/api/me/activity', headers: auth, payload: { actionType: 'SUBMIT', metadata: { x: 1 } } })).statusCode).toBe(201);
    const stays = tokenOf(await register(p, 'staying@example.test'));

    await p.store.users.deleteUser(user.id);

    const rowsOf = (table: string) => (p.store.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`).get(user.id) as { n: number }).n;
    expect({ sessions: rowsOf('sessions'), milestones: rowsOf('milestones'), activity_logs: rowsOf('activity_logs') }).toEqual({
      sessions: 0,
      milestones: 0,
      activity_logs: 0,
    });
    expect(p.store.db.prepare('SELECT id FROM users WHERE id = ?').get(user.id)).toBeUndefined();
    // Deleted behind the server's back (as the CLI does): refused once the session cache lets go.
    p.clock.advance(SESSION_CACHE_TTL_MS);
    const refused = await me(p, token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'unauthenticated' });
    expect((await p.app.inject({ method: 'GET', url: '/api/me', cookies: { readpulse_session: token } })).statusCode).toBe(401);
    expect((await login(p, 'leaving@example.test')).statusCode).toBe(401);
    expect((await me(p, stays)).statusCode).toBe(200);
  });
});

describe('password storage (ASVS V2.4)', () => {
  it('hashes passwords with Argon2id at m=19456, t=2, p=1 or stronger under the default configuration', async () => {
    const p = await buildProductionApp();
    expect(p.config.passwordHashing).toEqual({ memoryKiB: 19_456, iterations: 2 });
    expect((await register(p, 'argon@example.test')).statusCode).toBe(201);
    const hash = storedHash(p, 'argon@example.test');
    const params = argon2Params(hash);
    expect(params.m).toBeGreaterThanOrEqual(19_456);
    expect(params.t).toBeGreaterThanOrEqual(2);
    expect(params.p).toBeGreaterThanOrEqual(1);
    expect(hash).not.toContain(PASSWORD);
  });

  it('upgrades a hash made with weaker parameters at the next sign-in', async () => {
    const p = await buildProductionApp();
    const weak = await createPasswordHasher({ memoryKiB: 1024, iterations: 1 }).hash(PASSWORD);
    await p.store.users.createUser({ email: 'legacy@example.test', name: '', role: 'reader', passwordHash: weak });
    expect(argon2Params(weak)).toMatchObject({ m: 1024, t: 1 });

    const response = await login(p, 'legacy@example.test');

    expect(response.statusCode).toBe(200);
    const upgraded = storedHash(p, 'legacy@example.test');
    expect(argon2Params(upgraded)).toEqual({ m: 19_456, t: 2, p: 1 });
    expect((await login(p, 'legacy@example.test')).statusCode).toBe(200);
    expect((await login(p, 'legacy@example.test', 'not the password')).statusCode).toBe(401);
  });

  it('upgrades default-strength hashes when the configured parameters rise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readpulse-asvs-'));
    dirs.push(dir);
    const before = await buildProductionApp({ dir });
    expect((await register(before, 'rising@example.test')).statusCode).toBe(201);
    expect(argon2Params(storedHash(before, 'rising@example.test'))).toMatchObject({ m: 19_456, t: 2 });
    await before.close();

    const after = await buildProductionApp({ dir, env: { READPULSE_ARGON2_MEMORY_KIB: '24576', READPULSE_ARGON2_ITERATIONS: '3' } });
    expect((await login(after, 'rising@example.test')).statusCode).toBe(200);
    expect(argon2Params(storedHash(after, 'rising@example.test'))).toMatchObject({ m: 24_576, t: 3 });
  });

  it('takes as long to refuse an unknown email as a wrong password (ratio of medians within 0.5..2)', async () => {
    const p = await buildProductionApp({
      env: { READPULSE_LOGIN_FAILURES_PER_ACCOUNT: '1000', READPULSE_LOGIN_FAILURES_PER_ADDRESS: '1000' },
    });
    expect((await register(p, 'known@example.test')).statusCode).toBe(201);
    const timed = async (email: string) => {
      const started = performance.now();
      const response = await login(p, email, 'a wrong password');
      const elapsed = performance.now() - started;
      expect(response.statusCode).toBe(401);
      return elapsed;
    };
    await timed('warm-up@example.test');
    await timed('known@example.test');
    const unknown: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < 15; i += 1) {
      unknown.push(await timed(`stranger-${i}@example.test`));
      known.push(await timed('known@example.test'));
    }
    const ratio = median(unknown) / median(known);
    expect(ratio, `unknown ${median(unknown).toFixed(1)} ms vs known ${median(known).toFixed(1)} ms`).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  }, 60_000);
});

describe('security headers (ASVS V14.4)', () => {
  it('API responses with personal data are nosniff, no-referrer and Cache-Control: no-store', async () => {
    const p = await buildProductionApp();
    const reader = await register(p, 'headers@example.test');
    const readerAuth = { authorization: `Bearer ${tokenOf(reader)}` };
    const weakHash = await createPasswordHasher({ memoryKiB: 19_456, iterations: 2 }).hash(PASSWORD);
    await p.store.users.createUser({ email: 'consultant@example.test', name: 'C', role: 'consultant', passwordHash: weakHash });
    const consultantAuth = { authorization: `Bearer ${tokenOf(await login(p, 'consultant@example.test'))}` };
    const readerId = (reader.json() as { user: { id: number } }).user.id;

    const cases: [string, Record<string, string>][] = [
      ['/api/me', readerAuth],
      ['/api/me/activity', readerAuth],
      ['/api/me/milestones', readerAuth],
      ['/api/readers', consultantAuth],
      [`/api/readers/${readerId}/progress`, consultantAuth],
      ['/api/consultant/dashboard/live', consultantAuth],
      ['/api/me', {}],
    ];
    for (const [url, headers] of cases) {
      const response = await p.app.inject({ method: 'GET', url, headers });
      expect(response.statusCode, url).toBeLessThan(headers.authorization ? 300 : 500);
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['referrer-policy'], url).toMatch(/^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/);
      expect(String(response.headers['cache-control']), url).toMatch(/(^|,\s*)no-store(\s*,|$)/);
    }
  });

  it('HTML from the web build carries a strict Content-Security-Policy, on / and on client routes', async () => {
    const webRoot = mkdtempSync(join(tmpdir(), 'readpulse-web-'));
    dirs.push(webRoot);
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><html><head><title>ReadPulse</title></head><body><div id="root"></div></body></html>');
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'assets', 'app-abc123.js'), 'console.log("app")');
    const p = await buildProductionApp({ webRoot });

    for (const url of ['/', '/readers/42', '/index.html']) {
      const response = await p.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toMatch(/^text\/html/);
      expect(response.body, url).toContain('<div id="root">');
      const csp = String(response.headers['content-security-policy']);
      expect(csp, url).toMatch(/default-src 'self'/);
      expect(csp, url).toMatch(/script-src 'self'(;|$)/);
      expect(csp, url).toMatch(/frame-ancestors 'none'/);
      expect(csp, url).toMatch(/base-uri 'none'/);
      expect(csp, url).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
    }
    const script = await p.app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['x-content-type-options']).toBe('nosniff');
    expect(script.headers['content-type']).toMatch(/javascript/);
  });
});
