import { describe, expect, it } from 'vitest';
import type { ActivityExportRow, ProgressExportRow, Store } from '../../../src/domain/index.js';
import { addUser, expectAppError, HOUR, MINUTE, UNKNOWN_ID } from './store-fixture.js';
import type { CurrentStore } from './store-fixture.js';

async function collect<T>(batches: AsyncIterable<readonly T[]>): Promise<{ rows: T[]; sizes: number[] }> {
  const rows: T[] = [];
  const sizes: number[] = [];
  for await (const batch of batches) {
    sizes.push(batch.length);
    rows.push(...batch);
  }
  return { rows, sizes };
}

async function seedTwoReaders(store: Store) {
  const ann = await addUser(store, 'reader', { name: 'Ann, "the first"\nreader' });
  const bob = await addUser(store, 'reader', { name: 'Bøb =1+1' });
  const consultant = await addUser(store, 'consultant');
  return { ann, bob, consultant };
}

/** The streamed exports and a user's own data export. */
export function describeExports(current: CurrentStore): void {
  describe('exports', () => {
    it('the progress export lists every reader\'s milestones by reader then chapter, in bounded batches', async () => {
      const { store, clock } = current();
      const { ann, bob, consultant } = await seedTwoReaders(store);
      await store.progress.upsertMilestone(bob.id, { chapterId: 'b', status: 'stuck', score: null });
      await store.progress.upsertMilestone(ann.id, { chapterId: 'c', status: 'completed', score: 99 });
      clock.advance(MINUTE);
      await store.progress.upsertMilestone(ann.id, { chapterId: 'a', status: 'started', score: null });
      await store.progress.upsertMilestone(consultant.id, { chapterId: 'a', status: 'started', score: null });
      const { rows, sizes } = await collect(store.exports.streamProgressExport({}, 2));
      const t = clock.now();
      expect(rows).toEqual<ProgressExportRow[]>([
        { readerId: ann.id, email: ann.email, name: ann.name, chapterId: 'a', status: 'started', score: null, updatedAt: t },
        { readerId: ann.id, email: ann.email, name: ann.name, chapterId: 'c', status: 'completed', score: 99, updatedAt: t - MINUTE },
        { readerId: bob.id, email: bob.email, name: bob.name, chapterId: 'b', status: 'stuck', score: null, updatedAt: t - MINUTE },
      ]);
      expect(sizes.every((n) => n <= 2)).toBe(true);
      const only = await collect(store.exports.streamProgressExport({ readerIds: [bob.id] }));
      expect(only.rows.map((r) => r.readerId)).toEqual([bob.id]);
    });

    it('the activity export lists readers\' events in [from, to) by time, never consultants\'', async () => {
      const { store, clock } = current();
      const { ann, bob, consultant } = await seedTwoReaders(store);
      const start = clock.now();
      const events: { id: number; userId: number; at: number }[] = [];
      for (let i = 0; i < 7; i += 1) {
        clock.advance(HOUR);
        const who = [ann, bob, consultant][i % 3]!;
        const [event] = await store.activity.logActivities(who.id, [{ actionType: 'PAGE_VIEW', metadata: { i, text: 'a,b "c"\n' } }]);
        events.push({ id: event!.id, userId: who.id, at: clock.now() });
      }
      const { rows, sizes } = await collect(store.exports.streamActivityExport({}, 3));
      const readersOnly = events.filter((e) => e.userId !== consultant.id);
      expect(rows.map((r) => r.eventId)).toEqual(readersOnly.map((e) => e.id));
      expect(sizes.every((n) => n <= 3)).toBe(true);
      expect(rows[0]).toEqual<ActivityExportRow>({
        eventId: events[0]!.id,
        readerId: ann.id,
        email: ann.email,
        actionType: 'PAGE_VIEW',
        metadata: JSON.stringify({ i: 0, text: 'a,b "c"\n' }),
        createdAt: start + HOUR,
      });
      const window = await collect(store.exports.streamActivityExport({ from: start + 2 * HOUR, to: start + 5 * HOUR, readerIds: [bob.id, ann.id] }));
      expect(window.rows.map((r) => r.eventId)).toEqual(
        readersOnly.filter((e) => e.at >= start + 2 * HOUR && e.at < start + 5 * HOUR).map((e) => e.id),
      );
      expect((await collect(store.exports.streamActivityExport({ readerIds: [] }))).rows).toEqual([]);
    });

    it('an export refuses a batch size outside 1 to 10,000', async () => {
      const { store } = current();
      await expectAppError(() => collect(store.exports.streamProgressExport({}, 0)), 'invalid_request');
      await expectAppError(() => collect(store.exports.streamActivityExport({}, 10_001)), 'invalid_request');
    });

    it('a user\'s data export holds their user, milestones, activity and access log and nobody else\'s', async () => {
      const { store, clock } = current();
      const { ann, bob, consultant } = await seedTwoReaders(store);
      const milestone = await store.progress.upsertMilestone(ann.id, { chapterId: 'a', status: 'completed', score: 5 });
      await store.progress.upsertMilestone(bob.id, { chapterId: 'a', status: 'stuck', score: null });
      const mine = await store.activity.logActivities(ann.id, [
        { actionType: 'LOGIN', metadata: null },
        { actionType: 'PAGE_VIEW', metadata: { p: 1 } },
      ]);
      await store.activity.logActivity(bob.id, { actionType: 'LOGIN', metadata: null });
      await store.accessLog.recordAccess([
        { consultantId: consultant.id, readerId: ann.id, kind: 'progress', at: clock.now() },
        { consultantId: consultant.id, readerId: bob.id, kind: 'activity', at: clock.now() },
      ]);
      expect(await store.exports.getUserDataExport(ann.id)).toEqual({
        user: ann,
        milestones: [milestone],
        activity: mine,
        accessLog: [{ consultant: { id: consultant.id, name: consultant.name }, what: 'progress', at: clock.now() }],
      });
      await expectAppError(() => store.exports.getUserDataExport(UNKNOWN_ID), 'not_found');
    });

    it('deleting a user removes them from every export, funnel and activity count', async () => {
      const { store, clock } = current();
      await store.chapters.createChapter({ id: 'a', title: 'A' });
      const { ann, bob, consultant } = await seedTwoReaders(store);
      await store.progress.upsertMilestone(ann.id, { chapterId: 'a', status: 'completed', score: 5 });
      await store.activity.logActivity(ann.id, { actionType: 'LOGIN', metadata: null });
      await store.activity.logActivity(bob.id, { actionType: 'LOGIN', metadata: null });
      await store.accessLog.recordAccess([{ consultantId: consultant.id, readerId: ann.id, kind: 'export', at: clock.now() }]);
      await store.users.deleteUser(ann.id);
      expect((await collect(store.exports.streamProgressExport({}))).rows).toEqual([]);
      expect((await collect(store.exports.streamActivityExport({}))).rows.map((r) => r.readerId)).toEqual([bob.id]);
      expect(await store.analytics.getChapterFunnel({})).toEqual([expect.objectContaining({ notStarted: 1, completed: 0, medianScore: null })]);
      const [bucket] = await store.analytics.getActivityBuckets({ from: clock.now(), to: clock.now() + 1, bucket: 'day' });
      expect(bucket).toMatchObject({ events: 1, activeReaders: 1 });
      await expectAppError(() => store.exports.getUserDataExport(ann.id), 'not_found');
      await expectAppError(() => store.accessLog.listAccessLog(ann.id, { limit: 10 }), 'not_found');
    });
  });
}
