import { describe, expect, it } from 'vitest';
import { addUser, expectAppError, MINUTE, UNKNOWN_ID } from './store-fixture.js';
import type { CurrentStore } from './store-fixture.js';

/** upsertMilestone and getMyMilestones. */
export function describeMilestones(current: CurrentStore): void {
  describe('milestones', () => {
    it('upsertMilestone returns the milestone stamped with the clock time and stores it', async () => {
      const { store, clock } = current();
      const user = await addUser(store);
      clock.set(Date.parse('2031-05-06T07:08:09.010Z'));
      const milestone = await store.progress.upsertMilestone(user.id, { chapterId: 'ch-01', status: 'started', score: 40 });
      expect(milestone).toEqual({ chapterId: 'ch-01', status: 'started', score: 40, updatedAt: Date.parse('2031-05-06T07:08:09.010Z') });
      expect(await store.progress.getMyMilestones(user.id)).toEqual([milestone]);
    });

    it('upsertMilestone on the same chapter replaces the row instead of adding one', async () => {
      const { store, clock } = current();
      const user = await addUser(store);
      await store.progress.upsertMilestone(user.id, { chapterId: 'ch-01', status: 'started', score: 10 });
      clock.advance(5 * MINUTE);
      const second = await store.progress.upsertMilestone(user.id, { chapterId: 'ch-01', status: 'stuck', score: 20 });
      clock.advance(5 * MINUTE);
      const third = await store.progress.upsertMilestone(user.id, { chapterId: 'ch-01', status: 'completed', score: 95 });
      expect(second.updatedAt).toBeLessThan(third.updatedAt);
      expect(third).toEqual({ chapterId: 'ch-01', status: 'completed', score: 95, updatedAt: clock.now() });
      expect(await store.progress.getMyMilestones(user.id)).toEqual([third]);
    });

    it('a score may be null, 0 or 100, and an upsert can clear it back to null', async () => {
      const { store } = current();
      const user = await addUser(store);
      await store.progress.upsertMilestone(user.id, { chapterId: 'a-null', status: 'started', score: null });
      await store.progress.upsertMilestone(user.id, { chapterId: 'b-zero', status: 'stuck', score: 0 });
      await store.progress.upsertMilestone(user.id, { chapterId: 'c-full', status: 'completed', score: 100 });
      await store.progress.upsertMilestone(user.id, { chapterId: 'd-cleared', status: 'completed', score: 77 });
      const cleared = await store.progress.upsertMilestone(user.id, { chapterId: 'd-cleared', status: 'completed', score: null });
      expect(cleared.score).toBeNull();
      expect((await store.progress.getMyMilestones(user.id)).map((m) => [m.chapterId, m.score])).toEqual([
        ['a-null', null],
        ['b-zero', 0],
        ['c-full', 100],
        ['d-cleared', null],
      ]);
    });

    it('getMyMilestones is ordered by chapterId whatever the order of writes', async () => {
      const { store } = current();
      const user = await addUser(store);
      const chapters = ['ch-03', 'appendix', 'ch-10', 'ch-01', 'intro', 'ch-02'];
      for (const chapterId of chapters) await store.progress.upsertMilestone(user.id, { chapterId, status: 'started', score: null });
      expect((await store.progress.getMyMilestones(user.id)).map((m) => m.chapterId)).toEqual([
        'appendix',
        'ch-01',
        'ch-02',
        'ch-03',
        'ch-10',
        'intro',
      ]);
    });

    it('chapterIds are ordered by code point, so upper case sorts before lower case on every backend', async () => {
      const { store } = current();
      const user = await addUser(store);
      for (const chapterId of ['b-part', 'a-part', 'B-part', 'A-part', '9-part', '10-part']) {
        await store.progress.upsertMilestone(user.id, { chapterId, status: 'started', score: null });
      }
      expect((await store.progress.getMyMilestones(user.id)).map((m) => m.chapterId)).toEqual([
        '10-part',
        '9-part',
        'A-part',
        'B-part',
        'a-part',
        'b-part',
      ]);
    });

    it('getMyMilestones returns only that user\'s milestones, and none for a user without any', async () => {
      const { store, clock } = current();
      const ann = await addUser(store);
      const bob = await addUser(store);
      const empty = await addUser(store);
      const annMilestone = await store.progress.upsertMilestone(ann.id, { chapterId: 'ch-01', status: 'completed', score: 80 });
      clock.advance(MINUTE);
      const bobMilestone = await store.progress.upsertMilestone(bob.id, { chapterId: 'ch-01', status: 'stuck', score: 5 });
      const bobOther = await store.progress.upsertMilestone(bob.id, { chapterId: 'ch-02', status: 'started', score: null });
      expect(await store.progress.getMyMilestones(ann.id)).toEqual([annMilestone]);
      expect(await store.progress.getMyMilestones(bob.id)).toEqual([bobMilestone, bobOther]);
      expect(await store.progress.getMyMilestones(empty.id)).toEqual([]);
      expect(await store.progress.getMyMilestones(UNKNOWN_ID)).toEqual([]);
    });

    it('upsertMilestone for an unknown user is not_found', async () => {
      const { store } = current();
      await expectAppError(() => store.progress.upsertMilestone(UNKNOWN_ID, { chapterId: 'ch-01', status: 'started', score: 1 }), 'not_found');
      expect(await store.progress.getMyMilestones(UNKNOWN_ID)).toEqual([]);
    });
  });
}
