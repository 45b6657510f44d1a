import { describe, expect, it } from 'vitest';
import { addUser, SECOND, sessionFor, tokenHash } from './store-fixture.js';
import type { CurrentStore } from './store-fixture.js';

/** Reader A's methods never return or change reader B's data. */
export function describeIsolation(current: CurrentStore): void {
  describe('isolation between readers', () => {
    it('reader A\'s milestones, activity and sessions never include or touch reader B\'s', async () => {
      const { store, clock } = current();
      const t = clock.now();
      const a = await addUser(store);
      const b = await addUser(store);
      await store.sessions.createSession(sessionFor(a.id, 'a-session', t));
      await store.sessions.createSession(sessionFor(b.id, 'b-session', t));
      const aMilestone = await store.progress.upsertMilestone(a.id, { chapterId: 'ch-01', status: 'completed', score: 100 });
      const bMilestone = await store.progress.upsertMilestone(b.id, { chapterId: 'ch-01', status: 'stuck', score: 3 });
      const bOnly = await store.progress.upsertMilestone(b.id, { chapterId: 'ch-09', status: 'started', score: null });
      const aEvents = [];
      const bEvents = [];
      for (let i = 0; i < 3; i += 1) {
        clock.advance(SECOND);
        aEvents.push(await store.activity.logActivity(a.id, { actionType: 'A_EVENT', metadata: { i } }));
        bEvents.push(await store.activity.logActivity(b.id, { actionType: 'B_EVENT', metadata: { i } }));
      }

      expect(await store.progress.getMyMilestones(a.id)).toEqual([aMilestone]);
      expect(await store.readers.getReaderMilestones(b.id)).toEqual([bMilestone, bOnly]);
      expect((await store.activity.listActivity(a.id, { limit: 50 })).items).toEqual([...aEvents].reverse());
      expect((await store.activity.listActivity(b.id, { limit: 50 })).items).toEqual([...bEvents].reverse());

      const aPage = await store.activity.listActivity(a.id, { limit: 1 });
      const bViaACursor = await store.activity.listActivity(b.id, { limit: 50, cursor: aPage.nextCursor ?? undefined });
      const bIds = new Set(bEvents.map((e) => e.id));
      expect(bViaACursor.items.length).toBeGreaterThan(0);
      expect(bViaACursor.items.every((e) => bIds.has(e.id))).toBe(true);

      await store.progress.upsertMilestone(a.id, { chapterId: 'ch-01', status: 'started', score: 1 });
      expect(await store.progress.getMyMilestones(b.id)).toEqual([bMilestone, bOnly]);

      await store.sessions.recordHeartbeats([{ userId: a.id, tokenHash: tokenHash('a-session'), at: t + 60 * SECOND }]);
      await store.sessions.updateHeartbeat(a.id, t + 61 * SECOND);
      expect((await store.users.getUserById(b.id))?.lastActiveAt).toBeNull();
      expect((await store.sessions.findSession(tokenHash('b-session')))?.session.lastSeenAt).toBe(t);

      expect(await store.sessions.deleteUserSessions(a.id)).toBe(1);
      expect((await store.sessions.findSession(tokenHash('b-session')))?.user).toEqual(b);

      const counts = (await store.readers.listReaders({ limit: 50 })).items.map((r) => [r.id, r.counts]);
      expect(counts).toEqual([
        [a.id, { started: 1, completed: 0, stuck: 0 }],
        [b.id, { started: 1, completed: 0, stuck: 1 }],
      ]);
    });
  });
}
