import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MILESTONE_STATUSES, type MilestoneStatus } from '../../../src/domain/index.js';
import { InsightModel } from './insight-model.js';
import { addUser, DAY, expectAppError, HOUR, MINUTE } from './store-fixture.js';
import type { CurrentStore } from './store-fixture.js';

const T0 = Date.parse('2026-11-20T00:00:00.000Z');

type Step =
  | { kind: 'milestone'; reader: number; chapter: number; status: MilestoneStatus; score: number | null; advance: number }
  | { kind: 'activity'; reader: number; events: number; advance: number }
  | { kind: 'retention'; cutoffBack: number; limit: number }
  | { kind: 'delete'; reader: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    kind: fc.constant('milestone' as const),
    reader: fc.nat(7),
    chapter: fc.nat(4), // 4 is a chapter outside the catalog
    status: fc.constantFrom(...MILESTONE_STATUSES),
    score: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
    advance: fc.integer({ min: 0, max: 3 * HOUR }),
  }) },
  { weight: 4, arbitrary: fc.record({
    kind: fc.constant('activity' as const),
    reader: fc.nat(7),
    events: fc.integer({ min: 1, max: 3 }),
    advance: fc.integer({ min: 0, max: 5 * HOUR }),
  }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retention' as const), cutoffBack: fc.integer({ min: 0, max: 2 * DAY }), limit: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), reader: fc.nat(7) }) },
);

/** The funnel, activity buckets and grid. */
export function describeInsight(current: CurrentStore): void {
  describe('analytics', () => {
    it('funnel and activity buckets equal a brute-force count over a random history, for all readers and a cohort', async () => {
      const { store, clock } = current();
      const model = new InsightModel();
      for (let i = 1; i <= 4; i += 1) {
        const chapter = await store.chapters.createChapter({ id: `ch-${i}`, title: `Chapter ${i}` });
        model.chapters.push({ id: chapter.id, title: chapter.title });
      }
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(7), { maxLength: 5 }), async (steps, cohortPicks) => {
          // Each run adds its own users to the same store; the model holds everything stored so far.
          clock.set(Math.max(clock.now(), T0));
          const consultant = await addUser(store, 'consultant');
          model.users.set(consultant.id, 'consultant');
          const readers: (number | null)[] = [];
          for (let i = 0; i < 8; i += 1) {
            const reader = await addUser(store);
            model.users.set(reader.id, 'reader');
            readers.push(reader.id);
          }
          const runStart = clock.now();
          for (const s of steps) {
            if (s.kind === 'delete') {
              const id = readers[s.reader];
              if (id === null || id === undefined) continue;
              await store.users.deleteUser(id);
              model.deleteUser(id);
              readers[s.reader] = null;
              continue;
            }
            if (s.kind === 'retention') {
              const cutoff = clock.now() - s.cutoffBack;
              await store.activity.deleteActivityBefore(cutoff, s.limit);
              model.deleteBefore(cutoff, s.limit);
              continue;
            }
            clock.advance(s.advance);
            const actor = s.reader === 7 ? consultant.id : readers[s.reader];
            if (actor === null || actor === undefined) continue;
            if (s.kind === 'milestone') {
              const chapterId = `ch-${s.chapter + 1}`;
              await store.progress.upsertMilestone(actor, { chapterId, status: s.status, score: s.score });
              model.upsert(actor, chapterId, s.status, s.score, clock.now());
            } else {
              await store.activity.logActivities(actor, Array.from({ length: s.events }, () => ({ actionType: 'PAGE_VIEW', metadata: null })));
              for (let e = 0; e < s.events; e += 1) model.events.push({ userId: actor, at: clock.now() });
            }
          }
          const cohort = { readerIds: [...cohortPicks.map((p) => readers[p] ?? -1), consultant.id] };
          for (const filter of [{}, cohort]) {
            expect(await store.analytics.getChapterFunnel(filter)).toEqual(model.funnel(filter));
            for (const bucket of ['hour', 'day'] as const) {
              const query = { ...filter, from: runStart - DAY - 17 * MINUTE, to: clock.now() + 1, bucket };
              expect(await store.analytics.getActivityBuckets(query)).toEqual(model.buckets(query));
            }
          }
        }),
        { numRuns: 30, seed: 12 },
      );
    });

    it('a funnel names every catalog chapter in program order, counting readers with no milestone as not started', async () => {
      const { store } = current();
      await store.chapters.createChapter({ id: 'b', title: 'Second' });
      await store.chapters.createChapter({ id: 'a', title: 'First' });
      await store.chapters.reorderChapters(['a', 'b']);
      const ann = await addUser(store);
      await addUser(store);
      const consultant = await addUser(store, 'consultant');
      await store.progress.upsertMilestone(ann.id, { chapterId: 'b', status: 'completed', score: 80 });
      await store.progress.upsertMilestone(consultant.id, { chapterId: 'b', status: 'completed', score: 10 });
      expect(await store.analytics.getChapterFunnel({})).toEqual([
        { chapterId: 'a', title: 'First', notStarted: 2, started: 0, completed: 0, stuck: 0, medianScore: null, medianMinutesToComplete: null },
        { chapterId: 'b', title: 'Second', notStarted: 1, started: 0, completed: 1, stuck: 0, medianScore: 80, medianMinutesToComplete: null },
      ]);
      expect(await store.analytics.getChapterFunnel({ readerIds: [] })).toEqual([
        expect.objectContaining({ chapterId: 'a', notStarted: 0 }),
        expect.objectContaining({ chapterId: 'b', notStarted: 0, completed: 0, medianScore: null }),
      ]);
    });

    it('minutes to complete run from the first open record to the completion, and a re-score keeps them', async () => {
      const { store, clock } = current();
      await store.chapters.createChapter({ id: 'c1', title: 'One' });
      const reader = await addUser(store);
      await store.progress.upsertMilestone(reader.id, { chapterId: 'c1', status: 'started', score: null });
      clock.advance(10 * MINUTE);
      await store.progress.upsertMilestone(reader.id, { chapterId: 'c1', status: 'stuck', score: null });
      clock.advance(20 * MINUTE + 59_000);
      await store.progress.upsertMilestone(reader.id, { chapterId: 'c1', status: 'completed', score: 70 });
      clock.advance(DAY);
      await store.progress.upsertMilestone(reader.id, { chapterId: 'c1', status: 'completed', score: 90 });
      const [funnel] = await store.analytics.getChapterFunnel({});
      expect(funnel).toMatchObject({ completed: 1, medianScore: 90, medianMinutesToComplete: 30 });
    });

    it('activity buckets refuse an empty or reversed range and more than 1,000 buckets', async () => {
      const { store } = current();
      await expectAppError(() => store.analytics.getActivityBuckets({ from: T0, to: T0, bucket: 'hour' }), 'invalid_request');
      await expectAppError(() => store.analytics.getActivityBuckets({ from: T0 + 1, to: T0, bucket: 'day' }), 'invalid_request');
      await expectAppError(() => store.analytics.getActivityBuckets({ from: T0, to: T0 + 1_000 * HOUR + 1, bucket: 'hour' }), 'invalid_request');
      expect(await store.analytics.getActivityBuckets({ from: T0, to: T0 + 1_000 * HOUR, bucket: 'hour' })).toHaveLength(1_000);
    });

    it('the grid pages readers by id with one cell per catalog chapter, and filters by reader ids', async () => {
      const { store, clock } = current();
      await store.chapters.createChapter({ id: 'x', title: 'X' });
      await store.chapters.createChapter({ id: 'y', title: 'Y' });
      const readers = [await addUser(store), await addUser(store), await addUser(store)];
      const consultant = await addUser(store, 'consultant');
      await store.progress.upsertMilestone(readers[0]!.id, { chapterId: 'y', status: 'stuck', score: null });
      await store.progress.upsertMilestone(readers[2]!.id, { chapterId: 'x', status: 'completed', score: 55 });
      await store.progress.upsertMilestone(readers[2]!.id, { chapterId: 'elsewhere', status: 'completed', score: 1 });
      const first = await store.analytics.getProgressGrid({ limit: 2 });
      expect(first.chapters).toEqual(['x', 'y']);
      expect(first.readers.map((r) => r.reader)).toEqual([readers[0], readers[1]]);
      expect(first.readers[0]!.cells).toEqual([{ status: null, score: null, updatedAt: null }, { status: 'stuck', score: null, updatedAt: clock.now() }]);
      expect(first.nextCursor).not.toBeNull();
      const second = await store.analytics.getProgressGrid({ limit: 2, cursor: first.nextCursor! });
      expect(second.readers).toEqual([
        { reader: readers[2], cells: [{ status: 'completed', score: 55, updatedAt: clock.now() }, { status: null, score: null, updatedAt: null }] },
      ]);
      expect(second.nextCursor).toBeNull();
      const cohort = await store.analytics.getProgressGrid({ limit: 10, readerIds: [readers[1]!.id, consultant.id] });
      expect(cohort.readers.map((r) => r.reader.id)).toEqual([readers[1]!.id]);
      await expectAppError(() => store.analytics.getProgressGrid({ limit: 2, cursor: 'nope' }), 'invalid_request');
    });
  });
}
