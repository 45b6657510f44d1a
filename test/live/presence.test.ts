import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';

describe('presence (the coalesced heartbeat)', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('writes one row update per user per flush however many requests they made', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'many@example.test');
    await t.presence.flush();
    const spy = vi.spyOn(t.store.sessions, 'recordHeartbeats');
    for (let i = 0; i < 25; i += 1) {
      t.clock.advance(10);
      await t.app.inject({ method: 'GET', url: '/api/me/milestones', headers: reader.headers });
    }
    await t.presence.flush();
    expect(spy).toHaveBeenCalledTimes(1);
    const batch = spy.mock.calls[0]![0];
    expect(batch).toHaveLength(1);
    expect(batch[0]).toMatchObject({ userId: reader.user.id, at: t.clock.now() });
    expect((await t.store.users.getUserById(reader.user.id))!.lastActiveAt).toBe(t.clock.now());
  });

  it('shows a reader on the live view at once, before any flush', async () => {
    t = await buildTestApp();
    const consultant = await t.signIn('consultant', 'watch@example.test');
    const reader = await t.signIn('reader', 'fresh@example.test');
    await t.presence.flush();
    t.clock.advance(120_000); // both drop out of the 60 s window
    await t.app.inject({ method: 'GET', url: '/api/me', headers: reader.headers });
    const live = await t.app.inject({ method: 'GET', url: '/api/consultant/dashboard/live', headers: consultant.headers });
    expect(live.statusCode).toBe(200);
    const body = live.json();
    expect(body.windowSeconds).toBe(60);
    expect(body.readers.map((u: { id: number }) => u.id)).toEqual([reader.user.id]);
    expect(body.readers[0].lastActiveAt).toBe(new Date(t.clock.now()).toISOString());
  });

  it('lists only readers, most recent first, and drops them after 60 s', async () => {
    t = await buildTestApp();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const first = await t.signIn('reader', 'first@example.test');
    t.clock.advance(1000);
    const second = await t.signIn('reader', 'second@example.test');
    await t.presence.flush();
    const live = () => t.app.inject({ method: 'GET', url: '/api/consultant/dashboard/live', headers: consultant.headers });
    // signing in is not a request with a session yet; these are
    await t.app.inject({ method: 'GET', url: '/api/me', headers: first.headers });
    t.clock.advance(1000);
    await t.app.inject({ method: 'GET', url: '/api/me', headers: second.headers });
    expect((await live()).json().readers.map((u: { id: number }) => u.id)).toEqual([second.user.id, first.user.id]);
    await t.presence.flush();
    t.clock.advance(59_000);
    expect((await live()).json().readers.map((u: { id: number }) => u.id)).toEqual([second.user.id]);
  });

  it('answers 304 to a poll with the ETag of an unchanged live view', async () => {
    t = await buildTestApp();
    const consultant = await t.signIn('consultant', 'etag@example.test');
    const reader = await t.signIn('reader', 'r@example.test');
    await t.app.inject({ method: 'GET', url: '/api/me', headers: reader.headers });
    const first = await t.app.inject({ method: 'GET', url: '/api/consultant/dashboard/live', headers: consultant.headers });
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^".+"$/);
    const again = await t.app.inject({ method: 'GET', url: '/api/consultant/dashboard/live', headers: { ...consultant.headers, 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers['content-length']).toBeUndefined();
    t.clock.advance(1500); // past the reuse of a built view
    await t.app.inject({ method: 'GET', url: '/api/me', headers: reader.headers });
    const changed = await t.app.inject({ method: 'GET', url: '/api/consultant/dashboard/live', headers: { ...consultant.headers, 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('keeps heartbeats whose flush failed and writes them on the next flush', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'retry@example.test');
    await t.presence.flush();
    t.clock.advance(5000);
    await t.app.inject({ method: 'GET', url: '/api/me', headers: reader.headers });
    vi.spyOn(t.store.sessions, 'recordHeartbeats').mockRejectedValueOnce(new Error('disk I/O error'));
    await t.presence.flush();
    expect((await t.store.users.getUserById(reader.user.id))!.lastActiveAt).not.toBe(t.clock.now());
    await t.presence.flush();
    expect((await t.store.users.getUserById(reader.user.id))!.lastActiveAt).toBe(t.clock.now());
  });

  it('flushes pending heartbeats when stopped', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'stop@example.test');
    t.clock.advance(3000);
    await t.app.inject({ method: 'GET', url: '/api/me', headers: reader.headers });
    await t.presence.stop();
    expect((await t.store.users.getUserById(reader.user.id))!.lastActiveAt).toBe(t.clock.now());
  });
});

describe('presence and activity stored by other processes', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('announces a reader online once the store shows them active, and not twice', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'elsewhere@example.test');
    const published = vi.spyOn(t.hub, 'publish');
    // Activity recorded by another process goes straight to the database.
    await t.store.sessions.updateHeartbeat(reader.user.id, t.clock.now());
    await t.presence.syncWithStore(true);
    await t.presence.syncWithStore(true);
    // On PostgreSQL the announcement reaches the hub through the database, a moment later.
    const presenceEvents = () =>
      published.mock.calls.flatMap(([event]) => (event.type === 'presence' ? [[event.reader.id, event.online] as [number, boolean]] : []));
    await vi.waitFor(() => expect(presenceEvents()).toEqual([[reader.user.id, true]]));
    t.clock.advance(61_000);
    t.presence.sweep();
    // Announced online once, then offline: the second sync announced nothing.
    await vi.waitFor(() => expect(presenceEvents()).toEqual([[reader.user.id, true], [reader.user.id, false]]));
  });
});

describe('presence once started: the live view from memory', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('lists the readers it saw and those the store showed at the last sync, most recent first, without reading every reader again', async () => {
    t = await buildTestApp();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const elsewhere = await t.signIn('reader', 'elsewhere@example.test');
    await t.store.sessions.updateHeartbeat(elsewhere.user.id, t.clock.now()); // another process's activity
    t.presence.start();
    await vi.waitFor(async () => expect((await t.presence.liveReaders()).map((u) => u.id)).toEqual([elsewhere.user.id]));
    t.clock.advance(1000);
    const here = await t.signIn('reader', 'here@example.test');
    await t.app.inject({ method: 'GET', url: '/api/me', headers: here.headers });
    const reads = vi.spyOn(t.store.readers, 'getAllActiveUsers');
    t.clock.advance(1000);
    const live = (await t.app.inject({ method: 'GET', url: '/api/consultant/dashboard/live', headers: consultant.headers })).json();
    expect(live.readers.map((u: { id: number }) => u.id)).toEqual([here.user.id, elsewhere.user.id]);
    expect(live.onlineCount).toBe(2);
    expect(live.readers[0].lastActiveAt).toBe(new Date(t.clock.now() - 1000).toISOString());
    expect(reads).not.toHaveBeenCalled();
    t.clock.advance(60_000); // both out of the window, even before a sweep
    const later = (await t.app.inject({ method: 'GET', url: '/api/consultant/dashboard/live', headers: consultant.headers })).json();
    expect(later.onlineCount).toBe(0);
  });
});
