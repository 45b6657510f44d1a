import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { hashSessionToken } from '../../src/auth/session-token.js';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../support/test-app.js';

const NEW_PASSWORD = 'a completely new password';

function expectProblem(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json();
  expect(body).toMatchObject({ status, code });
  expect(typeof body.detail).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
}

function count(t: TestApp, sql: string, ...params: unknown[]): Promise<number> {
  return t.db.count(sql, ...params);
}

async function sessionExists(t: TestApp, token: string): Promise<boolean> {
  return (await count(t, 'SELECT count(*) AS n FROM sessions WHERE token_hash = ?', hashSessionToken(token))) === 1;
}

function setCookieOf(response: LightMyRequestResponse): string {
  const header = response.headers['set-cookie'];
  const value = Array.isArray(header) ? header.find((c) => c.startsWith('readpulse_session=')) : header;
  expect(value).toBeDefined();
  return String(value);
}

/** Builds an app for one test and closes it afterwards. */
const apps: TestApp[] = [];
async function appWith(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await buildTestApp({ env });
  apps.push(t);
  return t;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.close()));
});

const login = (t: TestApp, email: string, password: string, remoteAddress?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
  });

describe('registration', () => {
  it('creates a reader, signs them in and sets an HttpOnly, SameSite=Lax session cookie without Secure over http', async () => {
    const t = await appWith();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: 'ann@example.test', password: 'a long enough password', name: 'Ann' },
    });

    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.user).toMatchObject({ email: 'ann@example.test', name: 'Ann', role: 'reader' });
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(body.expiresAt).toISOString()).toBe(body.expiresAt);

    const cookie = setCookieOf(response);
    expect(cookie.startsWith(`readpulse_session=${body.token};`)).toBe(true);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\/(;|$)/);
    expect(cookie).not.toMatch(/;\s*Secure/i);

    const stored = await t.store.users.getUserByEmail('ann@example.test');
    expect(stored?.user).toMatchObject({ id: body.user.id, role: 'reader', name: 'Ann' });
    expect(await sessionExists(t, body.token)).toBe(true);

    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: cookie.split(';')[0]! } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user).toMatchObject({ id: body.user.id });
  });

  it('refuses a role in the body with 400 and creates no user', async () => {
    const t = await appWith();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: 'mallory@example.test', password: 'a long enough password', role: 'consultant' },
    });
    expectProblem(response, 400, 'invalid_request');
    expect(await t.store.users.getUserByEmail('mallory@example.test')).toBeNull();
    expect(await count(t, 'SELECT count(*) AS n FROM users')).toBe(0);
  });

  it('lower-cases the email', async () => {
    const t = await appWith();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: 'Ann.Smith@Example.TEST', password: 'a long enough password' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().user.email).toBe('ann.smith@example.test');
    expect(await t.db.all('SELECT email FROM users')).toEqual([{ email: 'ann.smith@example.test' }]);
    expect((await login(t, 'ANN.smith@example.test', 'a long enough password')).statusCode).toBe(200);
  });

  it('answers 409 conflict for an email already registered, in any case, and keeps the first account', async () => {
    const t = await appWith();
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: 'ann@example.test', password: 'the first password' },
    });
    expect(first.statusCode).toBe(201);
    const sessionsBefore = await count(t, 'SELECT count(*) AS n FROM sessions');

    const second = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: 'ANN@example.test', password: 'the second password' },
    });
    expectProblem(second, 409, 'conflict');
    expect(second.headers['set-cookie']).toBeUndefined();
    expect(await count(t, 'SELECT count(*) AS n FROM users')).toBe(1);
    expect(await count(t, 'SELECT count(*) AS n FROM sessions')).toBe(sessionsBefore);
    expect((await login(t, 'ann@example.test', 'the first password')).statusCode).toBe(200);
    expect((await login(t, 'ann@example.test', 'the second password')).statusCode).toBe(401);
  });

  it('answers 403 forbidden when self-registration is closed, and creates no user', async () => {
    const t = await appWith({ READPULSE_REGISTRATION: 'closed' });
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: 'ann@example.test', password: 'a long enough password' },
    });
    expectProblem(response, 403, 'forbidden');
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(await count(t, 'SELECT count(*) AS n FROM users')).toBe(0);
    expect(await count(t, 'SELECT count(*) AS n FROM sessions')).toBe(0);
  });

  it('takes the password exactly as sent, spaces included', async () => {
    const t = await appWith();
    const password = '  spaced password  ';
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'ann@example.test', password } });
    expect(response.statusCode).toBe(201);
    expect((await login(t, 'ann@example.test', password)).statusCode).toBe(200);
    expect((await login(t, 'ann@example.test', password.trim())).statusCode).toBe(401);
  });
});

describe('sign-in', () => {
  it('answers an unknown email and a wrong password with the same status and the same body', async () => {
    const t = await appWith();
    await t.signIn('reader', 'ann@example.test');
    const unknown = await login(t, 'nobody@example.test', TEST_PASSWORD);
    const wrong = await login(t, 'ann@example.test', 'not the password');

    expectProblem(unknown, 401, 'unauthenticated');
    expectProblem(wrong, 401, 'unauthenticated');
    expect(wrong.body).toBe(unknown.body);
    expect(wrong.headers['content-type']).toBe(unknown.headers['content-type']);
    expect(unknown.headers['set-cookie']).toBeUndefined();
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('gives a new 43-character base64url token at each sign-in and stores only its hash', async () => {
    const t = await appWith();
    await t.signIn('reader', 'ann@example.test');
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await login(t, 'ann@example.test', TEST_PASSWORD);
      expect(response.statusCode).toBe(200);
      tokens.push(response.json().token);
    }
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(tokens).size).toBe(tokens.length);

    const hashes = (await t.db.all<{ token_hash: string }>('SELECT token_hash FROM sessions')).map((r) => r.token_hash);
    for (const token of tokens) {
      expect(hashes.some((hash) => hash.includes(token))).toBe(false);
      expect(hashes).toContain(hashSessionToken(token));
    }
    const everyStoredText = JSON.stringify(await t.db.all('SELECT * FROM sessions'));
    for (const token of tokens) expect(everyStoredText).not.toContain(token);
  });

  it('never includes a password hash in any response', async () => {
    const t = await appWith();
    const consultant = await t.signIn('consultant', 'carol@example.test');
    const registered = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: 'ann@example.test', password: 'a long enough password' },
    });
    const reader = registered.json() as { user: { id: number }; token: string };
    const responses = [
      registered,
      await login(t, 'ann@example.test', 'a long enough password'),
      await t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${reader.token}` } }),
      await t.app.inject({ method: 'GET', url: '/api/readers', headers: consultant.headers }),
      await t.app.inject({ method: 'GET', url: `/api/readers/${reader.user.id}/progress`, headers: consultant.headers }),
      await t.app.inject({ method: 'GET', url: '/api/consultant/dashboard/live', headers: consultant.headers }),
    ];
    for (const response of responses) {
      expect(response.statusCode).toBeLessThan(300);
      expect(response.body).not.toMatch(/password_?hash/i);
      expect(response.body).not.toContain('$argon2');
      expect(response.body).not.toMatch(/"password"/);
    }
  });
});

describe('sign-in rate limits', () => {
  it('answers 429 with Retry-After after too many failures for one account, even to the right password, until the window passes', async () => {
    const t = await appWith({ READPULSE_LOGIN_FAILURES_PER_ACCOUNT: '3', READPULSE_LOGIN_FAILURE_WINDOW_SECONDS: '60' });
    await t.signIn('reader', 'ann@example.test');
    const sessionsBefore = await count(t, 'SELECT count(*) AS n FROM sessions');

    for (let i = 0; i < 3; i++) expectProblem(await login(t, 'ann@example.test', `wrong ${i}`), 401, 'unauthenticated');
    const limited = await login(t, 'ann@example.test', 'wrong again');
    expectProblem(limited, 429, 'rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);

    const rightDuringLockout = await login(t, 'ann@example.test', TEST_PASSWORD);
    expectProblem(rightDuringLockout, 429, 'rate_limited');
    expect(rightDuringLockout.headers['retry-after']).toBeDefined();
    expect(rightDuringLockout.headers['set-cookie']).toBeUndefined();
    expect(await count(t, 'SELECT count(*) AS n FROM sessions')).toBe(sessionsBefore);

    t.clock.advance(61_000);
    const afterWindow = await login(t, 'ann@example.test', TEST_PASSWORD);
    expect(afterWindow.statusCode).toBe(200);
    expect(await sessionExists(t, afterWindow.json().token)).toBe(true);
  });

  it("one account's lockout does not lock another account", async () => {
    const t = await appWith({ READPULSE_LOGIN_FAILURES_PER_ACCOUNT: '3' });
    await t.signIn('reader', 'ann@example.test');
    await t.signIn('reader', 'bob@example.test');
    for (let i = 0; i < 4; i++) await login(t, 'ann@example.test', 'wrong');
    expect((await login(t, 'ann@example.test', TEST_PASSWORD)).statusCode).toBe(429);
    expect((await login(t, 'bob@example.test', TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('answers 429 after too many failures from one address across different emails, and not to another address', async () => {
    const t = await appWith({ READPULSE_LOGIN_FAILURES_PER_ADDRESS: '5', READPULSE_LOGIN_FAILURE_WINDOW_SECONDS: '60' });
    await t.signIn('reader', 'ann@example.test');

    for (let i = 0; i < 5; i++) {
      expectProblem(await login(t, `stranger${i}@example.test`, 'guess', '203.0.113.7'), 401, 'unauthenticated');
    }
    const limited = await login(t, 'stranger99@example.test', 'guess', '203.0.113.7');
    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expectProblem(await login(t, 'ann@example.test', TEST_PASSWORD, '203.0.113.7'), 429, 'rate_limited');

    expect((await login(t, 'ann@example.test', TEST_PASSWORD, '198.51.100.2')).statusCode).toBe(200);

    t.clock.advance(61_000);
    expect((await login(t, 'ann@example.test', TEST_PASSWORD, '203.0.113.7')).statusCode).toBe(200);
  });

  it('never answers 429 when rate limits are off', async () => {
    const t = await appWith({
      READPULSE_RATE_LIMITS: 'off',
      READPULSE_LOGIN_FAILURES_PER_ACCOUNT: '2',
      READPULSE_LOGIN_FAILURES_PER_ADDRESS: '3',
    });
    await t.signIn('reader', 'ann@example.test');
    for (let i = 0; i < 8; i++) {
      expectProblem(await login(t, 'ann@example.test', `wrong ${i}`), 401, 'unauthenticated');
      expectProblem(await login(t, `stranger${i}@example.test`, 'guess'), 401, 'unauthenticated');
    }
    expect((await login(t, 'ann@example.test', TEST_PASSWORD)).statusCode).toBe(200);
  });
});

describe('sessions', () => {
  it('logout answers 204, revokes the session at once and deletes its row', async () => {
    const t = await appWith();
    const ann = await t.signIn('reader', 'ann@example.test');
    expect(await sessionExists(t, ann.token)).toBe(true);

    const response = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: ann.headers });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(setCookieOf(response)).toMatch(/^readpulse_session=;/);
    expect(await sessionExists(t, ann.token)).toBe(false);

    const after = await t.app.inject({ method: 'GET', url: '/api/me', headers: ann.headers });
    expectProblem(after, 401, 'unauthenticated');
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: `readpulse_session=${ann.token}` } }), 401, 'unauthenticated');
  });

  it("logout ends only this session, not the user's others", async () => {
    const t = await appWith();
    const ann = await t.signIn('reader', 'ann@example.test');
    const other = (await login(t, 'ann@example.test', TEST_PASSWORD)).json().token as string;
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: ann.headers })).statusCode).toBe(204);
    const stillIn = await t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${other}` } });
    expect(stillIn.statusCode).toBe(200);
  });
});

describe('password change', () => {
  it('answers 401 to a wrong current password and changes nothing', async () => {
    const t = await appWith();
    const ann = await t.signIn('reader', 'ann@example.test');
    const other = (await login(t, 'ann@example.test', TEST_PASSWORD)).json().token as string;
    const hashBefore = (await t.store.users.getUserByEmail('ann@example.test'))?.passwordHash;

    const response = await t.app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: ann.headers,
      payload: { currentPassword: 'not my password', newPassword: NEW_PASSWORD },
    });

    expectProblem(response, 401, 'unauthenticated');
    expect((await t.store.users.getUserByEmail('ann@example.test'))?.passwordHash).toBe(hashBefore);
    expect(await sessionExists(t, ann.token)).toBe(true);
    expect(await sessionExists(t, other)).toBe(true);
    expect((await login(t, 'ann@example.test', TEST_PASSWORD)).statusCode).toBe(200);
    expect((await login(t, 'ann@example.test', NEW_PASSWORD)).statusCode).toBe(401);
  });

  it('answers 204, ends every other session, keeps this one, and the new password replaces the old', async () => {
    const t = await appWith();
    const ann = await t.signIn('reader', 'ann@example.test');
    const other = (await login(t, 'ann@example.test', TEST_PASSWORD)).json().token as string;
    const bob = await t.signIn('reader', 'bob@example.test');

    const response = await t.app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: ann.headers,
      payload: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');

    expectProblem(await t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${other}` } }), 401, 'unauthenticated');
    expect(await sessionExists(t, other)).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: ann.headers })).statusCode).toBe(200);
    expect(await sessionExists(t, ann.token)).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: bob.headers })).statusCode).toBe(200);

    expect((await login(t, 'ann@example.test', NEW_PASSWORD)).statusCode).toBe(200);
    expectProblem(await login(t, 'ann@example.test', TEST_PASSWORD), 401, 'unauthenticated');
  });
});
