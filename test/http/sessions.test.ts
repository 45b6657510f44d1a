import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, testHasher, type TestApp } from '../support/test-app.js';

const MINUTE = 60_000;

describe('session lifecycle', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });

  it('expires a session left idle longer than the idle timeout', async () => {
    t = await buildTestApp({ env: { READPULSE_SESSION_IDLE_MINUTES: '30' } });
    const reader = await t.signIn('reader', 'idle@example.test');
    t.clock.advance(29 * MINUTE);
    expect((await me(reader.token)).statusCode).toBe(200);
    t.clock.advance(30 * MINUTE);
    const response = await me(reader.token);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'unauthenticated', status: 401 });
  });

  it('keeps an active session alive past the idle timeout, even before heartbeats are flushed', async () => {
    t = await buildTestApp({ env: { READPULSE_SESSION_IDLE_MINUTES: '30' } });
    const reader = await t.signIn('reader', 'busy@example.test');
    for (let step = 0; step < 4; step += 1) {
      t.clock.advance(20 * MINUTE);
      expect((await me(reader.token)).statusCode).toBe(200);
    }
    await t.presence.flush();
    const stored = await t.store.sessions.findSession(hashOf(reader.token));
    expect(stored?.session.lastSeenAt).toBe(t.clock.now());
  });

  it('expires a session at its absolute age however active it is', async () => {
    t = await buildTestApp({ env: { READPULSE_SESSION_IDLE_MINUTES: '60', READPULSE_SESSION_MAX_HOURS: '2' } });
    const reader = await t.signIn('reader', 'old@example.test');
    for (let step = 0; step < 3; step += 1) {
      t.clock.advance(35 * MINUTE);
      expect((await me(reader.token)).statusCode).toBe(200);
    }
    t.clock.advance(16 * MINUTE);
    expect((await me(reader.token)).statusCode).toBe(401);
  });

  it('reports the absolute expiry as expiresAt at sign-in', async () => {
    t = await buildTestApp({ env: { READPULSE_SESSION_MAX_HOURS: '5' } });
    await t.store.users.createUser({ email: 'exp@example.test', name: '', role: 'reader', passwordHash: await testHasher.hash('long enough pw') });
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'exp@example.test', password: 'long enough pw' } });
    expect(response.statusCode).toBe(200);
    expect(response.json().expiresAt).toBe(new Date(t.clock.now() + 5 * 3_600_000).toISOString());
  });

  it('revokes the session at logout, for the bearer token and the cookie alike', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'bye@example.test');
    const logout = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: reader.headers });
    expect(logout.statusCode).toBe(204);
    expect(String(logout.headers['set-cookie'])).toMatch(/readpulse_session=;/);
    expect((await me(reader.token)).statusCode).toBe(401);
    const cookie = await t.app.inject({ method: 'GET', url: '/api/me', cookies: { readpulse_session: reader.token } });
    expect(cookie.statusCode).toBe(401);
    expect(await t.store.sessions.findSession(hashOf(reader.token))).toBeNull();
  });

  it('does not count a request on an expired session as activity', async () => {
    t = await buildTestApp({ env: { READPULSE_SESSION_IDLE_MINUTES: '30' } });
    const reader = await t.signIn('reader', 'ghost@example.test');
    await t.presence.flush();
    const before = (await t.store.users.getUserById(reader.user.id))!.lastActiveAt;
    t.clock.advance(31 * MINUTE);
    expect((await me(reader.token)).statusCode).toBe(401);
    await t.presence.flush();
    expect((await t.store.users.getUserById(reader.user.id))!.lastActiveAt).toBe(before);
    expect((await t.presence.activeReaders()).map((u) => u.id)).not.toContain(reader.user.id);
  });

  it('authenticates with the session cookie as with the bearer token', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'cookie@example.test');
    const response = await t.app.inject({ method: 'GET', url: '/api/me', cookies: { readpulse_session: reader.token } });
    expect(response.statusCode).toBe(200);
    expect(response.json().user.id).toBe(reader.user.id);
  });

  it('refuses a malformed Authorization header instead of falling back to the cookie', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'mixed@example.test');
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: 'Basic abc' },
      cookies: { readpulse_session: reader.token },
    });
    expect(response.statusCode).toBe(401);
  });
});

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
