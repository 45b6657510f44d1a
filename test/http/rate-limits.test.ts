import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';

describe('request rate limits', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  const post = (headers: Record<string, string>, n: number) =>
    t.app.inject({ method: 'POST', url: '/api/me/activity', headers, payload: { actionType: 'PAGE_VIEW', metadata: { n } } });

  it('answers 429 with Retry-After once a user spends their burst, stores nothing more, and refills with time', async () => {
    t = await buildTestApp({ env: { READPULSE_USER_RATE_BURST: '5', READPULSE_USER_RATE_PER_SECOND: '1' } });
    const reader = await t.signIn('reader', 'fast@example.test');
    const statuses: number[] = [];
    for (let n = 0; n < 7; n += 1) statuses.push((await post(reader.headers, n)).statusCode);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    const limited = await post(reader.headers, 99);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    expect((await t.store.activity.listActivity(reader.user.id, { limit: 50 })).items).toHaveLength(5);

    t.clock.advance(2000);
    expect((await post(reader.headers, 100)).statusCode).toBe(201);
  });

  it('limits each user on their own: one user at the limit does not slow another', async () => {
    t = await buildTestApp({ env: { READPULSE_USER_RATE_BURST: '2', READPULSE_USER_RATE_PER_SECOND: '1' } });
    const a = await t.signIn('reader', 'a@example.test');
    const b = await t.signIn('reader', 'b@example.test');
    await post(a.headers, 1);
    await post(a.headers, 2);
    expect((await post(a.headers, 3)).statusCode).toBe(429);
    expect((await post(b.headers, 1)).statusCode).toBe(201);
  });

  it('limits sign-in attempts per client address', async () => {
    t = await buildTestApp({ env: { READPULSE_AUTH_RATE_BURST: '3', READPULSE_AUTH_RATE_PER_SECOND: '1' } });
    const attempt = () => t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'x@example.test', password: 'whatever-pw' } });
    const statuses = [];
    for (let n = 0; n < 4; n += 1) statuses.push((await attempt()).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('has no limit at all with READPULSE_RATE_LIMITS=off', async () => {
    t = await buildTestApp({ env: { READPULSE_RATE_LIMITS: 'off', READPULSE_USER_RATE_BURST: '2', READPULSE_USER_RATE_PER_SECOND: '1' } });
    const reader = await t.signIn('reader', 'bench@example.test');
    for (let n = 0; n < 10; n += 1) expect((await post(reader.headers, n)).statusCode).toBe(201);
  });
});
