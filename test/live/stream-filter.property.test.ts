import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { User } from '../../src/domain/index.js';
import { EventHub, type LiveEvent, type PublishedEvent, type Subscription } from '../../src/live/event-hub.js';
import { LATEST_ACTIVITY_INTERVAL_MS, passesFilter, readerOf, type StreamFilter } from '../../src/live/stream-filter.js';
import { FakeClock } from '../support/fake-clock.js';

const user = (id: number): User => ({ id, email: `r${id}@example.test`, name: `R${id}`, role: 'reader', createdAt: 0, lastActiveAt: 0 });

const eventArb: fc.Arbitrary<{ gapMs: number; event: LiveEvent }> = fc.record({
  gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2500 })),
  event: fc.oneof(
    { weight: 6, arbitrary: fc.record({ readerId: fc.integer({ min: 1, max: 4 }), n: fc.nat() }).map(({ readerId, n }): LiveEvent => ({
      type: 'activity', readerId, event: { id: n, actionType: 'PAGE_VIEW', metadata: null, createdAt: n } })) },
    { weight: 1, arbitrary: fc.record({ readerId: fc.integer({ min: 1, max: 4 }), online: fc.boolean() }).map(({ readerId, online }): LiveEvent => ({
      type: 'presence', reader: user(readerId), online })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }).map((readerId): LiveEvent => ({
      type: 'milestone', readerId, milestone: { chapterId: 'c1', status: 'started', score: null, updatedAt: 0 } })) },
  ),
});

const filterArb: fc.Arbitrary<StreamFilter> = fc.record({
  activity: fc.constantFrom('all', 'latest', 'none'),
  readerId: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  // the seam a cohort's membership check plugs into
  readerChecks: fc.option(fc.constant([(id: number) => id !== 3]), { nil: undefined }),
}) as fc.Arbitrary<StreamFilter>;

interface Received {
  readonly published: PublishedEvent;
  readonly at: number;
}

async function drain(subscription: Subscription, into: Received[], at: number): Promise<void> {
  while (subscription.queuedEvents > 0) for (const published of (await subscription.next())!) into.push({ published, at });
}

/** Publishes the sequence to a full and a narrowed subscription; then waits out the pacing. */
async function run(steps: readonly { gapMs: number; event: LiveEvent }[], filter: StreamFilter) {
  const clock = new FakeClock();
  const hub = new EventHub({ clock, schedule: () => {} });
  const full = hub.subscribe();
  const narrowed = hub.subscribe(undefined, filter);
  const fullReceived: Received[] = [];
  const narrowedReceived: Received[] = [];
  for (const { gapMs, event } of steps) {
    clock.advance(gapMs);
    hub.tick();
    hub.publish(event);
    await drain(full, fullReceived, clock.now());
    await drain(narrowed, narrowedReceived, clock.now());
  }
  clock.advance(LATEST_ACTIVITY_INTERVAL_MS);
  hub.tick();
  await drain(narrowed, narrowedReceived, clock.now());
  hub.close();
  return { fullReceived, narrowedReceived };
}

const isActivity = (r: Received) => r.published.event.type === 'activity';

describe('narrowed streams (property)', () => {
  it('equal the full stream filtered the same way; `latest` paces activity per reader and ends on the newest', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { maxLength: 60 }), filterArb, async (steps, filter) => {
        const { fullReceived, narrowedReceived } = await run(steps, filter);
        const expected = fullReceived.filter((r) => passesFilter(filter, r.published.event));
        const ids = narrowedReceived.map((r) => r.published.id);
        expect(ids).toEqual([...ids].sort((a, b) => a - b)); // ids never go back
        if (filter.activity !== 'latest') {
          expect(narrowedReceived.map((r) => r.published.frame)).toEqual(expected.map((r) => r.published.frame));
          return;
        }
        // Everything but activity: exactly the filtered full stream.
        expect(narrowedReceived.filter((r) => !isActivity(r)).map((r) => r.published.frame)).toEqual(
          expected.filter((r) => !isActivity(r)).map((r) => r.published.frame),
        );
        const sent = narrowedReceived.filter(isActivity);
        const readers = new Set(expected.filter(isActivity).map((r) => readerOf(r.published.event)));
        for (const readerId of readers) {
          const mine = sent.filter((r) => readerOf(r.published.event) === readerId);
          // never two within the interval
          for (let i = 1; i < mine.length; i += 1) {
            expect(mine[i]!.at - mine[i - 1]!.at).toBeGreaterThanOrEqual(LATEST_ACTIVITY_INTERVAL_MS);
          }
          // always ends on the newest, which is one of that reader's own events, in order
          const published = expected.filter((r) => isActivity(r) && readerOf(r.published.event) === readerId).map((r) => r.published.event);
          expect(mine.at(-1)?.published.event).toBe(published.at(-1));
          const positions = mine.map((r) => published.indexOf(r.published.event));
          expect(positions.every((p) => p >= 0)).toBe(true);
          expect(positions).toEqual([...positions].sort((a, b) => a - b));
        }
        expect(sent.length).toBeGreaterThanOrEqual(readers.size);
      }),
      { numRuns: 300 },
    );
  });

  it('sends the first activity of a reader at once and holds a burst back to its newest', async () => {
    const activity = (n: number): { gapMs: number; event: LiveEvent } => ({
      gapMs: 10,
      event: { type: 'activity', readerId: 1, event: { id: n, actionType: 'PAGE_VIEW', metadata: null, createdAt: n } },
    });
    const { narrowedReceived } = await run([1, 2, 3, 4, 5].map(activity), { activity: 'latest' });
    expect(narrowedReceived.map((r) => (r.published.event.type === 'activity' ? r.published.event.event.id : 0))).toEqual([1, 5]);
    expect(narrowedReceived[1]!.at - narrowedReceived[0]!.at).toBeGreaterThanOrEqual(LATEST_ACTIVITY_INTERVAL_MS);
  });
});
