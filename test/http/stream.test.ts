import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LIVE_WINDOW_MS } from '../../src/live/presence.js';
import { publishLive } from '../support/live-events.js';
import { SseClient } from '../support/sse-client.js';
import { buildTestApp, problemOf, type SignedInUser, type TestApp } from '../support/test-app.js';

const STREAM = '/api/consultant/dashboard/stream';

describe('the live stream (Server-Sent Events)', () => {
  let t: TestApp;
  let base: string;
  const clients: SseClient[] = [];

  async function start(options: Parameters<typeof buildTestApp>[0] = {}): Promise<void> {
    t = await buildTestApp(options);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  }

  async function openStream(who: SignedInUser, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = await SseClient.open(`${base}${STREAM}`, { ...who.headers, ...headers });
    clients.push(client);
    return client;
  }

  /** Requests as a signed-in user over the network (the stream and the writes share the server). */
  async function call(who: SignedInUser, method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
    const init: RequestInit = { method, headers: { ...who.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(`${base}${url}`, init);
    return { status: response.status, json: await response.json() };
  }

  /**
   * Waits until the hub has published `count` events after `afterId`: at once on SQLite, where
   * writes publish as they commit; on PostgreSQL once the events came back from the database.
   */
  async function hubPublished(afterId: number, count: number): Promise<void> {
    await vi.waitFor(() => expect(t.hub.latestId).toBeGreaterThanOrEqual(afterId + count), { timeout: 10_000, interval: 5 });
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    // fetch (undici) opens a fresh idle connection after an aborted one and keeps it 4 s; it is
    // the test client's, so cut it rather than let close() wait for it.
    t.app.server.closeAllConnections();
    await t.close();
  });

  it('starts with a snapshot of the live view, with the stream headers', async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const reader = await t.signIn('reader', 'r@example.test', 'Rita');
    const before = t.hub.latestId;
    expect((await call(reader, 'GET', '/api/me')).status).toBe(200);
    await hubPublished(before, 1); // the reader came online

    const stream = await openStream(consultant);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get('cache-control')).toBe('no-cache');
    expect(stream.response.headers.get('x-accel-buffering')).toBe('no');
    expect(stream.response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(stream.response.headers.get('x-frame-options')).toBe('DENY');
    expect(stream.response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const snapshot = await stream.nextEvent();
    expect(snapshot!.event).toBe('snapshot');
    expect(snapshot!.id).toBe(String(t.hub.latestId));
    const live = await t.app.inject({ method: 'GET', url: '/api/consultant/dashboard/live', headers: consultant.headers });
    expect(snapshot!.json).toEqual(live.json());
    expect(snapshot!.json.readers.map((u: { id: number; name: string }) => [u.id, u.name])).toEqual([[reader.user.id, 'Rita']]);
    expect(snapshot!.json.onlineCount).toBe(1);
  });

  it("delivers a reader's presence, milestone and activity as they happen, in DTO form", async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const reader = await t.signIn('reader', 'r@example.test', 'Rita');
    const stream = await openStream(consultant);
    expect((await stream.nextEvent())!.event).toBe('snapshot');

    const put = await call(reader, 'PUT', '/api/me/milestones/chapter-1', { status: 'stuck', score: 40 });
    expect(put.status).toBe(200);
    const presence = await stream.nextEvent();
    expect(presence!.event).toBe('presence');
    expect(presence!.json).toEqual({
      reader: { ...reader.user, lastActiveAt: new Date(t.clock.now()).toISOString() },
      online: true,
    });
    const milestone = await stream.nextEvent();
    expect(milestone!.event).toBe('milestone');
    expect(Number(milestone!.id)).toBeGreaterThan(Number(presence!.id));
    expect(milestone!.json).toEqual({ readerId: reader.user.id, milestone: put.json.milestone });

    const post = await call(reader, 'POST', '/api/me/activity', { actionType: 'PAGE_VIEW', metadata: { page: 3 } });
    expect(post.status).toBe(201);
    const activity = await stream.nextEvent();
    expect(activity!.event).toBe('activity');
    expect(activity!.json).toEqual({ readerId: reader.user.id, event: post.json.event });

    const batch = await call(reader, 'POST', '/api/me/activity/batch', { events: [{ actionType: 'LOGIN' }, { actionType: 'SUBMIT', metadata: { q: 1 } }] });
    expect(batch.status).toBe(201);
    const stored = batch.json.events;
    const first = await stream.nextEvent();
    const second = await stream.nextEvent();
    expect([first!.json, second!.json]).toEqual(stored.map((event: unknown) => ({ readerId: reader.user.id, event })));
    expect(t.hub.latestId).toBe(Number(second!.id));
  });

  it("publishes nothing for a consultant's own writes or a reader who is already online", async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const reader = await t.signIn('reader', 'r@example.test');
    const before = t.hub.latestId;
    await call(reader, 'GET', '/api/me');
    await hubPublished(before, 1); // the reader came online
    const stream = await openStream(consultant);
    expect((await stream.nextEvent())!.event).toBe('snapshot');
    t.clock.advance(30_000);
    await call(reader, 'GET', '/api/me');
    expect((await call(consultant, 'PUT', '/api/me/milestones/chapter-1', { status: 'started' })).status).toBe(200);
    expect((await call(consultant, 'POST', '/api/me/activity', { actionType: 'PAGE_VIEW' })).status).toBe(201);
    // A marker published after them is the next thing the stream carries: nothing came before it.
    const [marker] = await publishLive(t, [{ type: 'activity', readerId: reader.user.id, event: { id: 0, actionType: 'MARKER', metadata: null, createdAt: 0 } }]);
    const next = await stream.nextEvent();
    expect([next!.id, next!.json.event.actionType]).toEqual([String(marker), 'MARKER']);
  });

  /** A consultant watching the stream, and a reader whose request just announced them online. */
  async function readerSeenOnline() {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const reader = await t.signIn('reader', 'r@example.test');
    const stream = await openStream(consultant);
    expect((await stream.nextEvent())!.event).toBe('snapshot');
    await call(reader, 'GET', '/api/me');
    const seenAt = new Date(t.clock.now()).toISOString();
    const online = await stream.nextEvent();
    expect(online!.json).toMatchObject({ reader: { id: reader.user.id, lastActiveAt: seenAt }, online: true });
    return { consultant, reader, stream, seenAt };
  }

  it('announces a reader offline once they leave the 60 s window and a sweep runs', async () => {
    const { consultant, reader, stream } = await readerSeenOnline();

    t.clock.advance(LIVE_WINDOW_MS - 1);
    t.presence.sweep();
    // Still online: a marker published after the sweep is the next event, no presence before it.
    const marker = { type: 'activity', readerId: 0, event: { id: 0, actionType: 'MARKER', metadata: null, createdAt: 0 } } as const;
    const [markerId] = await publishLive(t, [marker]);
    expect((await stream.nextEvent())!.id).toBe(String(markerId));

    t.clock.advance(1);
    t.presence.sweep();
    const offline = await stream.nextEvent();
    expect(offline!.event).toBe('presence');
    expect(offline!.json).toMatchObject({ reader: { id: reader.user.id }, online: false });
    const live = await t.app.inject({ method: 'GET', url: '/api/consultant/dashboard/live', headers: consultant.headers });
    expect(live.json().readers).toEqual([]);

    // back again: online once more
    await call(reader, 'GET', '/api/me');
    expect((await stream.nextEvent())!.json).toMatchObject({ reader: { id: reader.user.id }, online: true });
  });

  it("announces a reader offline with their last activity's time, not the sweep's", async () => {
    const { reader, stream, seenAt } = await readerSeenOnline();

    t.clock.advance(LIVE_WINDOW_MS);
    t.presence.sweep();
    const offline = await stream.nextEvent();
    expect(offline!.json).toMatchObject({ reader: { id: reader.user.id }, online: false });
    expect(offline!.json.reader.lastActiveAt).toBe(seenAt);
  });

  it('resumes after Last-Event-ID with exactly the events missed, then goes on live', async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const reader = await t.signIn('reader', 'r@example.test');
    const first = await openStream(consultant);
    expect((await first.nextEvent())!.event).toBe('snapshot');
    await call(reader, 'PUT', '/api/me/milestones/chapter-1', { status: 'started' });
    expect((await first.nextEvent())!.event).toBe('presence');
    const lastSeen = await first.nextEvent();
    expect(lastSeen!.json.milestone.chapterId).toBe('chapter-1');
    first.close();
    await vi.waitFor(() => expect(t.hub.subscriberCount).toBe(0));

    await call(reader, 'PUT', '/api/me/milestones/chapter-2', { status: 'completed', score: 90 });
    await call(reader, 'POST', '/api/me/activity', { actionType: 'SUBMIT' });

    const resumed = await openStream(consultant, { 'last-event-id': lastSeen!.id! });
    const missed = [await resumed.nextEvent(), await resumed.nextEvent()];
    expect(missed.map((e) => e!.event)).toEqual(['milestone', 'activity']);
    expect(missed[0]!.json.milestone.chapterId).toBe('chapter-2');
    expect(missed.map((e) => Number(e!.id))).toEqual([Number(lastSeen!.id) + 1, Number(lastSeen!.id) + 2]);
    await call(reader, 'PUT', '/api/me/milestones/chapter-3', { status: 'stuck' });
    const next = await resumed.nextEvent();
    expect(next!.event).toBe('milestone');
    expect(next!.json.milestone.chapterId).toBe('chapter-3');
  });

  it.each([
    ['unknown', () => 'garbage'],
    ['too old for the replay buffer', (t: TestApp) => String(t.hub.latestId - 3)],
  ])('answers a Last-Event-ID that is %s with a fresh snapshot', async (_what, idOf) => {
    await start({ hub: { replayEvents: 2 } });
    const consultant = await t.signIn('consultant', 'c@example.test');
    const reader = await t.signIn('reader', 'r@example.test');
    const before = t.hub.latestId;
    for (const chapter of ['a', 'b', 'c']) await call(reader, 'PUT', `/api/me/milestones/${chapter}`, { status: 'started' });
    await hubPublished(before, 4); // online, then three milestones

    const stream = await openStream(consultant, { 'last-event-id': idOf(t) });
    const snapshot = await stream.nextEvent();
    expect(snapshot!.event).toBe('snapshot');
    expect(snapshot!.id).toBe(String(t.hub.latestId));
    expect(snapshot!.json.readers.map((u: { id: number }) => u.id)).toEqual([reader.user.id]);
  });

  it('refuses a reader with 403 and anyone without a session with 401, as problem details', async () => {
    await start();
    const reader = await t.signIn('reader', 'r@example.test');
    const forbidden = await t.app.inject({ method: 'GET', url: STREAM, headers: reader.headers });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problemOf(forbidden)).toMatchObject({ status: 403, code: 'forbidden' });
    const anonymous = await fetch(`${base}${STREAM}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await anonymous.json()).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(t.hub.subscriberCount).toBe(0);
  });

  it('sends a keep-alive comment on an idle stream', async () => {
    await start({ streamKeepAliveMs: 20 });
    const consultant = await t.signIn('consultant', 'c@example.test');
    const stream = await openStream(consultant);
    expect((await stream.nextFrame())!.event).toBe('snapshot');
    expect(await stream.nextFrame()).toEqual({ comment: 'keep-alive' });
  });

  it('forgets the subscription when the client disconnects', async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const stream = await openStream(consultant);
    await stream.nextEvent();
    expect(t.hub.subscriberCount).toBe(1);
    stream.close();
    await vi.waitFor(() => expect(t.hub.subscriberCount).toBe(0));
  });

  it('drops a consultant who stops reading once their queue overflows, and keeps the others', async () => {
    await start({ hub: { maxQueuedEvents: 5 } });
    const consultant = await t.signIn('consultant', 'c@example.test');
    const reader = await t.signIn('reader', 'r@example.test');
    const healthy = await openStream(consultant);
    expect((await healthy.nextEvent())!.event).toBe('snapshot');

    // A client that sends its request and then never reads: the socket's buffers fill up.
    const stalled = connect({ host: '127.0.0.1', port: Number(new URL(base).port) });
    stalled.on('error', () => {});
    stalled.write(`GET ${STREAM} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${consultant.headers.authorization}\r\n\r\n`);
    await vi.waitFor(() => expect(t.hub.subscriberCount).toBe(2));

    // the healthy consultant reads everything as it comes, until the closing event
    const received = (async () => {
      const ids: number[] = [];
      for (let event = await healthy.nextEvent(); event !== null; event = await healthy.nextEvent()) {
        if (event.json.event.actionType === 'DONE') return ids;
        ids.push(event.json.event.id);
      }
      return ids;
    })();

    // One event at a time (the healthy client's queue holds 5), each on the hub before the next.
    const metadata = { text: 'x'.repeat(3500) };
    let published = 0;
    while (t.hub.subscriberCount === 2 && published < 20_000) {
      await publishLive(t, [{ type: 'activity', readerId: reader.user.id, event: { id: published, actionType: 'PAGE_VIEW', metadata, createdAt: 0 } }]);
      published += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(t.hub.subscriberCount).toBe(1);
    stalled.destroy();

    await publishLive(t, [{ type: 'activity', readerId: reader.user.id, event: { id: -1, actionType: 'DONE', metadata: null, createdAt: 0 } }]);
    expect(await received).toEqual(Array.from({ length: published }, (_, i) => i));
  }, 120_000); // on PostgreSQL each event makes a round trip through the database before the next

  it('ends open streams when the app closes, so shutdown does not wait for them', async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const stream = await openStream(consultant);
    expect((await stream.nextEvent())!.event).toBe('snapshot');
    await t.app.close();
    expect(await stream.nextFrame()).toBeNull();
    expect(t.hub.subscriberCount).toBe(0);
  });

  it('is documented in the OpenAPI document as a text/event-stream for consultants', async () => {
    await start();
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const operation = doc.paths[STREAM].get;
    expect(operation.summary).toMatch(/Server-Sent Events/);
    expect(Object.keys(operation.responses['200'].content)).toEqual(['text/event-stream']);
    expect(operation.description).toMatch(/Policy: consultant/);
    expect(operation.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'last-event-id' })]));
  });
});
