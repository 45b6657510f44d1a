import { describe, expect, it } from 'vitest';
import type { ActivityEvent, ActivityMetadata, Store } from '../../../src/domain/index.js';
import { addUser, expectAppError, SECOND, UNKNOWN_ID } from './store-fixture.js';
import type { CurrentStore, StoreUnderTest } from './store-fixture.js';

/** Logs `count` events for the user, one second apart, and returns them oldest first. */
async function logEvents({ store, clock }: StoreUnderTest, userId: number, count: number, tag = 'e'): Promise<ActivityEvent[]> {
  const events: ActivityEvent[] = [];
  for (let i = 1; i <= count; i += 1) {
    clock.advance(SECOND);
    events.push(await store.activity.logActivity(userId, { actionType: 'PAGE_VIEW', metadata: { tag, n: i } }));
  }
  return events;
}

/** Reads every page of the user's activity and returns the pages. */
async function readAllPages(store: Store, userId: number, limit: number) {
  const pages: { items: readonly ActivityEvent[]; nextCursor: string | null }[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.activity.listActivity(userId, { limit, cursor });
    pages.push(page);
    cursor = page.nextCursor ?? undefined;
    if (pages.length > 100) throw new Error('listActivity never ended');
  } while (cursor !== undefined);
  return pages;
}

/** logActivity and listActivity. */
export function describeActivity(current: CurrentStore): void {
  describe('activity', () => {
    it('logActivity returns the event with a new id and the clock time', async () => {
      const { store, clock } = current();
      const user = await addUser(store);
      clock.set(Date.parse('2032-02-29T23:59:59.999Z'));
      const event = await store.activity.logActivity(user.id, { actionType: 'LOGIN', metadata: { via: 'password' } });
      expect(event).toEqual({
        id: expect.any(Number),
        actionType: 'LOGIN',
        metadata: { via: 'password' },
        createdAt: Date.parse('2032-02-29T23:59:59.999Z'),
      });
      expect(Number.isSafeInteger(event.id) && event.id > 0).toBe(true);
      expect(await store.activity.listActivity(user.id, { limit: 10 })).toEqual({ items: [event], nextCursor: null });
    });

    it('logActivity for an unknown user is not_found', async () => {
      const { store } = current();
      await expectAppError(() => store.activity.logActivity(UNKNOWN_ID, { actionType: 'LOGIN', metadata: null }), 'not_found');
      expect((await store.activity.listActivity(UNKNOWN_ID, { limit: 10 })).items).toEqual([]);
    });

    it('metadata round-trips: nested objects, arrays, unicode, numbers, booleans, nulls, and null itself', async () => {
      const { store } = current();
      const user = await addUser(store);
      const rich: ActivityMetadata = {
        page: { chapter: 'ch-07', section: [1, 2, { deep: { deeper: true } }] },
        text: 'naïve café — 日本語 — 🚀📚 — "quotes" \\ back\nslash',
        ratio: 0.125,
        negative: -42,
        flag: false,
        nothing: null,
        empty: {},
        list: [],
      };
      const withRich = await store.activity.logActivity(user.id, { actionType: 'SUBMIT', metadata: rich });
      const withNull = await store.activity.logActivity(user.id, { actionType: 'PAUSE', metadata: null });
      expect(withRich.metadata).toEqual(rich);
      expect(withNull.metadata).toBeNull();
      const { items } = await store.activity.listActivity(user.id, { limit: 10 });
      expect(items).toEqual([withNull, withRich]);
      expect(items[1]?.metadata).toEqual(rich);
      expect(items[0]?.metadata).toBeNull();
    });

    it('listActivity lists newest first', async () => {
      const ctx = current();
      const user = await addUser(ctx.store);
      const events = await logEvents(ctx, user.id, 4);
      expect(await ctx.store.activity.listActivity(user.id, { limit: 50 })).toEqual({ items: [...events].reverse(), nextCursor: null });
    });

    it('events logged in the same millisecond are listed newest first by insertion', async () => {
      const { store } = current();
      const user = await addUser(store);
      const first = await store.activity.logActivity(user.id, { actionType: 'A', metadata: null });
      const second = await store.activity.logActivity(user.id, { actionType: 'B', metadata: null });
      const third = await store.activity.logActivity(user.id, { actionType: 'C', metadata: null });
      expect((await store.activity.listActivity(user.id, { limit: 50 })).items.map((e) => e.actionType)).toEqual(['C', 'B', 'A']);
      expect(new Set([first.id, second.id, third.id]).size).toBe(3);
    });

    it('walking pages of 2 lists every event exactly once, newest first, and the last page has no cursor', async () => {
      const ctx = current();
      const user = await addUser(ctx.store);
      const events = await logEvents(ctx, user.id, 7);
      const pages = await readAllPages(ctx.store, user.id, 2);
      expect(pages.map((p) => p.items.length)).toEqual([2, 2, 2, 1]);
      expect(pages.flatMap((p) => p.items)).toEqual([...events].reverse());
      expect(pages.slice(0, -1).every((p) => typeof p.nextCursor === 'string')).toBe(true);
      expect(pages.at(-1)?.nextCursor).toBeNull();
    });

    it('a page that ends the list exactly at the limit has no next cursor', async () => {
      const ctx = current();
      const user = await addUser(ctx.store);
      const events = await logEvents(ctx, user.id, 4);
      const first = await ctx.store.activity.listActivity(user.id, { limit: 2 });
      expect(first.items).toEqual([events[3], events[2]]);
      expect(first.nextCursor).not.toBeNull();
      const second = await ctx.store.activity.listActivity(user.id, { limit: 2, cursor: first.nextCursor ?? undefined });
      expect(second).toEqual({ items: [events[1], events[0]], nextCursor: null });
    });

    it('a user without activity gets an empty page with no cursor', async () => {
      const { store } = current();
      const user = await addUser(store);
      expect(await store.activity.listActivity(user.id, { limit: 2 })).toEqual({ items: [], nextCursor: null });
    });

    it('events logged between page fetches neither repeat nor skip the older events', async () => {
      const ctx = current();
      const user = await addUser(ctx.store);
      const old = await logEvents(ctx, user.id, 5, 'old');
      const page1 = await ctx.store.activity.listActivity(user.id, { limit: 2 });
      expect(page1.items).toEqual([old[4], old[3]]);
      const newer = await logEvents(ctx, user.id, 2, 'new');
      const page2 = await ctx.store.activity.listActivity(user.id, { limit: 2, cursor: page1.nextCursor ?? undefined });
      expect(page2.items).toEqual([old[2], old[1]]);
      const newest = await logEvents(ctx, user.id, 1, 'newest');
      const page3 = await ctx.store.activity.listActivity(user.id, { limit: 2, cursor: page2.nextCursor ?? undefined });
      expect(page3).toEqual({ items: [old[0]], nextCursor: null });

      const fresh = await ctx.store.activity.listActivity(user.id, { limit: 3 });
      expect(fresh.items).toEqual([newest[0], newer[1], newer[0]]);
    });

    it('a garbage cursor is invalid_request', async () => {
      const ctx = current();
      const user = await addUser(ctx.store);
      await logEvents(ctx, user.id, 3);
      const garbage = [
        'not-a-cursor',
        '!!!',
        Buffer.from('{"after":-1}').toString('base64url'),
        Buffer.from('{"after":"5"}').toString('base64url'),
        Buffer.from('{"after":1.5}').toString('base64url'),
        Buffer.from('[]').toString('base64url'),
      ];
      for (const cursor of garbage) {
        await expectAppError(() => ctx.store.activity.listActivity(user.id, { limit: 2, cursor }), 'invalid_request');
      }
    });

    it('many events logged at once all get distinct ids and are all listed', async () => {
      const { store } = current();
      const user = await addUser(store);
      const logged = await Promise.all(
        Array.from({ length: 25 }, (_, i) => store.activity.logActivity(user.id, { actionType: 'PAGE_VIEW', metadata: { i } })),
      );
      expect(new Set(logged.map((e) => e.id)).size).toBe(25);
      const listed = (await store.activity.listActivity(user.id, { limit: 200 })).items;
      expect(listed.map((e) => e.id)).toEqual(logged.map((e) => e.id).sort((a, b) => b - a));
    });
  });
}
