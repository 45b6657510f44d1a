import { beforeEach, describe, expect, it } from 'vitest';
import type { Store, User } from '../../../src/domain/index.js';
import { addUser, attentionItemById, DAY, expectAppError, HOUR, MINUTE, UNKNOWN_ID, type CurrentStore } from './store-fixture.js';

async function openItems(store: Store) {
  return (await store.attention.listAttention({ state: 'open', limit: 200 })).items;
}

/** A reader with a milestone marked stuck now, and the sweep run once the rule's time has passed. */
async function stuckItemFor(current: CurrentStore, reader?: User) {
  const { store, clock } = current();
  const who = reader ?? (await addUser(store));
  await store.progress.upsertMilestone(who.id, { chapterId: 'ch01', status: 'stuck', score: null });
  const since = clock.now();
  clock.advance(60 * MINUTE);
  const { changed } = await store.attention.sweepAttention(100);
  expect(changed).toHaveLength(1);
  return { reader: who, item: changed[0]!, since };
}

/** The attention queue: rules, items opening and resolving by themselves, claims. */
export function describeAttention(current: CurrentStore): void {
  describe('attention', () => describeAttentionRules(current));
}

function describeAttentionRules(current: CurrentStore): void {
  // The chapter rules apply to the program's chapters only: the ones these tests use are in it.
  beforeEach(async () => {
    const { store } = current();
    await store.chapters.createChapter({ id: 'ch01', title: 'One' });
    await store.chapters.createChapter({ id: 'ch02', title: 'Two' });
  });

  describe('chapters outside the program', () => {
    it('a low score or a stuck chapter on a chapter id the program does not have opens nothing, and the milestone is kept', async () => {
      const { store, clock } = current();
      const reader = await addUser(store);
      await store.progress.upsertMilestone(reader.id, { chapterId: 'not-in-program', status: 'completed', score: 0 });
      expect(await store.attention.reviewMilestoneAttention(reader.id, 'not-in-program')).toEqual([]);
      await store.progress.upsertMilestone(reader.id, { chapterId: 'stuck-outside', status: 'stuck', score: null });
      expect(await store.attention.reviewMilestoneAttention(reader.id, 'stuck-outside')).toEqual([]);
      clock.advance(60 * MINUTE);
      expect((await store.attention.sweepAttention(100)).changed).toEqual([]);
      expect(await openItems(store)).toEqual([]);
      expect((await store.progress.getMyMilestones(reader.id)).map((m) => m.chapterId).sort()).toEqual(['not-in-program', 'stuck-outside']);
    });
  });
  describe('attention rules', () => {
    it('start at the documented defaults and change in part', async () => {
      const { store } = current();
      expect(await store.attention.getAttentionRules()).toEqual({ stuckMinutes: 60, inactiveDays: 7, lowScore: 50 });
      expect(await store.attention.setAttentionRules({ lowScore: 70 })).toEqual({ stuckMinutes: 60, inactiveDays: 7, lowScore: 70 });
      expect(await store.attention.getAttentionRules()).toEqual({ stuckMinutes: 60, inactiveDays: 7, lowScore: 70 });
    });

    it('refuse a value out of range with invalid_request, changing nothing', async () => {
      const { store } = current();
      for (const change of [{ stuckMinutes: 0 }, { inactiveDays: 366 }, { lowScore: 101 }, { lowScore: 1.5 }, { lowScore: 60, stuckMinutes: -1 }]) {
        await expectAppError(() => store.attention.setAttentionRules(change), 'invalid_request');
      }
      expect(await store.attention.getAttentionRules()).toEqual({ stuckMinutes: 60, inactiveDays: 7, lowScore: 50 });
    });
  });

  describe('attention items by rule', () => {
    it('a low score opens an item at once, one per chapter, and a better score resolves it', async () => {
      const { store, clock } = current();
      const reader = await addUser(store);
      await store.progress.upsertMilestone(reader.id, { chapterId: 'ch01', status: 'completed', score: 50 });
      expect(await store.attention.reviewMilestoneAttention(reader.id, 'ch01')).toEqual([]);
      await store.progress.upsertMilestone(reader.id, { chapterId: 'ch01', status: 'completed', score: 49 });
      const [opened] = await store.attention.reviewMilestoneAttention(reader.id, 'ch01');
      expect(opened).toMatchObject({ reader, reason: 'low_score', chapterId: 'ch01', since: clock.now(), state: 'open', claimedBy: null });
      await store.progress.upsertMilestone(reader.id, { chapterId: 'ch01', status: 'completed', score: 10 });
      expect(await store.attention.reviewMilestoneAttention(reader.id, 'ch01')).toEqual([]);
      expect(await openItems(store)).toHaveLength(1);

      clock.advance(MINUTE);
      await store.progress.upsertMilestone(reader.id, { chapterId: 'ch01', status: 'completed', score: 80 });
      const [resolved] = await store.attention.reviewMilestoneAttention(reader.id, 'ch01');
      expect(resolved).toMatchObject({ id: opened!.id, state: 'resolved', resolvedBy: null, resolvedAt: clock.now() });
      expect(await openItems(store)).toEqual([]);
    });

    it('a consultant\'s own low score opens nothing', async () => {
      const { store } = current();
      const consultant = await addUser(store, 'consultant');
      await store.progress.upsertMilestone(consultant.id, { chapterId: 'ch01', status: 'completed', score: 1 });
      expect(await store.attention.reviewMilestoneAttention(consultant.id, 'ch01')).toEqual([]);
      expect(await store.attention.reviewMilestoneAttention(UNKNOWN_ID, 'ch01')).toEqual([]);
    });

    it('a milestone stored with its review (upsertReviewedMilestone) returns what the review changed, both stored in one write', async () => {
      const { store, clock } = current();
      const { reader, item: stuck } = await stuckItemFor(current);
      const recorded = await store.progress.upsertReviewedMilestone(reader.id, { chapterId: 'ch01', status: 'completed', score: 20 });
      expect(recorded.milestone).toEqual({ chapterId: 'ch01', status: 'completed', score: 20, updatedAt: clock.now() });
      expect(recorded.attention.map((item) => [item.id === stuck.id, item.reason, item.state])).toEqual([
        [true, 'stuck', 'resolved'],
        [false, 'low_score', 'open'],
      ]);
      expect(await store.progress.getMyMilestones(reader.id)).toEqual([recorded.milestone]);
      expect((await openItems(store)).map((item) => [item.id, item.reason])).toEqual([[recorded.attention[1]!.id, 'low_score']]);
    });

    it('two reviewed writes of one milestone at once are each reviewed after their own write, in call order', async () => {
      const { store } = current();
      const reader = await addUser(store);
      const [low, high] = await Promise.all([
        store.progress.upsertReviewedMilestone(reader.id, { chapterId: 'ch01', status: 'completed', score: 20 }),
        store.progress.upsertReviewedMilestone(reader.id, { chapterId: 'ch01', status: 'completed', score: 80 }),
      ]);
      expect(low!.attention.map((item) => [item.reason, item.state])).toEqual([['low_score', 'open']]);
      expect(high!.attention.map((item) => [item.id, item.reason, item.state])).toEqual([[low!.attention[0]!.id, 'low_score', 'resolved']]);
      expect(await store.progress.getMyMilestones(reader.id)).toEqual([high!.milestone]);
      expect(await openItems(store)).toEqual([]);
    });

    it('a reviewed write that fails is not reviewed and fails alone; a consultant\'s is stored and reviews nothing', async () => {
      const { store } = current();
      const reader = await addUser(store);
      const consultant = await addUser(store, 'consultant');
      const [stored, failed, own] = await Promise.allSettled([
        store.progress.upsertReviewedMilestone(reader.id, { chapterId: 'ch01', status: 'completed', score: 20 }),
        store.progress.upsertReviewedMilestone(UNKNOWN_ID, { chapterId: 'ch01', status: 'completed', score: 20 }),
        store.progress.upsertReviewedMilestone(consultant.id, { chapterId: 'ch01', status: 'completed', score: 1 }),
      ]);
      expect(stored.status === 'fulfilled' && stored.value.attention.map((item) => [item.reader.id, item.reason])).toEqual([
        [reader.id, 'low_score'],
      ]);
      expect(failed.status === 'rejected' && (failed.reason as { code?: string }).code).toBe('not_found');
      expect(own.status === 'fulfilled' && own.value).toMatchObject({ milestone: { chapterId: 'ch01', score: 1 }, attention: [] });
      expect(await store.progress.getMyMilestones(consultant.id)).toHaveLength(1);
      expect((await openItems(store)).map((item) => item.reader.id)).toEqual([reader.id]);
    });

    it('a chapter stuck for stuckMinutes opens an item on the sweep, once; moving on resolves it', async () => {
      const { store, clock } = current();
      const reader = await addUser(store);
      await store.progress.upsertMilestone(reader.id, { chapterId: 'ch01', status: 'stuck', score: null });
      const since = clock.now();
      clock.advance(60 * MINUTE - 1);
      expect((await store.attention.sweepAttention(100)).changed).toEqual([]);
      clock.advance(1);
      const { changed } = await store.attention.sweepAttention(100);
      expect(changed).toEqual([expect.objectContaining({ reader, reason: 'stuck', chapterId: 'ch01', since, state: 'open' })]);
      clock.advance(HOUR);
      expect((await store.attention.sweepAttention(100)).changed).toEqual([]);
      expect(await openItems(store)).toHaveLength(1);

      await store.progress.upsertMilestone(reader.id, { chapterId: 'ch01', status: 'started', score: null });
      const [resolved] = await store.attention.reviewMilestoneAttention(reader.id, 'ch01');
      expect(resolved).toMatchObject({ id: changed[0]!.id, state: 'resolved', resolvedBy: null });
      expect(await openItems(store)).toEqual([]);
    });

    it('finishing a stuck chapter with a low score resolves the stuck item and opens a low-score one, in that order', async () => {
      const { store, clock } = current();
      const reader = await addUser(store);
      await store.progress.upsertMilestone(reader.id, { chapterId: 'ch01', status: 'stuck', score: null });
      clock.advance(HOUR);
      const [stuck] = (await store.attention.sweepAttention(100)).changed;
      await store.progress.upsertMilestone(reader.id, { chapterId: 'ch01', status: 'completed', score: 20 });
      const changed = await store.attention.reviewMilestoneAttention(reader.id, 'ch01');
      expect(changed.map((item) => [item.reason, item.state])).toEqual([
        ['stuck', 'resolved'],
        ['low_score', 'open'],
      ]);
      expect(changed[0]!.id).toBe(stuck!.id);
      expect((await openItems(store)).map((item) => item.reason)).toEqual(['low_score']);
    });

    it('staying stuck keeps the item open; a shorter rule opens items sooner', async () => {
      const { store, clock } = current();
      const reader = await addUser(store);
      await store.attention.setAttentionRules({ stuckMinutes: 5 });
      await store.progress.upsertMilestone(reader.id, { chapterId: 'ch02', status: 'stuck', score: null });
      clock.advance(5 * MINUTE);
      expect((await store.attention.sweepAttention(100)).changed).toHaveLength(1);
      await store.progress.upsertMilestone(reader.id, { chapterId: 'ch02', status: 'stuck', score: null });
      expect(await store.attention.reviewMilestoneAttention(reader.id, 'ch02')).toEqual([]);
      clock.advance(5 * MINUTE);
      expect((await store.attention.sweepAttention(100)).changed).toEqual([]);
      expect(await openItems(store)).toHaveLength(1);
    });

    it('a reader who started and then shows no activity for inactiveDays opens an item; coming back resolves it', async () => {
      const { store, clock } = current();
      const started = await addUser(store);
      const neverBegan = await addUser(store);
      await store.progress.upsertMilestone(started.id, { chapterId: 'ch01', status: 'started', score: null });
      await store.sessions.updateHeartbeat(started.id, clock.now());
      await store.sessions.updateHeartbeat(neverBegan.id, clock.now());
      const lastSeen = clock.now();
      clock.advance(7 * DAY - 1);
      expect((await store.attention.sweepAttention(100)).changed).toEqual([]);
      clock.advance(1);
      const { changed } = await store.attention.sweepAttention(100);
      expect(changed).toEqual([expect.objectContaining({ reader: expect.objectContaining({ id: started.id }), reason: 'inactive', chapterId: null, since: lastSeen })]);
      expect((await store.attention.sweepAttention(100)).changed).toEqual([]);

      clock.advance(MINUTE);
      await store.sessions.updateHeartbeat(started.id, clock.now());
      const swept = await store.attention.sweepAttention(100);
      expect(swept.changed).toEqual([expect.objectContaining({ id: changed[0]!.id, state: 'resolved', resolvedBy: null })]);
      expect(await openItems(store)).toEqual([]);
    });

    it('a returning reader\'s inactivity item also resolves at once through reviewReturnAttention', async () => {
      const { store, clock } = current();
      const reader = await addUser(store);
      await store.progress.upsertMilestone(reader.id, { chapterId: 'ch01', status: 'started', score: null });
      await store.sessions.updateHeartbeat(reader.id, clock.now());
      clock.advance(8 * DAY);
      expect((await store.attention.sweepAttention(100)).changed).toHaveLength(1);
      const [resolved] = await store.attention.reviewReturnAttention(reader.id);
      expect(resolved).toMatchObject({ reason: 'inactive', state: 'resolved' });
      expect(await store.attention.reviewReturnAttention(reader.id)).toEqual([]);
    });

    it('the sweep reads at most its limit per run and finishes over several runs', async () => {
      const { store, clock } = current();
      for (let i = 0; i < 5; i += 1) {
        const reader = await addUser(store);
        await store.progress.upsertMilestone(reader.id, { chapterId: 'ch01', status: 'stuck', score: null });
      }
      clock.advance(HOUR);
      const runs: number[] = [];
      let done = false;
      while (!done) {
        const result = await store.attention.sweepAttention(2);
        runs.push(result.changed.length);
        done = result.done;
      }
      expect(runs).toEqual([2, 2, 1]);
      expect(await openItems(store)).toHaveLength(5);
      await expectAppError(() => store.attention.sweepAttention(0), 'invalid_request');
    });
  });

  describe('claiming attention items', () => {
    it('of two consultants claiming at once, exactly one wins; the other learns who holds it', async () => {
      const { store } = current();
      const { item } = await stuckItemFor(current);
      const ann = await addUser(store, 'consultant', { name: 'Ann Consultant' });
      const bob = await addUser(store, 'consultant', { name: 'Bob Consultant' });
      const [a, b] = await Promise.allSettled([store.attention.claimAttention(item.id, ann.id), store.attention.claimAttention(item.id, bob.id)]);
      const outcomes = [a!, b!];
      const winners = outcomes.filter((o) => o.status === 'fulfilled');
      const losers = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expect(losers[0]!.reason.code).toBe('conflict');
      const held = (await attentionItemById(store, item.id))!;
      expect(held.state).toBe('claimed');
      expect(losers[0]!.reason.message).toContain(held.claimedBy!.name);
      expect([ann.id, bob.id]).toContain(held.claimedBy!.id);
    });

    it('claims, releases and resolves with a note; each refusal changes nothing', async () => {
      const { store, clock } = current();
      const { item } = await stuckItemFor(current);
      const ann = await addUser(store, 'consultant');
      const bob = await addUser(store, 'consultant');
      const claimed = await store.attention.claimAttention(item.id, ann.id);
      expect(claimed).toMatchObject({ state: 'claimed', claimedBy: ann, claimedAt: clock.now() });
      expect(await store.attention.claimAttention(item.id, ann.id)).toEqual(claimed);
      await expectAppError(() => store.attention.releaseAttention(item.id, bob.id), 'forbidden');
      await expectAppError(() => store.attention.resolveAttention(item.id, bob.id, 'mine now'), 'conflict');
      expect(await attentionItemById(store, item.id)).toEqual(claimed);

      expect(await store.attention.releaseAttention(item.id, ann.id)).toMatchObject({ state: 'open', claimedBy: null, claimedAt: null });
      await store.attention.claimAttention(item.id, bob.id);
      clock.advance(MINUTE);
      const resolved = await store.attention.resolveAttention(item.id, bob.id, 'Called, all good.');
      expect(resolved).toMatchObject({ state: 'resolved', resolvedBy: bob, resolvedAt: clock.now(), note: 'Called, all good.' });
      await expectAppError(() => store.attention.resolveAttention(item.id, bob.id, null), 'conflict');
      await expectAppError(() => store.attention.claimAttention(item.id, ann.id), 'conflict');
      await expectAppError(() => store.attention.releaseAttention(item.id, bob.id), 'forbidden');
      expect(await attentionItemById(store, item.id)).toEqual(resolved);
    });

    it('an item whose holder was deleted can be claimed again', async () => {
      const { store } = current();
      const { item } = await stuckItemFor(current);
      const leaving = await addUser(store, 'consultant');
      const staying = await addUser(store, 'consultant');
      await store.attention.claimAttention(item.id, leaving.id);
      await store.users.deleteUser(leaving.id);
      expect((await attentionItemById(store, item.id))!).toMatchObject({ state: 'claimed', claimedBy: null });
      expect(await store.attention.claimAttention(item.id, staying.id)).toMatchObject({ state: 'claimed', claimedBy: staying });
    });

    it('says not_found for an unknown item', async () => {
      const { store } = current();
      const ann = await addUser(store, 'consultant');
      expect(await attentionItemById(store, UNKNOWN_ID)).toBeUndefined();
      await expectAppError(() => store.attention.claimAttention(UNKNOWN_ID, ann.id), 'not_found');
      await expectAppError(() => store.attention.releaseAttention(UNKNOWN_ID, ann.id), 'not_found');
      await expectAppError(() => store.attention.resolveAttention(UNKNOWN_ID, ann.id, null), 'not_found');
    });

    it('lists items by state, oldest first, in pages, narrowed to a cohort, and counts them', async () => {
      const { store, clock } = current();
      const readers = [await addUser(store), await addUser(store), await addUser(store)];
      for (const reader of readers) {
        await store.progress.upsertMilestone(reader.id, { chapterId: 'ch01', status: 'stuck', score: null });
        clock.advance(MINUTE);
      }
      clock.advance(HOUR);
      await store.attention.sweepAttention(100);
      const cohort = await store.cohorts.createCohort('A');
      await store.cohorts.addReaderToCohort(cohort.id, readers[0]!.id);
      await store.cohorts.addReaderToCohort(cohort.id, readers[2]!.id);
      const consultant = await addUser(store, 'consultant');
      const all = await openItems(store);
      expect(all.map((i) => i.reader.id)).toEqual(readers.map((r) => r.id));
      await store.attention.claimAttention(all[1]!.id, consultant.id);

      const first = await store.attention.listAttention({ state: 'open', limit: 1 });
      const second = await store.attention.listAttention({ state: 'open', limit: 1, cursor: first.nextCursor! });
      expect([...first.items, ...second.items].map((i) => i.reader.id)).toEqual([readers[0]!.id, readers[2]!.id]);
      expect(second.nextCursor).toBeNull();
      expect((await store.attention.listAttention({ state: 'claimed', limit: 10 })).items.map((i) => i.id)).toEqual([all[1]!.id]);
      expect((await store.attention.listAttention({ state: 'claimed', cohortId: cohort.id, limit: 10 })).items).toEqual([]);
      expect((await store.attention.listAttention({ state: 'open', cohortId: cohort.id, limit: 10 })).items).toHaveLength(2);
      expect(await store.attention.countAttention()).toEqual({ open: 2, claimed: 1 });
      expect(await store.attention.countAttention(cohort.id)).toEqual({ open: 2, claimed: 0 });
      await expectAppError(() => store.attention.listAttention({ state: 'open', limit: 10, cursor: 'bad' }), 'invalid_request');
    });

    it('narrows a list to one reason and one reader, with the cohort and in pages', async () => {
      const { store, clock } = current();
      const [ann, ben] = [await addUser(store), await addUser(store)];
      await store.progress.upsertMilestone(ann.id, { chapterId: 'ch01', status: 'stuck', score: null });
      clock.advance(MINUTE);
      await store.progress.upsertMilestone(ben.id, { chapterId: 'ch01', status: 'stuck', score: null });
      clock.advance(HOUR);
      await store.attention.sweepAttention(100);
      await store.progress.upsertMilestone(ann.id, { chapterId: 'ch02', status: 'completed', score: 10 });
      await store.attention.reviewMilestoneAttention(ann.id, 'ch02');
      const cohort = await store.cohorts.createCohort('B only');
      await store.cohorts.addReaderToCohort(cohort.id, ben.id);
      const shown = async (query: Omit<Parameters<Store['attention']['listAttention']>[0], 'state' | 'limit'>, limit = 10) =>
        (await store.attention.listAttention({ state: 'open', limit, ...query })).items.map((i) => [i.reader.id, i.reason, i.chapterId]);

      expect(await shown({ reason: 'stuck' })).toEqual([[ann.id, 'stuck', 'ch01'], [ben.id, 'stuck', 'ch01']]);
      expect(await shown({ reason: 'low_score' })).toEqual([[ann.id, 'low_score', 'ch02']]);
      expect(await shown({ reason: 'inactive' })).toEqual([]);
      expect(await shown({ readerId: ann.id })).toEqual([[ann.id, 'stuck', 'ch01'], [ann.id, 'low_score', 'ch02']]);
      expect(await shown({ readerId: ann.id, reason: 'low_score' })).toEqual([[ann.id, 'low_score', 'ch02']]);
      expect(await shown({ readerId: ann.id, cohortId: cohort.id })).toEqual([]);
      expect(await shown({ reason: 'stuck', cohortId: cohort.id })).toEqual([[ben.id, 'stuck', 'ch01']]);
      const first = await store.attention.listAttention({ state: 'open', readerId: ann.id, limit: 1 });
      const second = await store.attention.listAttention({ state: 'open', readerId: ann.id, limit: 1, cursor: first.nextCursor! });
      expect([...first.items, ...second.items].map((i) => i.reason)).toEqual(['stuck', 'low_score']);
      expect(second.nextCursor).toBeNull();
      const consultant = await addUser(store, 'consultant');
      await expectAppError(() => store.attention.listAttention({ state: 'open', readerId: UNKNOWN_ID, limit: 10 }), 'not_found');
      await expectAppError(() => store.attention.listAttention({ state: 'open', readerId: consultant.id, limit: 10 }), 'not_found');
    });
  });
}
