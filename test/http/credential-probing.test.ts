import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, TEST_PASSWORD, type SignedInUser, type TestApp } from '../support/test-app.js';

/** The address the shipped nginx connects from, and one client it forwards. */
const PROXY = '127.0.0.1';
const CLIENT = '198.51.100.7';

const apps: TestApp[] = [];
async function appWith(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await buildTestApp({ env });
  apps.push(t);
  return t;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.close()));
});

function expectProblem(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.json()).toMatchObject({ status, code });
}

/** A sign-in as nginx forwards it: `X-Forwarded-For` is what the client wrote, then the address nginx saw. */
const loginThroughProxy = (t: TestApp, email: string, password: string, forwardedFor: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
    remoteAddress: PROXY,
    headers: { 'x-forwarded-for': forwardedFor },
  });

describe('client addresses behind a proxy (READPULSE_TRUST_PROXY)', () => {
  it.each([['true'], ['1'], ['127.0.0.1/8'], ['loopback']])(
    'with READPULSE_TRUST_PROXY=%s, rotating the client-written part of X-Forwarded-For still hits the per-address limit',
    async (trust) => {
      const t = await appWith({ READPULSE_TRUST_PROXY: trust, READPULSE_LOGIN_FAILURES_PER_ADDRESS: '5' });
      await t.signIn('reader', 'ann@example.test');
      for (let n = 1; n <= 5; n += 1) {
        expectProblem(await loginThroughProxy(t, `stranger${n}@example.test`, 'guess', `203.0.113.${n}, ${CLIENT}`), 401, 'unauthenticated');
      }
      const rotated = await loginThroughProxy(t, 'stranger6@example.test', 'guess', `203.0.113.6, ${CLIENT}`);
      expectProblem(rotated, 429, 'rate_limited');
      expect(Number(rotated.headers['retry-after'])).toBeGreaterThan(0);
      const right = await loginThroughProxy(t, 'ann@example.test', TEST_PASSWORD, `203.0.113.7, ${CLIENT}`);
      expectProblem(right, 429, 'rate_limited');
      expect(right.headers['set-cookie']).toBeUndefined();

      // Another client behind the same proxy is not held back.
      expect((await loginThroughProxy(t, 'ann@example.test', TEST_PASSWORD, `203.0.113.1, 198.51.100.99`)).statusCode).toBe(200);
    },
  );

  it('two proxy hops take the second address from the right', async () => {
    const t = await appWith({ READPULSE_TRUST_PROXY: '2', READPULSE_LOGIN_FAILURES_PER_ADDRESS: '2' });
    for (let n = 1; n <= 2; n += 1) {
      expectProblem(await loginThroughProxy(t, 'x@example.test', 'guess', `203.0.113.${n}, ${CLIENT}, 10.0.0.5`), 401, 'unauthenticated');
    }
    expectProblem(await loginThroughProxy(t, 'x@example.test', 'guess', `203.0.113.3, ${CLIENT}, 10.0.0.5`), 429, 'rate_limited');
  });

  it('an address list trusts only those proxies: a client connecting directly cannot name its own address', async () => {
    const t = await appWith({ READPULSE_TRUST_PROXY: '10.0.0.0/8', READPULSE_LOGIN_FAILURES_PER_ADDRESS: '2' });
    const direct = (n: number) =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'x@example.test', password: 'guess' },
        remoteAddress: '192.0.2.50',
        headers: { 'x-forwarded-for': `203.0.113.${n}` },
      });
    expectProblem(await direct(1), 401, 'unauthenticated');
    expectProblem(await direct(2), 401, 'unauthenticated');
    expectProblem(await direct(3), 429, 'rate_limited');
  });

  it('without READPULSE_TRUST_PROXY, X-Forwarded-For is ignored', async () => {
    const t = await appWith({ READPULSE_LOGIN_FAILURES_PER_ADDRESS: '2' });
    for (let n = 1; n <= 2; n += 1) {
      expectProblem(await loginThroughProxy(t, 'x@example.test', 'guess', `203.0.113.${n}`), 401, 'unauthenticated');
    }
    expectProblem(await loginThroughProxy(t, 'x@example.test', 'guess', '203.0.113.3'), 429, 'rate_limited');
  });
});

describe('password re-checks count toward the sign-in failure limit', () => {
  async function signedIn(t: TestApp): Promise<SignedInUser> {
    return t.signIn('reader', 'ann@example.test');
  }

  const recheck = {
    'POST /api/me/password': (t: TestApp, who: SignedInUser, password: string) =>
      t.app.inject({ method: 'POST', url: '/api/me/password', headers: who.headers, payload: { currentPassword: password, newPassword: 'a brand new password' } }),
    'DELETE /api/me': (t: TestApp, who: SignedInUser, password: string) =>
      t.app.inject({ method: 'DELETE', url: '/api/me', headers: who.headers, payload: { password } }),
  };

  it.each(Object.keys(recheck) as (keyof typeof recheck)[])(
    '%s: 10 wrong passwords are 401, the 11th is 429 with Retry-After, even the right one is refused, and the session still works',
    async (route) => {
      const t = await appWith();
      const ann = await signedIn(t);
      const storedHash = (await t.store.users.getUserByEmail('ann@example.test'))!.passwordHash;
      for (let i = 0; i < 10; i += 1) expectProblem(await recheck[route](t, ann, `wrong guess ${i}`), 401, 'unauthenticated');

      const eleventh = await recheck[route](t, ann, 'wrong guess 10');
      expectProblem(eleventh, 429, 'rate_limited');
      expect(Number(eleventh.headers['retry-after'])).toBeGreaterThan(0);
      expectProblem(await recheck[route](t, ann, TEST_PASSWORD), 429, 'rate_limited');

      const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: ann.headers });
      expect(me.statusCode).toBe(200);
      expect(me.json().user.id).toBe(ann.user.id);
      expect((await t.store.users.getUserByEmail('ann@example.test'))!.passwordHash).toBe(storedHash);
      expect(await t.db.count('SELECT count(*) AS n FROM sessions WHERE user_id = ?', ann.user.id)).toBe(1);
      // The account's limit is sign-in's too.
      expectProblem(
        await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'ann@example.test', password: TEST_PASSWORD } }),
        429,
        'rate_limited',
      );
    },
  );

  it('failed sign-ins and failed re-checks share one count', async () => {
    const t = await appWith({ READPULSE_LOGIN_FAILURES_PER_ACCOUNT: '4' });
    const ann = await signedIn(t);
    for (let i = 0; i < 2; i += 1) {
      expectProblem(
        await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'ann@example.test', password: 'wrong' } }),
        401,
        'unauthenticated',
      );
    }
    for (let i = 0; i < 2; i += 1) expectProblem(await recheck['DELETE /api/me'](t, ann, 'wrong'), 401, 'unauthenticated');
    expectProblem(await recheck['POST /api/me/password'](t, ann, TEST_PASSWORD), 429, 'rate_limited');
    expect(await t.store.users.getUserById(ann.user.id)).not.toBeNull();
  });
});

describe('HTTPS behind a trusted proxy: HSTS and the __Host- session cookie', () => {
  const overHttps = { 'x-forwarded-proto': 'https', 'x-forwarded-for': CLIENT };

  it('a sign-in over HTTPS sets a Secure __Host- cookie that authenticates, and every response carries HSTS of at least 180 days', async () => {
    const t = await appWith({ READPULSE_TRUST_PROXY: 'true' });
    await t.signIn('reader', 'ann@example.test');
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: PROXY,
      headers: overHttps,
      payload: { email: 'ann@example.test', password: TEST_PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-readpulse_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    expect(cookie).not.toMatch(/;\s*Domain=/i);
    const hsts = String(login.headers['strict-transport-security']);
    expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(180 * 86_400);

    const pair = cookie.split(';')[0]!;
    const me = await t.app.inject({ method: 'GET', url: '/api/me', remoteAddress: PROXY, headers: { ...overHttps, cookie: pair } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.email).toBe('ann@example.test');
    expect(me.headers['strict-transport-security']).toBe(hsts);

    // Over HTTPS only the prefixed name is read: a cookie planted without the prefix is no session.
    const unprefixed = pair.replace('__Host-', '');
    const planted = await t.app.inject({ method: 'GET', url: '/api/me', remoteAddress: PROXY, headers: { ...overHttps, cookie: unprefixed } });
    expect(planted.statusCode).toBe(401);

    const logout = await t.app.inject({ method: 'POST', url: '/api/auth/logout', remoteAddress: PROXY, headers: { ...overHttps, cookie: pair } });
    expect(logout.statusCode).toBe(204);
    expect(String(logout.headers['set-cookie'])).toMatch(/^__Host-readpulse_session=;/);
    expect(await t.db.count('SELECT count(*) AS n FROM sessions')).toBe(1);
  });

  it('over plain HTTP there is no HSTS and the cookie keeps its plain name, without Secure', async () => {
    const t = await appWith();
    await t.signIn('reader', 'ann@example.test');
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'ann@example.test', password: TEST_PASSWORD } });
    expect(login.statusCode).toBe(200);
    expect(login.headers['strict-transport-security']).toBeUndefined();
    expect(String(login.headers['set-cookie'])).toMatch(/^readpulse_session=/);
    expect(String(login.headers['set-cookie'])).not.toMatch(/Secure/i);
  });

  it('an X-Forwarded-Proto from a client that is not a trusted proxy gets no HSTS and no __Host- cookie', async () => {
    const t = await appWith();
    await t.signIn('reader', 'ann@example.test');
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: overHttps, payload: { email: 'ann@example.test', password: TEST_PASSWORD } });
    expect(login.statusCode).toBe(200);
    expect(login.headers['strict-transport-security']).toBeUndefined();
    expect(String(login.headers['set-cookie'])).toMatch(/^readpulse_session=/);
  });
});
