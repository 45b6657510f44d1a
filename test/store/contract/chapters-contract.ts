import { describe, expect, it } from 'vitest';
import { addUser, expectAppError, MINUTE, type CurrentStore } from './store-fixture.js';

/** The reading program's catalog and the consultants' stuck list. */
export function describeChapters(current: CurrentStore): void {
  describe('chapters', () => {
    it('adds chapters at the end of the program, in order', async () => {
      const { store } = current();
      await store.chapters.createChapter({ id: 'ch02', title: 'Two' });
      await store.chapters.createChapter({ id: 'ch01', title: 'One' });
      expect(await store.chapters.listChapters()).toEqual([
        { id: 'ch02', title: 'Two', position: 1 },
        { id: 'ch01', title: 'One', position: 2 },
      ]);
    });

    it('refuses a second chapter with the same id as a conflict', async () => {
      const { store } = current();
      await store.chapters.createChapter({ id: 'ch01', title: 'One' });
      await expectAppError(() => store.chapters.createChapter({ id: 'ch01', title: 'Again' }), 'conflict');
      expect(await store.chapters.listChapters()).toHaveLength(1);
    });

    it('renames a chapter and says not_found for an unknown one', async () => {
      const { store } = current();
      await store.chapters.createChapter({ id: 'ch01', title: 'One' });
      expect(await store.chapters.updateChapter('ch01', { title: 'Uno' })).toEqual({ id: 'ch01', title: 'Uno', position: 1 });
      await expectAppError(() => store.chapters.updateChapter('nope', { title: 'X' }), 'not_found');
    });

    it('reorders chapters when every id is named once, and refuses anything else unchanged', async () => {
      const { store } = current();
      for (const id of ['a', 'b', 'c']) await store.chapters.createChapter({ id, title: id.toUpperCase() });
      const reordered = await store.chapters.reorderChapters(['c', 'a', 'b']);
      expect(reordered.map((c) => [c.id, c.position])).toEqual([
        ['c', 1],
        ['a', 2],
        ['b', 3],
      ]);
      await expectAppError(() => store.chapters.reorderChapters(['a', 'b']), 'invalid_request');
      await expectAppError(() => store.chapters.reorderChapters(['a', 'a', 'b']), 'invalid_request');
      await expectAppError(() => store.chapters.reorderChapters(['a', 'b', 'x']), 'invalid_request');
      expect((await store.chapters.listChapters()).map((c) => c.id)).toEqual(['c', 'a', 'b']);
    });
  });

  describe('stuck readers', () => {
    it('lists stuck chapters of readers, longest stuck first, across keyset pages', async () => {
      const { store, clock } = current();
      const ann = await addUser(store, 'reader');
      const ben = await addUser(store, 'reader');
      await store.progress.upsertMilestone(ben.id, { chapterId: 'ch03', status: 'stuck', score: null });
      clock.advance(MINUTE);
      await store.progress.upsertMilestone(ann.id, { chapterId: 'ch01', status: 'stuck', score: null });
      await store.progress.upsertMilestone(ann.id, { chapterId: 'ch02', status: 'stuck', score: null });
      await store.progress.upsertMilestone(ann.id, { chapterId: 'ch04', status: 'started', score: null });
      clock.advance(MINUTE);
      await store.progress.upsertMilestone(ben.id, { chapterId: 'ch05', status: 'stuck', score: null });

      const seen: [number, string][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.readers.listStuckReaders({ limit: 1, cursor });
        seen.push(...page.items.map((s) => [s.reader.id, s.chapterId] as [number, string]));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual([
        [ben.id, 'ch03'],
        [ann.id, 'ch01'],
        [ann.id, 'ch02'],
        [ben.id, 'ch05'],
      ]);
    });

    it('drops a chapter from the stuck list once it is no longer stuck', async () => {
      const { store, clock } = current();
      const ann = await addUser(store, 'reader');
      await store.progress.upsertMilestone(ann.id, { chapterId: 'ch01', status: 'stuck', score: null });
      const since = clock.now();
      clock.advance(MINUTE);
      expect((await store.readers.listStuckReaders({ limit: 10 })).items).toEqual([
        { reader: expect.objectContaining({ id: ann.id }), chapterId: 'ch01', since },
      ]);
      await store.progress.upsertMilestone(ann.id, { chapterId: 'ch01', status: 'completed', score: 90 });
      expect((await store.readers.listStuckReaders({ limit: 10 })).items).toEqual([]);
    });

    it('refuses a cursor it did not make', async () => {
      const { store } = current();
      await expectAppError(() => store.readers.listStuckReaders({ limit: 10, cursor: 'bm90LWEtY3Vyc29y' }), 'invalid_request');
    });
  });
}
