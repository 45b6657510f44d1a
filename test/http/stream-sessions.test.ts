import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseClient, type SseFrame } from '../support/sse-client.js';
import { buildTestApp, problemOf, TEST_PASSWORD, type SignedInUser, type TestApp } from '../support/test-app.js';

const STREAM = '/api/consultant/dashboard/stream';
/** The contract: a stream of a session that ended closes within this long. */
const CLOSE_WITHIN_MS = 1_000;

/**
 * What the stream sends until it ends, or `'still open'` if it is open CLOSE_WITHIN_MS after the
 * call. The bound is the contract's own figure (API.md, "Sessions end everywhere at once").
 */
async function framesUntilEnd(stream: SseClient): Promise<SseFrame[] | 'still open'> {
  const frames: SseFrame[] = [];
  const read = (async () => {
    for (let frame = await stream.nextFrame(); frame !== null; frame = await stream.nextFrame()) frames.push(frame);
    return frames;
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'still open'>((resolve) => {
    timer = setTimeout(() => resolve('still open'), CLOSE_WITHIN_MS);
  });
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("a session's end reaches its live streams", () => {
  let t: TestApp;
  let base: string;
  const clients: SseClient[] = [];

  async function start(env: Record<string, string> = {}): Promise<void> {
    t = await buildTestApp({ env });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  }

  async function openStream(who: SignedInUser, query = ''): Promise<SseClient> {
    const client = await SseClient.open(`${base}${STREAM}${query}`, who.headers);
    clients.push(client);
    return client;
  }

  /** A second session of the same user. */
  async function signInAgain(who: SignedInUser): Promise<SignedInUser> {
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: who.user.email, password: TEST_PASSWORD } });
    expect(response.statusCode).toBe(200);
    const token = response.json().token as string;
    return { user: who.user, token, headers: { authorization: `Bearer ${token}` } };
  }

  async function readerWrites(reader: SignedInUser, actionType: string): Promise<void> {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/me/activity',
      headers: reader.headers,
      payload: { actionType, metadata: { note: 'private' } },
    });
    expect(response.statusCode).toBe(201);
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    t.app.server.closeAllConnections();
    await t.close();
  });

  it('sign-out closes the stream at once, and no event reaches it afterwards', async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const reader = await t.signIn('reader', 'r@example.test');
    const stream = await openStream(consultant, '?activity=all');
    expect((await stream.nextEvent())!.event).toBe('snapshot');
    await readerWrites(reader, 'BEFORE');
    const before = await stream.nextEvent();
    expect(before).toMatchObject({ event: 'presence' });
    expect((await stream.nextEvent())!.json.event.actionType).toBe('BEFORE');

    const logout = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: consultant.headers });
    expect(logout.statusCode).toBe(204);
    await readerWrites(reader, 'AFTER');

    const rest = await framesUntilEnd(stream);
    expect(rest).not.toBe('still open');
    expect((rest as SseFrame[]).filter((frame) => frame.event !== undefined)).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: consultant.headers })).statusCode).toBe(401);
    expect(await t.db.count('SELECT count(*) AS n FROM sessions WHERE user_id = ?', consultant.user.id)).toBe(0);
  });

  it("a password change closes the other sessions' streams and keeps the stream of the session that made it", async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const other = await signInAgain(consultant);
    const reader = await t.signIn('reader', 'r@example.test');
    const otherStream = await openStream(other);
    const ownStream = await openStream(consultant);
    expect((await otherStream.nextEvent())!.event).toBe('snapshot');
    expect((await ownStream.nextEvent())!.event).toBe('snapshot');

    const change = await t.app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: consultant.headers,
      payload: { currentPassword: TEST_PASSWORD, newPassword: 'a brand new password' },
    });
    expect(change.statusCode).toBe(204);

    expect(await framesUntilEnd(otherStream)).toEqual([]);
    await readerWrites(reader, 'STILL_WATCHED');
    expect((await ownStream.nextEvent())!.event).toBe('presence');
    expect((await ownStream.nextEvent())!.json.event.actionType).toBe('STILL_WATCHED');
    expect(await t.db.count('SELECT count(*) AS n FROM sessions WHERE user_id = ?', consultant.user.id)).toBe(1);
  });

  it("an account's deletion closes every stream of the user", async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const other = await signInAgain(consultant);
    const streams = [await openStream(consultant), await openStream(other)];
    for (const stream of streams) expect((await stream.nextEvent())!.event).toBe('snapshot');

    const deletion = await t.app.inject({ method: 'DELETE', url: '/api/me', headers: consultant.headers, payload: { password: TEST_PASSWORD } });
    expect(deletion.statusCode).toBe(204);

    for (const stream of streams) expect(await framesUntilEnd(stream)).toEqual([]);
    expect(await t.store.users.getUserById(consultant.user.id)).toBeNull();
  });

  it("a session's expiry closes its streams", async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const stream = await openStream(consultant);
    expect((await stream.nextEvent())!.event).toBe('snapshot');

    t.clock.advance(t.config.session.maxAgeMs);

    expect(await framesUntilEnd(stream)).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: consultant.headers })).statusCode).toBe(401);
  });

  it("a wrong password re-check leaves the session's streams open", async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const reader = await t.signIn('reader', 'r@example.test');
    const stream = await openStream(consultant);
    expect((await stream.nextEvent())!.event).toBe('snapshot');
    const wrong = await t.app.inject({ method: 'DELETE', url: '/api/me', headers: consultant.headers, payload: { password: 'not it at all' } });
    expect(wrong.statusCode).toBe(401);
    await readerWrites(reader, 'STILL_OPEN');
    expect((await stream.nextEvent())!.event).toBe('presence');
    expect((await stream.nextEvent())!.json.event.actionType).toBe('STILL_OPEN');
  });
});

describe('live streams per user', () => {
  let t: TestApp;
  let base: string;
  const clients: SseClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    t.app.server.closeAllConnections();
    await t.close();
  });

  async function start(env: Record<string, string> = {}): Promise<void> {
    t = await buildTestApp({ env });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  }

  async function open(who: SignedInUser, query = ''): Promise<SseClient> {
    const client = await SseClient.open(`${base}${STREAM}${query}`, who.headers);
    clients.push(client);
    return client;
  }

  it("the 11th stream of one user is 429 with Retry-After, while another user's first is 200", async () => {
    await start();
    const hog = await t.signIn('consultant', 'hog@example.test');
    const other = await t.signIn('consultant', 'other@example.test');
    for (let i = 0; i < 10; i += 1) {
      const stream = await open(hog);
      expect(stream.response.status).toBe(200);
      expect((await stream.nextEvent())!.event).toBe('snapshot');
    }

    const eleventh = await fetch(`${base}${STREAM}`, { headers: hog.headers });
    expect(eleventh.status).toBe(429);
    expect(eleventh.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(eleventh.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await eleventh.json()).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(t.hub.subscriberCount).toBe(10);

    const first = await open(other);
    expect(first.response.status).toBe(200);
    expect((await first.nextEvent())!.event).toBe('snapshot');
    expect(t.hub.subscriberCount).toBe(11);
  });

  it('a stream that closed frees its place', async () => {
    await start({ READPULSE_STREAMS_PER_USER: '1' });
    const consultant = await t.signIn('consultant', 'c@example.test');
    const first = await open(consultant);
    expect((await first.nextEvent())!.event).toBe('snapshot');
    expect((await open(consultant)).response.status).toBe(429);
    first.close();
    await expect.poll(() => t.hub.subscriberCount).toBe(0);
    const again = await open(consultant);
    expect(again.response.status).toBe(200);
    expect((await again.nextEvent())!.event).toBe('snapshot');
  });

  it("a reader= stream is a view of that reader's activity in their access log", async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test', 'Carla');
    const watched = await t.signIn('reader', 'watched@example.test');
    const unwatched = await t.signIn('reader', 'unwatched@example.test');
    const stream = await open(consultant, `?reader=${watched.user.id}&activity=all`);
    expect(stream.response.status).toBe(200);
    expect((await stream.nextEvent())!.event).toBe('snapshot');

    const log = await t.app.inject({ method: 'GET', url: '/api/me/access-log', headers: watched.headers });
    expect(log.statusCode).toBe(200);
    expect(log.json().entries).toEqual([
      { consultant: { id: consultant.user.id, name: 'Carla' }, what: 'activity', at: new Date(t.clock.now()).toISOString() },
    ]);
    expect((await t.store.accessLog.listAccessLog(unwatched.user.id, { limit: 10 })).items).toEqual([]);
  });

  it('a reader= stream for an unknown reader is 404 and logs nothing', async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const response = await t.app.inject({ method: 'GET', url: `${STREAM}?reader=999999`, headers: consultant.headers });
    expect(response.statusCode).toBe(404);
    expect(problemOf(response).code).toBe('not_found');
    await t.accessRecorder.flush();
    expect(await t.db.count('SELECT count(*) AS n FROM access_log')).toBe(0);
  });
});
