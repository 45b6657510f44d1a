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
        { id: 'ch02', title: 'Two', position: 1, activityId: null },
        { id: 'ch01', title: 'One', position: 2, activityId: null },
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
      expect(await store.chapters.updateChapter('ch01', { title: 'Uno' })).toEqual({ id: 'ch01', title: 'Uno', position: 1, activityId: null });
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

  describe('chapters\' xAPI activity ids', () => {
    const ONE = 'https://books.example.test/novel/chapter-1';
    const TWO = 'urn:articulate:storyline:5Ujw93Dh98n';

    it('a chapter carries the activityId it was created with, or null', async () => {
      const { store } = current();
      expect(await store.chapters.createChapter({ id: 'ch01', title: 'One', activityId: ONE })).toEqual({ id: 'ch01', title: 'One', position: 1, activityId: ONE });
      await store.chapters.createChapter({ id: 'ch02', title: 'Two', activityId: null });
      await store.chapters.createChapter({ id: 'ch03', title: 'Three' });
      expect((await store.chapters.listChapters()).map((c) => [c.id, c.activityId])).toEqual([
        ['ch01', ONE],
        ['ch02', null],
        ['ch03', null],
      ]);
    });

    it('sets, replaces and clears an activityId, keeping the title; a rename keeps the activityId', async () => {
      const { store } = current();
      await store.chapters.createChapter({ id: 'ch01', title: 'One' });
      expect(await store.chapters.updateChapter('ch01', { activityId: ONE })).toEqual({ id: 'ch01', title: 'One', position: 1, activityId: ONE });
      expect(await store.chapters.updateChapter('ch01', { title: 'Uno' })).toEqual({ id: 'ch01', title: 'Uno', position: 1, activityId: ONE });
      expect(await store.chapters.updateChapter('ch01', { title: 'Eins', activityId: TWO })).toMatchObject({ title: 'Eins', activityId: TWO });
      expect(await store.chapters.updateChapter('ch01', { activityId: TWO })).toMatchObject({ activityId: TWO });
      expect(await store.chapters.updateChapter('ch01', { activityId: null })).toEqual({ id: 'ch01', title: 'Eins', position: 1, activityId: null });
      expect(await store.chapters.listChapters()).toEqual([{ id: 'ch01', title: 'Eins', position: 1, activityId: null }]);
    });

    it('refuses an activityId another chapter carries as a conflict naming the field, and changes nothing', async () => {
      const { store } = current();
      await store.chapters.createChapter({ id: 'ch01', title: 'One', activityId: ONE });
      await store.chapters.createChapter({ id: 'ch02', title: 'Two', activityId: TWO });
      const before = await store.chapters.listChapters();
      const created = await expectAppError(() => store.chapters.createChapter({ id: 'ch03', title: 'Three', activityId: ONE }), 'conflict');
      expect(created.message).toContain('activityId');
      const updated = await expectAppError(() => store.chapters.updateChapter('ch02', { title: 'Renamed', activityId: ONE }), 'conflict');
      expect(updated.message).toContain('activityId');
      expect(await store.chapters.listChapters()).toEqual(before);
    });

    it('compares activityIds exactly: another case is another IRI', async () => {
      const { store } = current();
      await store.chapters.createChapter({ id: 'ch01', title: 'One', activityId: ONE });
      await store.chapters.createChapter({ id: 'ch02', title: 'Two', activityId: ONE.toUpperCase().replace('HTTPS', 'https') });
      expect((await store.chapters.listChapters()).map((c) => c.activityId)).toEqual([ONE, ONE.toUpperCase().replace('HTTPS', 'https')]);
    });

    it('a freed activityId may go to another chapter; a chapter may keep its own', async () => {
      const { store } = current();
      await store.chapters.createChapter({ id: 'ch01', title: 'One', activityId: ONE });
      await store.chapters.createChapter({ id: 'ch02', title: 'Two' });
      expect(await store.chapters.updateChapter('ch01', { activityId: ONE })).toMatchObject({ activityId: ONE });
      await store.chapters.updateChapter('ch01', { activityId: null });
      expect(await store.chapters.updateChapter('ch02', { activityId: ONE })).toMatchObject({ id: 'ch02', activityId: ONE });
    });

    it.each([
      ['no scheme', 'chapter-1'],
      ['a space', 'https://books.example.test/chapter 1'],
      ['an angle bracket', 'https://books.example.test/<chapter>'],
      ['a scheme starting with a digit', '1http://books.example.test/ch'],
      ['an empty string', ''],
      ['a NUL character', 'https://books.example.test/ch\u00001'],
      ['an unpaired surrogate', 'https://books.example.test/ch\ud8001'],
      ['2049 characters', `https://books.example.test/${'a'.repeat(2049 - 'https://books.example.test/'.length)}`],
    ])('refuses an activityId with %s as invalid_request, and stores nothing', async (_name, activityId) => {
      const { store } = current();
      await store.chapters.createChapter({ id: 'ch01', title: 'One', activityId: ONE });
      await expectAppError(() => store.chapters.createChapter({ id: 'ch02', title: 'Two', activityId }), 'invalid_request');
      await expectAppError(() => store.chapters.updateChapter('ch01', { title: 'Renamed', activityId }), 'invalid_request');
      expect(await store.chapters.listChapters()).toEqual([{ id: 'ch01', title: 'One', position: 1, activityId: ONE }]);
    });

    it('takes an activityId of exactly 2048 characters', async () => {
      const { store } = current();
      const longest = `https://books.example.test/${'a'.repeat(2048 - 'https://books.example.test/'.length)}`;
      expect(longest).toHaveLength(2048);
      expect((await store.chapters.createChapter({ id: 'ch01', title: 'One', activityId: longest })).activityId).toBe(longest);
    });

    it('says not_found for an activityId on an unknown chapter', async () => {
      const { store } = current();
      await expectAppError(() => store.chapters.updateChapter('nope', { activityId: ONE }), 'not_found');
      expect(await store.chapters.listChapters()).toEqual([]);
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
