import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ActivityEvent, User } from '../../src/domain/index.js';
import { liveEventBody } from '../../src/http/live-frames.js';
import { pumpStream, type StreamSink } from '../../src/http/live-stream-writer.js';
import { EventHub, type LiveEvent } from '../../src/live/event-hub.js';
import type { EventIdSource } from '../../src/live/event-ids.js';
import { FakeClock } from '../support/fake-clock.js';

const reader: User = { id: 7, email: 'r@example.test', name: 'R', role: 'reader', createdAt: 0, lastActiveAt: 0 };

function activity(id: number, metadata: Record<string, unknown> | null = null): LiveEvent {
  const event: ActivityEvent = { id, actionType: 'PAGE_VIEW', metadata, createdAt: id };
  return { type: 'activity', readerId: reader.id, event };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A sink that records each write and, when told, stops taking more (a client that stopped reading). */
class FakeSink extends EventEmitter implements StreamSink {
  readonly writes: string[] = [];
  full = false;
  destroyed = false;
  write(chunk: string): boolean {
    this.writes.push(chunk);
    return !this.full;
  }
  drain(): void {
    this.full = false;
    this.emit('drain');
  }
}

const idsIn = (chunk: string) => [...chunk.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

describe('event hub: fan-out per batch', () => {
  it('delivers the events published in one turn to a stream as one write, serialized once', async () => {
    const hub = new EventHub({ clock: new FakeClock(), encode: liveEventBody });
    const sinks = [new FakeSink(), new FakeSink()];
    const subscriptions = sinks.map((sink) => {
      const subscription = hub.subscribe();
      void pumpStream(subscription, sink, () => false);
      return subscription;
    });
    await turn();
    const published = [1, 2, 3, 4, 5].map((n) => hub.publish(activity(n)));
    await turn();
    await turn();
    for (const sink of sinks) {
      expect(sink.writes).toHaveLength(1);
      expect(idsIn(sink.writes[0]!)).toEqual(published.map((p) => p.id));
      expect(sink.writes[0]).toBe(published.map((p) => p.frame).join(''));
    }
    expect(published[0]!.frame).toMatch(/^id: \d+\nevent: activity\ndata: \{"readerId":7,"event":\{"id":1,/);

    hub.publish(activity(6));
    await turn();
    await turn();
    expect(sinks.map((s) => s.writes.length)).toEqual([2, 2]);
    subscriptions.forEach((s) => s.unsubscribe());
  });

  it('writes what piled up while the sink was full in one write once it drains', async () => {
    const hub = new EventHub({ clock: new FakeClock() });
    const sink = new FakeSink();
    void pumpStream(hub.subscribe(), sink, () => false);
    hub.publish(activity(1));
    await turn();
    await turn();
    expect(sink.writes).toHaveLength(1);
    sink.full = true;
    hub.publish(activity(2));
    await turn();
    await turn();
    expect(sink.writes).toHaveLength(2); // accepted, but the sink said it is full
    for (let n = 3; n <= 10; n += 1) {
      hub.publish(activity(n));
      await turn();
    }
    expect(sink.writes).toHaveLength(2);
    sink.drain();
    await turn();
    await turn();
    expect(sink.writes).toHaveLength(3);
    expect(idsIn(sink.writes[2]!)).toHaveLength(8);
  });

  it('drops a stream that stopped reading once its queue passes the byte bound, and the others keep going', async () => {
    const hub = new EventHub({ clock: new FakeClock(), maxQueuedBytes: 50_000 });
    const stalled = new FakeSink();
    const healthy = new FakeSink();
    const stalledSubscription = hub.subscribe();
    void pumpStream(stalledSubscription, stalled, () => false);
    void pumpStream(hub.subscribe(), healthy, () => false);
    stalled.full = true;
    const metadata = { text: 'x'.repeat(1000) };
    const ids: number[] = [];
    for (let n = 1; n <= 100; n += 1) {
      ids.push(hub.publish(activity(n, metadata)).id);
      await turn();
    }
    expect(stalledSubscription.ended).toBe('overflow');
    expect(hub.subscriberCount).toBe(1);
    expect(healthy.writes.flatMap(idsIn)).toEqual(ids);
  });

  it('keeps a stream that reads slowly but keeps up: its queue drains between bursts', async () => {
    const hub = new EventHub({ clock: new FakeClock(), maxQueuedBytes: 50_000 });
    const slow = new FakeSink();
    const subscription = hub.subscribe();
    void pumpStream(subscription, slow, () => false);
    const metadata = { text: 'x'.repeat(1000) };
    for (let burst = 0; burst < 20; burst += 1) {
      slow.full = true;
      for (let n = 0; n < 30; n += 1) hub.publish(activity(n, metadata));
      await turn();
      slow.drain();
      await turn();
    }
    expect(subscription.ended).toBeUndefined();
  });
});

describe('event hub: replay buffer', () => {
  it('keeps events by age: a client resumes within the window, and gets a snapshot past it', () => {
    const clock = new FakeClock();
    const hub = new EventHub({ clock, replayMs: 30_000 });
    const before = hub.latestId;
    for (let second = 0; second < 40; second += 1) {
      for (let n = 0; n < 100; n += 1) hub.publish(activity(n));
      clock.advance(1000);
    }
    const kept = hub.replayed.events;
    expect(kept).toBeGreaterThanOrEqual(2900);
    expect(kept).toBeLessThanOrEqual(3000);
    expect(hub.subscribe(String(before)).resumed).toBe(false);
    const resumed = hub.subscribe(String(hub.latestId - 2500));
    expect(resumed.resumed).toBe(true);
    expect(resumed.queuedEvents).toBe(2500);
  });

  it('resumes a client that missed thousands of events, up to what its queue may hold in bytes', () => {
    const hub = new EventHub({ clock: new FakeClock(), maxQueuedBytes: 500_000 });
    const before = hub.latestId;
    let bytes = 0;
    for (let n = 0; n < 10_000; n += 1) bytes += hub.publish(activity(n)).size;
    expect(bytes).toBeGreaterThan(500_000);
    expect(hub.subscribe(String(before)).resumed).toBe(false);
    const resumed = hub.subscribe(String(hub.latestId - 3000));
    expect(resumed.resumed).toBe(true);
    expect(resumed.queuedEvents).toBe(3000);
  });

  it('caps the buffer by bytes', () => {
    const hub = new EventHub({ clock: new FakeClock(), replayBytes: 100_000 });
    for (let n = 0; n < 1000; n += 1) hub.publish(activity(n, { text: 'x'.repeat(900) }));
    expect(hub.replayed.bytes).toBeLessThanOrEqual(100_000);
    expect(hub.replayed.events).toBeGreaterThan(90);
  });

  it('takes its ids from the id source it is given', () => {
    let last = 41;
    const ids: EventIdSource = {
      get latest() {
        return last;
      },
      next: () => (last += 10),
    };
    const hub = new EventHub({ clock: new FakeClock(), ids });
    expect(hub.latestId).toBe(41);
    expect([hub.publish(activity(1)).id, hub.publish(activity(2)).id]).toEqual([51, 61]);
    expect(hub.subscribe('51').queuedEvents).toBe(1);
  });
});
