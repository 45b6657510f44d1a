import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../support/test-app.js';
import { rowCounts } from '../support/row-counts.js';

/**
 * Resource limits against slow and greedy clients: a request that trickles in is cut off at the
 * request timeout, bodies and pages have a ceiling, and the per-user and per-address rate limits
 * cannot be dodged with a second session or a forged X-Forwarded-For.
 */

const REQUEST_TIMEOUT_MS = 1000;
/** Slack for timers and a loaded CI machine; far below the 30 s a default server would wait. */
const CUT_OFF_SLACK_MS = 1500;

let t: TestApp;
afterEach(async () => t.close());

async function listen(): Promise<number> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return (t.app.server.address() as AddressInfo).port;
}

/**
 * Opens a raw connection, sends `head`, then one byte of `drip` every `everyMs` until the server
 * closes the socket or `giveUpMs` passes. Resolves with when it closed (or null) and what came back.
 */
function trickle(port: number, head: string, drip: string, everyMs: number, giveUpMs: number): Promise<{ closedAfterMs: number | null; received: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    let sent = 0;
    let finished = false;
    const finish = (closedAfterMs: number | null) => {
      if (finished) return;
      finished = true;
      clearInterval(dripper);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ closedAfterMs, received });
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => finish(Date.now() - started));
    socket.write(head);
    const dripper = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write(drip[sent++ % drip.length]!);
    }, everyMs);
    const giveUp = setTimeout(() => finish(null), giveUpMs);
  });
}

describe('slow clients', () => {
  it('cuts off a slowloris client sending its headers byte by byte within the request timeout', async () => {
    t = await buildTestApp({ env: { READPULSE_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });
    const port = await listen();

    const result = await trickle(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: aaaaaaaa\r\n', 50, 10_000);

    expect(result.closedAfterMs, `the server kept the connection open (${result.received.slice(0, 80)})`).not.toBeNull();
    expect(result.closedAfterMs!).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + CUT_OFF_SLACK_MS);
    expect(result.received).not.toMatch(/^HTTP\/1\.1 200/);
    // The server still serves everyone else.
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
  });

  it('cuts off a client whose body arrives slower than the request timeout, and stores nothing', async () => {
    t = await buildTestApp({ env: { READPULSE_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });
    const reader = await t.signIn('reader', 'slow-body@example.test');
    const port = await listen();
    const before = await rowCounts(t);
    const body = JSON.stringify({ actionType: 'SUBMIT', metadata: { note: 'x'.repeat(200) } });
    const head =
      'POST /api/me/activity HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      `Authorization: Bearer ${reader.token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;

    const result = await trickle(port, head, body, 50, 10_000);

    expect(result.closedAfterMs, 'the server kept the connection open').not.toBeNull();
    expect(result.closedAfterMs!).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + CUT_OFF_SLACK_MS);
    expect(result.received).not.toMatch(/^HTTP\/1\.1 201/);
    expect(await rowCounts(t)).toEqual(before);
  });
});

describe('body and page limits over a real connection', () => {
  it('answers a 2 MiB body with 413 problem+json and stores nothing, with Content-Length or chunked', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'big-body@example.test');
    const port = await listen();
    const before = await rowCounts(t);
    const big = JSON.stringify({ actionType: 'SUBMIT', metadata: { filler: 'x'.repeat(2 * 1024 * 1024) } });
    expect(Buffer.byteLength(big)).toBeGreaterThan(2 * 1024 * 1024);

    const sized = await fetch(`http://127.0.0.1:${port}/api/me/activity`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reader.token}`, 'content-type': 'application/json' },
      body: big,
    });
    expect(sized.status).toBe(413);
    expect(sized.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await sized.json()).toMatchObject({ status: 413, code: 'payload_too_large' });

    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        const piece = new TextEncoder().encode(big.slice(0, 64 * 1024));
        for (let i = 0; i < 33; i += 1) controller.enqueue(piece);
        controller.close();
      },
    });
    const chunked = await fetch(`http://127.0.0.1:${port}/api/me/activity`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reader.token}`, 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toMatchObject({ status: 413, code: 'payload_too_large' });

    const register = await fetch(`http://127.0.0.1:${port}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'huge@example.test', password: 'a long enough password', name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(register.status).toBe(413);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('serves at most 200 items a page: limit=200 gives 200 and a cursor to the rest, limit=201 is refused', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'many-events@example.test');
    const consultant = await t.signIn('consultant', 'pager@example.test');
    await t.store.activity.logActivities(
      reader.user.id,
      Array.from({ length: 250 }, (_, n) => ({ actionType: 'PAGE_VIEW', metadata: { n } })),
    );
    for (let n = 0; n < 210; n += 1) {
      await t.store.users.createUser({ email: `r${n}@example.test`, name: `R ${n}`, role: 'reader', passwordHash: 'x' });
    }

    const first = await t.app.inject({ method: 'GET', url: '/api/me/activity?limit=200', headers: reader.headers });
    expect(first.statusCode).toBe(200);
    const page = first.json() as { events: { metadata: { n: number } }[]; nextCursor: string | null };
    expect(page.events).toHaveLength(200);
    expect(page.events[0]!.metadata.n).toBe(249);
    expect(page.nextCursor).not.toBeNull();
    const rest = await t.app.inject({ method: 'GET', url: `/api/me/activity?limit=200&cursor=${page.nextCursor!}`, headers: reader.headers });
    expect((rest.json() as { events: unknown[]; nextCursor: string | null })).toMatchObject({ nextCursor: null });
    expect((rest.json() as { events: unknown[] }).events).toHaveLength(50);

    for (const url of ['/api/readers?limit=200', `/api/readers/${reader.user.id}/activity?limit=200`, '/api/consultant/stuck?limit=200']) {
      const response = await t.app.inject({ method: 'GET', url, headers: consultant.headers });
      expect(response.statusCode, url).toBe(200);
      const items = Object.values(response.json() as Record<string, unknown>).find(Array.isArray) as unknown[];
      expect(items.length, url).toBeLessThanOrEqual(200);
    }
    const readers = await t.app.inject({ method: 'GET', url: '/api/readers?limit=200', headers: consultant.headers });
    expect((readers.json() as { readers: unknown[] }).readers).toHaveLength(200);

    for (const url of ['/api/me/activity?limit=201', '/api/me/activity?limit=100000']) {
      const refused = await t.app.inject({ method: 'GET', url, headers: reader.headers });
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'invalid_request' });
    }
  });
});

describe('rate limits cannot be side-stepped', () => {
  it("a user's second session shares the first one's bucket, and reads count as well as writes", async () => {
    t = await buildTestApp({ env: { READPULSE_USER_RATE_BURST: '4', READPULSE_USER_RATE_PER_SECOND: '1' } });
    const reader = await t.signIn('reader', 'two-sessions@example.test'); // its sign-in is public: no token taken
    const second = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'two-sessions@example.test', password: TEST_PASSWORD } });
    const otherToken = (second.json() as { token: string }).token;
    const before = await rowCounts(t);

    const statuses: number[] = [];
    for (const token of [reader.token, otherToken, reader.token, otherToken]) {
      statuses.push((await t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } })).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200]);
    const limited = await t.app.inject({
      method: 'POST',
      url: '/api/me/activity',
      headers: { authorization: `Bearer ${otherToken}` },
      payload: { actionType: 'SUBMIT' },
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.json()).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a forged X-Forwarded-For does not buy a fresh sign-in bucket, and a refused registration stores no user', async () => {
    t = await buildTestApp({ env: { READPULSE_AUTH_RATE_BURST: '3', READPULSE_AUTH_RATE_PER_SECOND: '1' } });
    const before = await rowCounts(t);
    const statuses: number[] = [];
    for (let n = 0; n < 3; n += 1) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'x-forwarded-for': `198.51.100.${n}` },
        payload: { email: 'nobody@example.test', password: 'whatever-pw' },
      });
      statuses.push(response.statusCode);
    }
    const register = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      headers: { 'x-forwarded-for': '203.0.113.99' },
      payload: { email: 'late@example.test', password: 'a long enough password' },
    });
    statuses.push(register.statusCode);

    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(register.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(register.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(register.headers['set-cookie']).toBeUndefined();
    expect(await rowCounts(t)).toEqual(before);
  });
});
