import { describe, expect, it } from 'vitest';
import { addUser, cohortById, expectAppError, UNKNOWN_ID, type CurrentStore } from './store-fixture.js';

/** Cohorts: named groups of readers, and the lists that narrow to one. */
export function describeCohorts(current: CurrentStore): void {
  describe('cohorts', () => {
    it('creates, lists by name, renames and deletes cohorts', async () => {
      const { store, clock } = current();
      const zeta = await store.cohorts.createCohort('Zeta club');
      const alpha = await store.cohorts.createCohort('Alpha class');
      expect(zeta).toEqual({ id: zeta.id, name: 'Zeta club', readerCount: 0, createdAt: clock.now() });
      expect((await store.cohorts.listCohorts()).map((c) => c.name)).toEqual(['Alpha class', 'Zeta club']);
      expect(await store.cohorts.renameCohort(alpha.id, 'Omega')).toMatchObject({ id: alpha.id, name: 'Omega' });
      expect((await store.cohorts.listCohorts()).map((c) => c.name)).toEqual(['Omega', 'Zeta club']);
      await store.cohorts.deleteCohort(zeta.id);
      expect((await store.cohorts.listCohorts()).map((c) => c.id)).toEqual([alpha.id]);
      expect(await cohortById(store, zeta.id)).toBeUndefined();
    });

    it('refuses a taken name on create and rename, changing nothing', async () => {
      const { store } = current();
      const one = await store.cohorts.createCohort('One');
      await store.cohorts.createCohort('Two');
      await expectAppError(() => store.cohorts.createCohort('One'), 'conflict');
      await expectAppError(() => store.cohorts.renameCohort(one.id, 'Two'), 'conflict');
      expect((await store.cohorts.listCohorts()).map((c) => c.name)).toEqual(['One', 'Two']);
    });

    it('says not_found for an unknown cohort everywhere one is named', async () => {
      const { store } = current();
      const reader = await addUser(store);
      await expectAppError(() => store.cohorts.renameCohort(UNKNOWN_ID, 'X'), 'not_found');
      await expectAppError(() => store.cohorts.deleteCohort(UNKNOWN_ID), 'not_found');
      await expectAppError(() => store.cohorts.addReaderToCohort(UNKNOWN_ID, reader.id), 'not_found');
      await expectAppError(() => store.cohorts.removeReaderFromCohort(UNKNOWN_ID, reader.id), 'not_found');
      await expectAppError(() => store.cohorts.listCohortReaderIds(UNKNOWN_ID), 'not_found');
      await expectAppError(() => store.readers.listReaders({ cohortId: UNKNOWN_ID, limit: 10 }), 'not_found');
      await expectAppError(() => store.readers.listStuckReaders({ cohortId: UNKNOWN_ID, limit: 10 }), 'not_found');
      await expectAppError(() => store.attention.listAttention({ state: 'open', cohortId: UNKNOWN_ID, limit: 10 }), 'not_found');
    });

    it('adds and removes readers idempotently; a reader may be in several cohorts', async () => {
      const { store } = current();
      const ann = await addUser(store);
      const ben = await addUser(store);
      const a = await store.cohorts.createCohort('A');
      const b = await store.cohorts.createCohort('B');
      await store.cohorts.addReaderToCohort(a.id, ann.id);
      await store.cohorts.addReaderToCohort(a.id, ann.id);
      await store.cohorts.addReaderToCohort(a.id, ben.id);
      await store.cohorts.addReaderToCohort(b.id, ann.id);
      expect(await store.cohorts.listCohortReaderIds(a.id)).toEqual([ann.id, ben.id]);
      expect(await store.cohorts.listReaderCohortIds(ann.id)).toEqual([a.id, b.id]);
      expect((await cohortById(store, a.id))?.readerCount).toBe(2);
      await store.cohorts.removeReaderFromCohort(a.id, ann.id);
      await store.cohorts.removeReaderFromCohort(a.id, ann.id);
      expect(await store.cohorts.listCohortReaderIds(a.id)).toEqual([ben.id]);
      expect(await store.cohorts.listCohortReaderIds(b.id)).toEqual([ann.id]);
    });

    it('only readers join a cohort: an unknown id or a consultant is not_found', async () => {
      const { store } = current();
      const consultant = await addUser(store, 'consultant');
      const cohort = await store.cohorts.createCohort('A');
      await expectAppError(() => store.cohorts.addReaderToCohort(cohort.id, UNKNOWN_ID), 'not_found');
      await expectAppError(() => store.cohorts.addReaderToCohort(cohort.id, consultant.id), 'not_found');
      expect(await store.cohorts.listCohortReaderIds(cohort.id)).toEqual([]);
    });

    it('deleting a cohort keeps its readers; deleting a reader leaves the cohort', async () => {
      const { store } = current();
      const ann = await addUser(store);
      const ben = await addUser(store);
      const a = await store.cohorts.createCohort('A');
      const b = await store.cohorts.createCohort('B');
      for (const r of [ann, ben]) {
        await store.cohorts.addReaderToCohort(a.id, r.id);
        await store.cohorts.addReaderToCohort(b.id, r.id);
      }
      await store.cohorts.deleteCohort(a.id);
      expect(await store.readers.getReader(ann.id)).toMatchObject({ id: ann.id });
      await store.users.deleteUser(ben.id);
      expect(await store.cohorts.listCohortReaderIds(b.id)).toEqual([ann.id]);
      expect(await store.cohorts.listReaderCohortIds(ann.id)).toEqual([b.id]);
    });

    it('narrows the reader list and the stuck list to a cohort', async () => {
      const { store } = current();
      const ann = await addUser(store, 'reader', { name: 'Ann' });
      const ben = await addUser(store, 'reader', { name: 'Ben' });
      const cat = await addUser(store, 'reader', { name: 'Cat' });
      const cohort = await store.cohorts.createCohort('A');
      await store.cohorts.addReaderToCohort(cohort.id, ann.id);
      await store.cohorts.addReaderToCohort(cohort.id, cat.id);
      for (const r of [ann, ben, cat]) await store.progress.upsertMilestone(r.id, { chapterId: 'ch01', status: 'stuck', score: null });

      const first = await store.readers.listReaders({ cohortId: cohort.id, limit: 1 });
      expect(first.items.map((r) => r.id)).toEqual([ann.id]);
      expect(first.items[0]!.counts).toEqual({ started: 0, completed: 0, stuck: 1 });
      const second = await store.readers.listReaders({ cohortId: cohort.id, limit: 1, cursor: first.nextCursor! });
      expect(second.items.map((r) => r.id)).toEqual([cat.id]);
      expect(second.nextCursor).toBeNull();
      expect((await store.readers.listReaders({ cohortId: cohort.id, search: 'ben', limit: 10 })).items).toEqual([]);
      expect((await store.readers.listStuckReaders({ cohortId: cohort.id, limit: 10 })).items.map((s) => s.reader.id)).toEqual([ann.id, cat.id]);
      expect((await store.readers.listStuckReaders({ limit: 10 })).items).toHaveLength(3);
    });
  });
}
