import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseClient } from '../support/sse-client.js';
import { buildTestApp, type SignedInUser, type TestApp } from '../support/test-app.js';

const STREAM = '/api/consultant/dashboard/stream';

describe('the live stream narrowed to a cohort', () => {
  let t: TestApp;
  let base: string;
  const clients: SseClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    t.app.server.closeAllConnections();
    await t.close();
  });

  async function open(who: SignedInUser, query: string): Promise<SseClient> {
    const client = await SseClient.open(`${base}${STREAM}${query}`, who.headers);
    clients.push(client);
    return client;
  }

  it('carries only events about the cohort\'s readers, including readers who join it while it is open', async () => {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const consultant = await t.signIn('consultant', 'c@example.test', 'C');
    const inside = await t.signIn('reader', 'in@example.test', 'In');
    const outside = await t.signIn('reader', 'out@example.test', 'Out');
    const later = await t.signIn('reader', 'later@example.test', 'Later');
    const cohort = await t.store.cohorts.createCohort('Club');
    await t.store.cohorts.addReaderToCohort(cohort.id, inside.user.id);
    // Low scores open items on the program's chapters only.
    for (const id of ['ch01', 'ch02', 'ch03']) await t.store.chapters.createChapter({ id, title: id });

    // Both readers are online (an authenticated request is activity); the snapshot shows the member only.
    for (const who of [inside, outside]) await t.app.inject({ method: 'GET', url: '/api/me', headers: who.headers });
    const stream = await open(consultant, `?cohort=${cohort.id}`);
    const snapshot = await stream.nextEvent();
    expect(snapshot?.event).toBe('snapshot');
    expect(snapshot!.json.readers.map((r: { id: number }) => r.id)).toEqual([inside.user.id]);

    const put = (who: SignedInUser, chapterId: string, body: object) =>
      t.app.inject({ method: 'PUT', url: `/api/me/milestones/${chapterId}`, headers: who.headers, payload: body });
    await put(outside, 'ch01', { status: 'completed', score: 10 });
    await put(inside, 'ch02', { status: 'completed', score: 10 });
    const join = await t.app.inject({ method: 'PUT', url: `/api/cohorts/${cohort.id}/readers/${later.user.id}`, headers: consultant.headers });
    expect(join.statusCode).toBe(204);
    await put(later, 'ch03', { status: 'started' });

    const seen: string[] = [];
    while (seen.length < 3) {
      const event = await stream.nextEvent();
      if (event === null) break;
      if (event.event === 'milestone') seen.push(`milestone ${event.json.readerId} ${event.json.milestone.chapterId}`);
      if (event.event === 'attention') seen.push(`attention ${event.json.item.reader.id} ${event.json.item.chapterId}`);
    }
    expect(seen).toEqual([`milestone ${inside.user.id} ch02`, `attention ${inside.user.id} ch02`, `milestone ${later.user.id} ch03`]);
  });

  it('an unknown cohort is 404', async () => {
    t = await buildTestApp();
    const consultant = await t.signIn('consultant', 'c@example.test', 'C');
    const response = await t.app.inject({ method: 'GET', url: `${STREAM}?cohort=999999`, headers: consultant.headers });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'not_found' });
  });
});
