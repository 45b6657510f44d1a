import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LiveEvent } from '../../src/live/event-hub.js';
import { publishLive } from '../support/live-events.js';
import { SseClient } from '../support/sse-client.js';
import { buildTestApp, type SignedInUser, type TestApp } from '../support/test-app.js';

const STREAM = '/api/consultant/dashboard/stream';

describe('the live stream, narrowed and resumed', () => {
  let t: TestApp;
  let base: string;
  const clients: SseClient[] = [];

  async function start(): Promise<void> {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  }

  async function openStream(who: SignedInUser, query = '', headers: Record<string, string> = {}): Promise<SseClient> {
    const client = await SseClient.open(`${base}${STREAM}${query}`, { ...who.headers, ...headers });
    clients.push(client);
    return client;
  }

  const activity = (readerId: number, n: number, actionType = 'PAGE_VIEW'): LiveEvent => ({
    type: 'activity',
    readerId,
    event: { id: n, actionType, metadata: null, createdAt: 0 },
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    t.app.server.closeAllConnections();
    await t.close();
  });

  it('with reader=ID carries only that reader\'s events, and with activity=none no activity', async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const rita = await t.signIn('reader', 'rita@example.test');
    const sam = await t.signIn('reader', 'sam@example.test');
    const ritaOnly = await openStream(consultant, `?reader=${rita.user.id}`);
    const noActivity = await openStream(consultant, '?activity=none');
    expect((await ritaOnly.nextEvent())!.event).toBe('snapshot');
    expect((await noActivity.nextEvent())!.event).toBe('snapshot');

    await publishLive(t, [
      activity(sam.user.id, 1),
      activity(rita.user.id, 2),
      { type: 'milestone', readerId: sam.user.id, milestone: { chapterId: 'c1', status: 'started', score: null, updatedAt: 0 } },
      activity(rita.user.id, 3, 'DONE'),
      { type: 'milestone', readerId: rita.user.id, milestone: { chapterId: 'c9', status: 'completed', score: 1, updatedAt: 0 } },
    ]);

    const ritaEvents = [await ritaOnly.nextEvent(), await ritaOnly.nextEvent(), await ritaOnly.nextEvent()];
    expect(ritaEvents.map((e) => [e!.event, e!.json.readerId])).toEqual([
      ['activity', rita.user.id],
      ['activity', rita.user.id],
      ['milestone', rita.user.id],
    ]);
    const quiet = [await noActivity.nextEvent(), await noActivity.nextEvent()];
    expect(quiet.map((e) => [e!.event, e!.json.milestone.chapterId])).toEqual([
      ['milestone', 'c1'],
      ['milestone', 'c9'],
    ]);
  });

  it('resumes a client that dropped for a few seconds under load with every event it missed, none twice', async () => {
    await start();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const reader = await t.signIn('reader', 'r@example.test');
    const published: number[] = [];
    let publishing = true;
    const load = (async () => {
      let n = 0;
      while (publishing) {
        published.push(...(await publishLive(t, Array.from({ length: 20 }, () => activity(reader.user.id, (n += 1))))));
        await new Promise((resolve) => setTimeout(resolve, 2)); // the load's pace: 20 events per turn of about 2 ms
      }
    })();

    const received: number[] = [];
    const first = await openStream(consultant);
    expect((await first.nextEvent())!.event).toBe('snapshot');
    while (received.length < 500) received.push(Number((await first.nextEvent())!.id));
    first.close();
    // Away while events keep coming: until more than 2,000 have been published since.
    const away = published.length;
    await vi.waitFor(() => expect(published.length - away).toBeGreaterThan(2000), { timeout: 60_000, interval: 10 });
    const resumed = await openStream(consultant, '', { 'last-event-id': String(received.at(-1)) });
    const next = await resumed.nextEvent();
    expect(next!.event).toBe('activity'); // no snapshot: it resumed
    received.push(Number(next!.id));
    publishing = false;
    await load;
    published.push(...(await publishLive(t, [activity(reader.user.id, -1, 'DONE')])));
    for (let event = await resumed.nextEvent(); event !== null; event = await resumed.nextEvent()) {
      received.push(Number(event.id));
      if (event.json.event.actionType === 'DONE') break;
    }
    const from = published.indexOf(received[0]!);
    expect(published.length - from).toBeGreaterThan(2000);
    expect(received).toEqual(published.slice(from));
  });
});
