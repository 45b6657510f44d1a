import { afterEach, describe, expect, it, vi } from 'vitest';
import { postBulkyActivity } from '../support/bulky-activity.js';
import { buildTestApp, problemOf, type TestApp } from '../support/test-app.js';
import { TEST_SERVER_URL } from '../support/postgres-databases.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * PostgreSQL going away for a few seconds under the app, through a TCP proxy that cuts and
 * restores the connection: requests fail cleanly with 503 and the app recovers alone, losing
 * nothing it acknowledged. (A full disk, on either engine, is test/http/database-faults.test.ts.)
 */

let t: TestApp | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await proxy?.restore().catch(() => undefined);
  await t?.close();
  await proxy?.close();
  t = undefined;
  proxy = undefined;
});

describe('PostgreSQL unreachable for a while under load', () => {
  it('fails requests with 503 unavailable and Retry-After, /healthz 503, then recovers alone and loses nothing acknowledged', async () => {
    const server = new URL(TEST_SERVER_URL);
    proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
    const via = proxy;
    t = await buildTestApp({ engine: 'postgres', databaseUrl: (url) => via.via(url), env: { READPULSE_RATE_LIMITS: 'off' } });
    const app = t;
    const reader = await app.signIn('reader', 'outage@example.test');
    const acknowledged: number[] = [];
    const statuses = new Map<number, number>();
    const unavailable: ReturnType<typeof problemOf>[] = [];
    let retryAfterSeen = true;
    let running = true;
    const writer = async (w: number) => {
      for (let i = 0; running; i += 1) {
        const response = await postBulkyActivity(app, reader, w * 100_000 + i);
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        if (response.statusCode === 201) acknowledged.push((response.json() as { event: { id: number } }).event.id);
        else if (response.statusCode === 503) {
          unavailable.push(problemOf(response));
          retryAfterSeen &&= Number(response.headers['retry-after']) > 0;
          await new Promise((resolve) => setTimeout(resolve, 50)); // a client backing off, as Retry-After asks
        }
      }
    };
    const healthz = async () => (await app.app.inject({ method: 'GET', url: '/healthz' })).statusCode;
    const until = { timeout: 20_000, interval: 50 };
    const writers = Array.from({ length: 10 }, (_, w) => writer(w));
    await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThanOrEqual(20), until);

    await via.cut();
    await vi.waitFor(() => expect(unavailable.length).toBeGreaterThanOrEqual(10), until);
    await vi.waitFor(async () => expect(await healthz()).toBe(503), until);
    const duringOutage = acknowledged.length;
    await vi.waitFor(() => expect(unavailable.length).toBeGreaterThanOrEqual(30), until);
    // Nothing is acknowledged while the database cannot be reached (a write in flight at the cut may still land).
    expect(acknowledged.length - duringOutage).toBeLessThanOrEqual(10);
    await via.restore();

    await vi.waitFor(async () => expect(await healthz()).toBe(200), until);
    const afterOutage = acknowledged.length;
    await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThanOrEqual(afterOutage + 20), until);
    running = false;
    await Promise.all(writers);

    expect([...statuses.keys()].sort()).toEqual([201, 503]);
    for (const problem of unavailable) expect(problem).toMatchObject({ status: 503, code: 'unavailable' });
    expect(retryAfterSeen).toBe(true);
    const stored = new Set(
      (await app.db.all<{ id: number }>('SELECT id FROM activity_logs WHERE id = ANY (?::bigint[])', acknowledged)).map((r) => Number(r.id)),
    );
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  }, 60_000);
});
