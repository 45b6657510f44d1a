import { describe, expect, it } from 'vitest';
import type { ActivityEvent, User } from '../../src/domain/index.js';
import { EventHub, type LiveEvent } from '../../src/live/event-hub.js';
import { FakeClock } from '../support/fake-clock.js';

const reader: User = { id: 7, email: 'r@example.test', name: 'R', role: 'reader', createdAt: 0, lastActiveAt: 0 };

function activity(id: number, metadata: Record<string, unknown> | null = null): LiveEvent {
  const event: ActivityEvent = { id, actionType: 'PAGE_VIEW', metadata, createdAt: id };
  return { type: 'activity', readerId: reader.id, event };
}

const activityIds = (batch: readonly { event: LiveEvent }[] | null) =>
  (batch ?? []).map(({ event }) => (event.type === 'activity' ? event.event.id : -1));

describe('event hub', () => {
  it('numbers events with ids that only grow and delivers them to every subscriber in order', async () => {
    const hub = new EventHub({ clock: new FakeClock() });
    const a = hub.subscribe();
    const b = hub.subscribe();
    expect(hub.subscriberCount).toBe(2);
    const first = hub.publish(activity(1));
    const second = hub.publish({ type: 'presence', reader, online: true });
    expect(second.id).toBe(first.id + 1);
    expect(hub.latestId).toBe(second.id);
    expect((await a.next())!.map((e) => e.id)).toEqual([first.id, second.id]);
    expect((await b.next())!.map((e) => e.event.type)).toEqual(['activity', 'presence']);
  });

  it('wakes a subscriber waiting for the next event', async () => {
    const hub = new EventHub({ clock: new FakeClock() });
    const subscription = hub.subscribe();
    const waiting = subscription.next();
    hub.publish(activity(1));
    expect(activityIds(await waiting)).toEqual([1]);
  });

  it('starts ids from the clock, so an id from an earlier run is not taken for one of this run', () => {
    const earlier = new EventHub({ clock: new FakeClock('2026-11-24T12:00:00.000Z') });
    for (let i = 0; i < 5; i += 1) earlier.publish(activity(i));
    const later = new EventHub({ clock: new FakeClock('2026-11-24T12:00:01.000Z') });
    expect(later.latestId).toBeGreaterThan(earlier.latestId);
    expect(later.subscribe(String(earlier.latestId)).resumed).toBe(false);
  });

  it('resumes after a Last-Event-ID with exactly the events published since', async () => {
    const hub = new EventHub({ clock: new FakeClock() });
    const ids = [1, 2, 3, 4, 5].map((n) => hub.publish(activity(n)).id);
    const subscription = hub.subscribe(String(ids[1]));
    expect(subscription.resumed).toBe(true);
    expect(activityIds(await subscription.next())).toEqual([3, 4, 5]);
  });

  it('resumes with nothing queued when the client saw the latest event', () => {
    const hub = new EventHub({ clock: new FakeClock() });
    const latest = hub.publish(activity(1)).id;
    const subscription = hub.subscribe(String(latest));
    expect(subscription.resumed).toBe(true);
    expect(subscription.queuedEvents).toBe(0);
    expect(subscription.startId).toBe(latest);
  });

  it.each([
    ['is garbage', () => 'not-an-id'],
    ['is negative', () => '-3'],
    ['is from the future', (latest: number) => String(latest + 10)],
    ['is older than the replay buffer', (latest: number) => String(latest - 4)],
  ])('asks for a snapshot when the Last-Event-ID %s', (_what, idOf) => {
    const hub = new EventHub({ clock: new FakeClock(), replayEvents: 3 });
    for (let n = 1; n <= 6; n += 1) hub.publish(activity(n));
    const subscription = hub.subscribe(idOf(hub.latestId));
    expect(subscription.resumed).toBe(false);
    expect(subscription.queuedEvents).toBe(0);
    expect(subscription.startId).toBe(hub.latestId);
  });

  it('resumes from the oldest event still kept in the ring buffer', async () => {
    const hub = new EventHub({ clock: new FakeClock(), replayEvents: 3 });
    for (let n = 1; n <= 6; n += 1) hub.publish(activity(n));
    const subscription = hub.subscribe(String(hub.latestId - 3));
    expect(subscription.resumed).toBe(true);
    expect(activityIds(await subscription.next())).toEqual([4, 5, 6]);
  });

  it('drops a subscriber whose queue overflows its event bound, and forgets it', async () => {
    const hub = new EventHub({ clock: new FakeClock(), maxQueuedEvents: 5 });
    const slow = hub.subscribe();
    const healthy = hub.subscribe();
    const reasons: string[] = [];
    slow.onEnd((reason) => reasons.push(reason));
    for (let n = 1; n <= 6; n += 1) {
      hub.publish(activity(n));
      if (n % 2 === 0) await healthy.next(); // keeps up
    }
    expect(slow.ended).toBe('overflow');
    expect(reasons).toEqual(['overflow']);
    expect(await slow.next()).toBeNull();
    expect(healthy.ended).toBeUndefined();
    expect(hub.subscriberCount).toBe(1);
  });

  it('drops a subscriber whose queue overflows its byte bound', () => {
    const hub = new EventHub({ clock: new FakeClock(), maxQueuedBytes: 10_000 });
    const slow = hub.subscribe();
    hub.publish(activity(1, { text: 'x'.repeat(6000) }));
    expect(slow.ended).toBeUndefined();
    hub.publish(activity(2, { text: 'x'.repeat(6000) }));
    expect(slow.ended).toBe('overflow');
    expect(hub.subscriberCount).toBe(0);
  });

  it('asks for a snapshot rather than queue more missed events than a subscriber may hold', () => {
    const hub = new EventHub({ clock: new FakeClock(), replayEvents: 100, maxQueuedEvents: 10 });
    const before = hub.latestId;
    for (let n = 1; n <= 20; n += 1) hub.publish(activity(n));
    expect(hub.subscribe(String(before)).resumed).toBe(false);
    expect(hub.subscribe(String(before + 10)).resumed).toBe(true);
  });

  it('forgets a subscriber that unsubscribes and ends a waiting next()', async () => {
    const hub = new EventHub({ clock: new FakeClock() });
    const subscription = hub.subscribe();
    const waiting = subscription.next();
    subscription.unsubscribe();
    expect(await waiting).toBeNull();
    expect(hub.subscriberCount).toBe(0);
    hub.publish(activity(1));
    expect(subscription.queuedEvents).toBe(0);
  });

  it('ends every subscription on close, and any made after it', () => {
    const hub = new EventHub({ clock: new FakeClock() });
    const open = hub.subscribe();
    hub.close();
    expect(open.ended).toBe('closed');
    expect(hub.subscribe().ended).toBe('closed');
    expect(hub.subscriberCount).toBe(0);
  });

  it('refuses a subscriber past the limit with unavailable', () => {
    const hub = new EventHub({ clock: new FakeClock(), maxSubscribers: 2 });
    hub.subscribe();
    hub.subscribe();
    expect(() => hub.subscribe()).toThrow(expect.objectContaining({ code: 'unavailable' }));
  });
});
