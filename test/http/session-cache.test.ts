import { afterEach, describe, expect, it, vi } from 'vitest';
import { SESSION_CACHE_TTL_MS } from '../../src/auth/accounts.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';

describe('session cache', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });

  it('reads a busy session from the store once per cache period, not once per request', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'busy@example.test');
    const lookups = vi.spyOn(t.store, 'findSession');
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
});
