import { afterEach, describe, expect, it, vi } from 'vitest';
import { newSessionCache, SESSION_CACHE_TTL_MS } from '../../src/auth/accounts.js';
import { hashSessionToken } from '../../src/auth/session-token.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';

describe('session cache', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });

  it('reads a busy session from the store once per cache period, not once per request', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'busy@example.test');
    const lookups = vi.spyOn(t.store.sessions, 'findSession');
    for (let i = 0; i < 10; i += 1) expect((await me(reader.token)).statusCode).toBe(200);
    expect(lookups).toHaveBeenCalledTimes(1);
    t.clock.advance(SESSION_CACHE_TTL_MS);
    expect((await me(reader.token)).statusCode).toBe(200);
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  it('forgets a session at logout at once', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'out@example.test');
    expect((await me(reader.token)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: reader.headers })).statusCode).toBe(204);
    expect((await me(reader.token)).statusCode).toBe(401);
  });

  it("forgets a user's other sessions at once when they change their password", async () => {
    t = await buildTestApp();
    const first = await t.signIn('reader', 'two@example.test');
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'two@example.test', password: 'correct horse battery' } });
    const second = login.json().token as string;
    expect((await me(second)).statusCode).toBe(200);
    const change = await t.app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: first.headers,
      payload: { currentPassword: 'correct horse battery', newPassword: 'a new long password' },
    });
    expect(change.statusCode).toBe(204);
    expect((await me(second)).statusCode).toBe(401);
    expect((await me(first.token)).statusCode).toBe(200);
  });

  it("refuses a deleted user's token on the very next request, though it was cached", async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'gone@example.test');
    const other = await t.signIn('reader', 'stays@example.test');
    expect((await me(reader.token)).statusCode).toBe(200);
    await t.store.users.deleteUser(reader.user.id); // no clock advance: the cache must let go at once
    const refused = await me(reader.token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'unauthenticated' });
    expect((await me(other.token)).statusCode).toBe(200);
  });

  it('refuses a signed-out token on the very next request, though it was cached', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'again@example.test');
    for (let i = 0; i < 3; i += 1) expect((await me(reader.token)).statusCode).toBe(200);
    await t.store.sessions.deleteSession(hashSessionToken(reader.token)); // as sign-out does, below the route
    expect((await me(reader.token)).statusCode).toBe(401);
  });

  it('keeps a busy session alive past the idle timeout measured from its stored last-seen time', async () => {
    t = await buildTestApp({ env: { READPULSE_SESSION_IDLE_MINUTES: '1' } });
    const reader = await t.signIn('reader', 'steady@example.test');
    // a request every 20 s for 3 minutes, flushed each time: the cache's copy keeps its first lastSeenAt
    for (let i = 0; i < 9; i += 1) {
      t.clock.advance(20_000);
      expect((await me(reader.token)).statusCode).toBe(200);
      await t.presence.flush();
    }
    t.clock.advance(60_000); // now idle for the whole timeout
    expect((await me(reader.token)).statusCode).toBe(401);
  });

  it('hits for 10,000 sessions each used every 2 s', () => {
    const cache = newSessionCache();
    let now = 0;
    let lookups = 0;
    let requests = 0;
    const session = (n: number) => ({
      session: { tokenHash: `t${n}`, userId: n, createdAt: 0, lastSeenAt: 0, expiresAt: Number.MAX_SAFE_INTEGER },
      user: { id: n, email: `r${n}@example.test`, name: '', role: 'reader' as const, createdAt: 0, lastActiveAt: null },
    });
    // two minutes of traffic: each of 10,000 readers once per 2 s, spread evenly
    for (let tick = 0; tick < 120 * 50; tick += 1) {
      now += 20;
      for (let n = (tick % 100) * 100; n < (tick % 100) * 100 + 100; n += 1) {
        requests += 1;
        if (!cache.get(`t${n}`, now)) {
          lookups += 1;
          cache.set(`t${n}`, session(n), now);
        }
      }
    }
    expect(requests).toBe(600_000);
    // once each to start, then once per cache lifetime: at most 3 per session in two minutes
    expect(lookups).toBeLessThanOrEqual(10_000 * (1 + Math.ceil(120_000 / SESSION_CACHE_TTL_MS)));
    expect(lookups / requests).toBeLessThan(0.05);
  });
});

