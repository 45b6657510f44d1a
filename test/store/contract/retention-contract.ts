import { describe, expect, it } from 'vitest';
import type { ActivityEvent } from '../../../src/domain/index.js';
import { addUser, DAY, expectAppError, SECOND } from './store-fixture.js';
import type { CurrentStore, StoreUnderTest } from './store-fixture.js';

/** Logs one event for `userId` at each of `times` (epoch ms), in order. */
async function logAt({ store, clock }: StoreUnderTest, userId: number, times: readonly number[]): Promise<ActivityEvent[]> {
  const events: ActivityEvent[] = [];
  for (const at of times) {
    clock.set(at);
    events.push(await store.activity.logActivity(userId, { actionType: 'PAGE_VIEW', metadata: { at } }));
  }
  return events;
}

async function idsOf(ctx: StoreUnderTest, userId: number): Promise<number[]> {
  return (await ctx.store.activity.listActivity(userId, { limit: 200 })).items.map((e) => e.id).sort((a, b) => a - b);
}

/** deleteActivityBefore, the retention primitive. */
export function describeRetention(current: CurrentStore): void {
  describe('activity retention', () => {
    it('deletes every user\'s events created before the cutoff and keeps those at or after it', async () => {
      const ctx = current();
      const start = ctx.clock.now();
      const ann = await addUser(ctx.store);
      const bob = await addUser(ctx.store);
      const cutoff = start + 10 * DAY;
      const annEvents = await logAt(ctx, ann.id, [start, start + DAY, cutoff - 1, cutoff, cutoff + DAY]);
      const bobEvents = await logAt(ctx, bob.id, [start + 2 * DAY, cutoff + 1]);

      expect(await ctx.store.activity.deleteActivityBefore(cutoff, 100)).toBe(4);
      expect(await idsOf(ctx, ann.id)).toEqual([annEvents[3]!.id, annEvents[4]!.id]);
      expect(await idsOf(ctx, bob.id)).toEqual([bobEvents[1]!.id]);
      expect(await ctx.store.activity.deleteActivityBefore(cutoff, 100)).toBe(0);
    });

    it('deletes at most `limit` events per call, oldest first, so repeated calls drain the backlog', async () => {
      const ctx = current();
      const start = ctx.clock.now();
      const reader = await addUser(ctx.store);
      const events = await logAt(ctx, reader.id, Array.from({ length: 7 }, (_, i) => start + i * SECOND));
      const cutoff = start + 5 * SECOND; // events 0..4 are old

      expect(await ctx.store.activity.deleteActivityBefore(cutoff, 2)).toBe(2);
      expect(await idsOf(ctx, reader.id)).toEqual(events.slice(2).map((e) => e.id));
      expect(await ctx.store.activity.deleteActivityBefore(cutoff, 2)).toBe(2);
      expect(await ctx.store.activity.deleteActivityBefore(cutoff, 2)).toBe(1);
      expect(await ctx.store.activity.deleteActivityBefore(cutoff, 2)).toBe(0);
      expect(await idsOf(ctx, reader.id)).toEqual(events.slice(5).map((e) => e.id));
    });

    it('touches nothing else: users, milestones and newer activity stay', async () => {
      const ctx = current();
      const start = ctx.clock.now();
      const reader = await addUser(ctx.store);
      const milestone = await ctx.store.progress.upsertMilestone(reader.id, { chapterId: 'ch-01', status: 'stuck', score: null });
      await logAt(ctx, reader.id, [start]);
      const [kept] = await logAt(ctx, reader.id, [start + DAY]);
      expect(await ctx.store.activity.deleteActivityBefore(start + 1, 10)).toBe(1);
      expect(await ctx.store.users.getUserById(reader.id)).toEqual(reader);
      expect(await ctx.store.progress.getMyMilestones(reader.id)).toEqual([milestone]);
      expect((await ctx.store.activity.listActivity(reader.id, { limit: 10 })).items).toEqual([kept]);
    });

    it('an empty store deletes nothing', async () => {
      const { store, clock } = current();
      expect(await store.activity.deleteActivityBefore(clock.now() + DAY, 1000)).toBe(0);
    });

    it('a limit that is not a whole number from 1 to 100,000 is invalid_request and deletes nothing', async () => {
      const ctx = current();
      const reader = await addUser(ctx.store);
      await logAt(ctx, reader.id, [ctx.clock.now()]);
      for (const limit of [0, -1, 1.5, Number.NaN, 100_001]) {
        await expectAppError(() => ctx.store.activity.deleteActivityBefore(ctx.clock.now() + DAY, limit), 'invalid_request');
      }
      expect(await idsOf(ctx, reader.id)).toHaveLength(1);
    });
  });
}
