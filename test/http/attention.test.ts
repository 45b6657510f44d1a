import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseClient } from '../support/sse-client.js';
import { attentionItemById } from '../store/contract/store-fixture.js';
import { buildTestApp, problemOf, type SignedInUser, type TestApp } from '../support/test-app.js';

const STREAM = '/api/consultant/dashboard/stream';

describe('the attention queue over HTTP', () => {
  let t: TestApp;
  let base: string;
  let ann: SignedInUser;
  let bob: SignedInUser;
  let reader: SignedInUser;
  const clients: SseClient[] = [];

  async function start(): Promise<void> {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    ann = await t.signIn('consultant', 'ann@example.test', 'Ann');
    bob = await t.signIn('consultant', 'bob@example.test', 'Bob');
    reader = await t.signIn('reader', 'reader@example.test', 'Reader');
    // The chapter rules apply to the program's chapters only.
    await t.store.chapters.createChapter({ id: 'ch01', title: 'Chapter one' });
  }
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    t.app.server.closeAllConnections();
    await t.close();
  });

  async function nextOf(client: SseClient, type: string) {
    for (;;) {
      const event = await client.nextEvent();
      if (event === null) throw new Error('the stream ended');
      if (event.event === type) return event;
    }
  }

  const milestone = (status: string, score?: number) =>
    t.app.inject({ method: 'PUT', url: '/api/me/milestones/ch01', headers: reader.headers, payload: { status, ...(score === undefined ? {} : { score }) } });

  it('a low score opens an item at once and the stream announces it; a better score resolves it', async () => {
    await start();
    const stream = await SseClient.open(`${base}${STREAM}`, ann.headers);
    clients.push(stream);
    await nextOf(stream, 'snapshot');
    expect((await milestone('completed', 20)).statusCode).toBe(200);
    const opened = await nextOf(stream, 'attention');
    expect(opened.json.item).toMatchObject({ reader: { id: reader.user.id }, reason: 'low_score', chapterId: 'ch01', state: 'open' });

    const list = await t.app.inject({ method: 'GET', url: '/api/attention', headers: ann.headers });
    expect(list.json().items.map((i: { id: number }) => i.id)).toEqual([opened.json.item.id]);
    const counts = await t.app.inject({ method: 'GET', url: '/api/attention/counts', headers: ann.headers });
    expect(counts.json()).toEqual({ open: 1, claimed: 0 });

    await milestone('completed', 90);
    const resolved = await nextOf(stream, 'attention');
    expect(resolved.json.item).toMatchObject({ id: opened.json.item.id, state: 'resolved', resolvedBy: null });
  });

  it('a list narrows to one reason and one reader', async () => {
    await start();
    const other = await t.signIn('reader', 'other@example.test', 'Other');
    await t.store.chapters.createChapter({ id: 'ch02', title: 'Chapter two' });
    await milestone('completed', 10);
    await t.app.inject({ method: 'PUT', url: '/api/me/milestones/ch02', headers: reader.headers, payload: { status: 'completed', score: 5 } });
    await t.app.inject({ method: 'PUT', url: '/api/me/milestones/ch01', headers: other.headers, payload: { status: 'completed', score: 5 } });
    const stored = (await t.store.attention.listAttention({ state: 'open', limit: 10 })).items;
    expect(stored.map((i) => [i.reader.id, i.chapterId])).toEqual([
      [reader.user.id, 'ch01'],
      [reader.user.id, 'ch02'],
      [other.user.id, 'ch01'],
    ]);
    const listed = async (query: string) => {
      const response = await t.app.inject({ method: 'GET', url: `/api/attention?${query}`, headers: ann.headers });
      expect(response.statusCode).toBe(200);
      return (response.json().items as { reader: { id: number }; chapterId: string }[]).map((i) => [i.reader.id, i.chapterId]);
    };
    expect(await listed(`reader=${other.user.id}`)).toEqual([[other.user.id, 'ch01']]);
    expect(await listed(`reader=${reader.user.id}&reason=low_score&limit=1`)).toEqual([[reader.user.id, 'ch01']]);
    expect(await listed('reason=low_score')).toHaveLength(3);
    expect(await listed('reason=stuck')).toEqual([]);
    expect(await listed(`reader=${reader.user.id}&state=claimed`)).toEqual([]);
  });

  it('two consultants claim at once: one holds it, the other gets 409 naming the holder, and the stream says who', async () => {
    await start();
    await milestone('completed', 10);
    const [item] = (await t.store.attention.listAttention({ state: 'open', limit: 10 })).items;
    const stream = await SseClient.open(`${base}${STREAM}`, bob.headers);
    clients.push(stream);
    await nextOf(stream, 'snapshot');

    const claim = (who: SignedInUser) => fetch(`${base}/api/attention/${item!.id}/claim`, { method: 'POST', headers: who.headers });
    const [a, b] = await Promise.all([claim(ann), claim(bob)]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = a.status === 200 ? ann : bob;
    const loser = (await (a.status === 409 ? a : b).json()) as { status: number; code: string; detail: string };
    expect(loser).toMatchObject({ status: 409, code: 'conflict' });
    expect(loser.detail).toContain(winner.user.name);
    // On PostgreSQL events come through the database: the opening's own event may still reach a
    // stream that connected after it.
    let announced = await nextOf(stream, 'attention');
    while (announced.json.item.state === 'open') announced = await nextOf(stream, 'attention');
    expect(announced.json.item).toMatchObject({ id: item!.id, state: 'claimed', claimedBy: { id: winner.user.id } });
    expect((await attentionItemById(t.store, item!.id))?.claimedBy?.id).toBe(winner.user.id);
  });

  it('release needs the holder; resolve stores the note; the rules read and change', async () => {
    await start();
    await milestone('completed', 10);
    const [item] = (await t.store.attention.listAttention({ state: 'open', limit: 10 })).items;
    const post = (who: SignedInUser, action: string, payload?: object) =>
      t.app.inject({ method: 'POST', url: `/api/attention/${item!.id}/${action}`, headers: who.headers, ...(payload ? { payload } : {}) });

    expect((await post(ann, 'claim')).json().item).toMatchObject({ state: 'claimed', claimedBy: { id: ann.user.id } });
    const refused = await post(bob, 'release');
    expect(refused.statusCode).toBe(403);
    expect(problemOf(refused).code).toBe('forbidden');
    expect((await post(ann, 'release')).json().item).toMatchObject({ state: 'open', claimedBy: null, claimedAt: null });
    const resolved = await post(bob, 'resolve', { note: '  Called; revising chapter 1.  ' });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json().item).toMatchObject({ state: 'resolved', resolvedBy: { id: bob.user.id }, note: 'Called; revising chapter 1.' });
    const listed = await t.app.inject({ method: 'GET', url: '/api/attention?state=resolved', headers: ann.headers });
    expect(listed.json().items).toHaveLength(1);

    const rules = await t.app.inject({ method: 'GET', url: '/api/attention/rules', headers: ann.headers });
    expect(rules.json()).toEqual({ rules: { stuckMinutes: 60, inactiveDays: 7, lowScore: 50 } });
    const changed = await t.app.inject({ method: 'PUT', url: '/api/attention/rules', headers: ann.headers, payload: { stuckMinutes: 15 } });
    expect(changed.json()).toEqual({ rules: { stuckMinutes: 15, inactiveDays: 7, lowScore: 50 } });
    expect(await t.store.attention.getAttentionRules()).toEqual({ stuckMinutes: 15, inactiveDays: 7, lowScore: 50 });
  });

  it('the periodic sweep opens stuck items and publishes them', async () => {
    await start();
    await t.app.inject({ method: 'PUT', url: '/api/attention/rules', headers: ann.headers, payload: { stuckMinutes: 1 } });
    await milestone('stuck');
    const stream = await SseClient.open(`${base}${STREAM}`, ann.headers);
    clients.push(stream);
    await nextOf(stream, 'snapshot');
    t.clock.advance(60_000);
    expect(await t.sweeper.runOnce()).toBe(1);
    const opened = await nextOf(stream, 'attention');
    expect(opened.json.item).toMatchObject({ reason: 'stuck', chapterId: 'ch01', state: 'open' });
    await milestone('started');
    expect((await nextOf(stream, 'attention')).json.item).toMatchObject({ id: opened.json.item.id, state: 'resolved' });
  });

  it('chapters outside the program open nothing: low scores and stuck chapters on made-up ids are stored and shown, and the queue stays empty', async () => {
    await start();
    await t.app.inject({ method: 'PUT', url: '/api/attention/rules', headers: ann.headers, payload: { stuckMinutes: 1 } });
    for (let n = 1; n <= 5; n += 1) {
      const low = await t.app.inject({ method: 'PUT', url: `/api/me/milestones/fake-chapter-${n}`, headers: reader.headers, payload: { status: 'completed', score: 0 } });
      expect(low.statusCode).toBe(200);
    }
    const stuck = await t.app.inject({ method: 'PUT', url: '/api/me/milestones/fake-stuck', headers: reader.headers, payload: { status: 'stuck' } });
    expect(stuck.statusCode).toBe(200);
    t.clock.advance(60_000);
    expect(await t.sweeper.runOnce()).toBe(0);

    const list = await t.app.inject({ method: 'GET', url: '/api/attention', headers: ann.headers });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([]);
    expect(await t.db.count('SELECT count(*) AS n FROM attention_items')).toBe(0);
    const mine = await t.app.inject({ method: 'GET', url: '/api/me/milestones', headers: reader.headers });
    expect(mine.json().milestones.map((m: { chapterId: string }) => m.chapterId).sort()).toEqual([
      'fake-chapter-1', 'fake-chapter-2', 'fake-chapter-3', 'fake-chapter-4', 'fake-chapter-5', 'fake-stuck',
    ]);

    // The same on a program chapter opens an item at once, and the stuck one at the sweep.
    expect((await milestone('completed', 0)).statusCode).toBe(200);
    const stuckInProgram = await t.app.inject({ method: 'PUT', url: '/api/me/milestones/ch02', headers: reader.headers, payload: { status: 'stuck' } });
    expect(stuckInProgram.statusCode).toBe(200);
    await t.store.chapters.createChapter({ id: 'ch02', title: 'Chapter two' });
    t.clock.advance(60_000);
    expect(await t.sweeper.runOnce()).toBe(1);
    const after = await t.app.inject({ method: 'GET', url: '/api/attention', headers: ann.headers });
    expect(after.json().items.map((i: { reason: string; chapterId: string }) => [i.reason, i.chapterId]).sort()).toEqual([
      ['low_score', 'ch01'],
      ['stuck', 'ch02'],
    ]);
  });
});
