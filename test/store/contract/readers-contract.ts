import { describe, expect, it } from 'vitest';
import type { ReaderSummary, Store, User } from '../../../src/domain/index.js';
import { addUser, byId, expectAppError, MINUTE, SECOND, sessionFor, tokenHash, UNKNOWN_ID } from './store-fixture.js';
import type { CurrentStore } from './store-fixture.js';

const NO_COUNTS = { started: 0, completed: 0, stuck: 0 };

/** Reads every page of listReaders and returns the pages. */
async function readAllReaderPages(store: Store, limit: number, search?: string) {
  const pages: { items: readonly ReaderSummary[]; nextCursor: string | null }[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.readers.listReaders({ limit, cursor, search });
    pages.push(page);
    cursor = page.nextCursor ?? undefined;
    if (pages.length > 100) throw new Error('listReaders never ended');
  } while (cursor !== undefined);
  return pages;
}

function summary(user: User, counts = NO_COUNTS): ReaderSummary {
  return { ...user, counts };
}

/** getAllActiveUsers, getUsersByIds, getReader, getReaderMilestones, listReaders. */
export function describeReaders(current: CurrentStore): void {
  describe('consultant views', () => {
    it('getAllActiveUsers returns readers active after `since`, most recent first, and no consultants', async () => {
      const { store, clock } = current();
      const now = clock.now();
      const since = now - MINUTE;
      const older = await addUser(store);
      const newest = await addUser(store);
      const exactlyAtSince = await addUser(store);
      const beforeSince = await addUser(store);
      await addUser(store);
      const consultant = await addUser(store, 'consultant');
      await store.sessions.updateHeartbeat(older.id, now - 10 * SECOND);
      await store.sessions.updateHeartbeat(newest.id, now - 1 * SECOND);
      await store.sessions.updateHeartbeat(exactlyAtSince.id, since);
      await store.sessions.updateHeartbeat(beforeSince.id, since - 5 * SECOND);
      await store.sessions.updateHeartbeat(consultant.id, now - 500);

      expect(await store.readers.getAllActiveUsers(since)).toEqual([
        { ...newest, lastActiveAt: now - 1 * SECOND },
        { ...older, lastActiveAt: now - 10 * SECOND },
      ]);
      expect(await store.readers.getAllActiveUsers(now)).toEqual([]);
    });

    it('getActiveReadersPage pages through the same readers, least recent first, ties by id', async () => {
      const { store, clock } = current();
      const now = clock.now();
      const since = now - MINUTE;
      const readers = [];
      for (let i = 0; i < 7; i += 1) readers.push(await addUser(store));
      await addUser(store); // never active
      const consultant = await addUser(store, 'consultant');
      await store.sessions.updateHeartbeat(consultant.id, now);
      const times = [now - 30 * SECOND, now - 5 * SECOND, now - 5 * SECOND, now - 5 * SECOND, now - SECOND, since, since - SECOND];
      for (const [i, reader] of readers.entries()) await store.sessions.updateHeartbeat(reader.id, times[i]!);

      const seen: [number, number | null][] = [];
      let after: { lastActiveAt: number; id: number } | null = null;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await store.readers.getActiveReadersPage(since, after, 2);
        seen.push(...page.map((u): [number, number | null] => [u.id, u.lastActiveAt]));
        if (page.length < 2) break;
        const last = page.at(-1)!;
        after = { lastActiveAt: last.lastActiveAt!, id: last.id };
      }
      const expected = (await store.readers.getAllActiveUsers(since)).map((u): [number, number | null] => [u.id, u.lastActiveAt]);
      expect(seen).toEqual([...expected].sort((a, b) => a[1]! - b[1]! || a[0] - b[0]));
      expect(seen.map(([id]) => id)).toEqual([readers[0]!.id, readers[1]!.id, readers[2]!.id, readers[3]!.id, readers[4]!.id]);
    });

    it('getAllActiveUsers sees activity recorded by recordHeartbeats', async () => {
      const { store, clock } = current();
      const reader = await addUser(store);
      await store.sessions.createSession(sessionFor(reader.id, 'reader-session', clock.now()));
      const since = clock.now();
      clock.advance(SECOND);
      await store.sessions.recordHeartbeats([{ userId: reader.id, tokenHash: tokenHash('reader-session'), at: clock.now() }]);
      expect((await store.readers.getAllActiveUsers(since)).map((u) => [u.id, u.lastActiveAt])).toEqual([[reader.id, clock.now()]]);
    });

    it('getUsersByIds returns the users of any role with those ids and skips unknown ids', async () => {
      const { store } = current();
      const reader = await addUser(store);
      const consultant = await addUser(store, 'consultant');
      await addUser(store);
      expect(byId(await store.users.getUsersByIds([consultant.id, UNKNOWN_ID, reader.id]))).toEqual(byId([reader, consultant]));
      expect(await store.users.getUsersByIds([])).toEqual([]);
      expect(await store.users.getUsersByIds([UNKNOWN_ID])).toEqual([]);
    });

    it('getUsersByIds copes with a long list of ids', async () => {
      const { store } = current();
      const readers = [await addUser(store), await addUser(store), await addUser(store)];
      const ids = [...readers.map((r) => r.id), ...Array.from({ length: 2_000 }, (_, i) => UNKNOWN_ID + i)];
      expect(byId(await store.users.getUsersByIds(ids))).toEqual(byId(readers));
    });

    it('getReader returns the reader', async () => {
      const { store, clock } = current();
      const reader = await addUser(store);
      await store.sessions.updateHeartbeat(reader.id, clock.now());
      expect(await store.readers.getReader(reader.id)).toEqual({ ...reader, lastActiveAt: clock.now() });
    });

    it('getReader is not_found for an unknown id and for a consultant\'s id', async () => {
      const { store } = current();
      const consultant = await addUser(store, 'consultant');
      await expectAppError(() => store.readers.getReader(UNKNOWN_ID), 'not_found');
      await expectAppError(() => store.readers.getReader(consultant.id), 'not_found');
    });

    it('getReaderMilestones returns that reader\'s milestones ordered by chapterId', async () => {
      const { store } = current();
      const reader = await addUser(store);
      const other = await addUser(store);
      const b = await store.progress.upsertMilestone(reader.id, { chapterId: 'ch-02', status: 'stuck', score: 12 });
      const a = await store.progress.upsertMilestone(reader.id, { chapterId: 'ch-01', status: 'completed', score: 99 });
      await store.progress.upsertMilestone(other.id, { chapterId: 'ch-01', status: 'started', score: null });
      expect(await store.readers.getReaderMilestones(reader.id)).toEqual([a, b]);
      const empty = await addUser(store);
      expect(await store.readers.getReaderMilestones(empty.id)).toEqual([]);
    });

    it('getReaderMilestones is not_found for an unknown id and for a consultant\'s id', async () => {
      const { store } = current();
      const consultant = await addUser(store, 'consultant');
      await store.progress.upsertMilestone(consultant.id, { chapterId: 'ch-01', status: 'started', score: null });
      await expectAppError(() => store.readers.getReaderMilestones(UNKNOWN_ID), 'not_found');
      await expectAppError(() => store.readers.getReaderMilestones(consultant.id), 'not_found');
    });

    it('listReaders lists only readers, ordered by id, with zero counts when they have no milestones', async () => {
      const { store } = current();
      const r1 = await addUser(store);
      await addUser(store, 'consultant');
      const r2 = await addUser(store);
      await addUser(store, 'consultant');
      const r3 = await addUser(store);
      expect(await store.readers.listReaders({ limit: 50 })).toEqual({ items: byId([r1, r2, r3]).map((r) => summary(r)), nextCursor: null });
    });

    it('listReaders counts each reader\'s milestones by status, replacing rather than adding on upsert', async () => {
      const { store } = current();
      const busy = await addUser(store);
      const stuck = await addUser(store);
      const idle = await addUser(store);
      const consultant = await addUser(store, 'consultant');
      await store.progress.upsertMilestone(busy.id, { chapterId: 'ch-01', status: 'started', score: null });
      await store.progress.upsertMilestone(busy.id, { chapterId: 'ch-02', status: 'started', score: 30 });
      await store.progress.upsertMilestone(busy.id, { chapterId: 'ch-03', status: 'completed', score: 90 });
      await store.progress.upsertMilestone(stuck.id, { chapterId: 'ch-01', status: 'stuck', score: 5 });
      await store.progress.upsertMilestone(consultant.id, { chapterId: 'ch-01', status: 'stuck', score: 5 });

      const before = await store.readers.listReaders({ limit: 50 });
      expect(before.items).toEqual([
        summary(busy, { started: 2, completed: 1, stuck: 0 }),
        summary(stuck, { started: 0, completed: 0, stuck: 1 }),
        summary(idle, NO_COUNTS),
      ]);

      await store.progress.upsertMilestone(busy.id, { chapterId: 'ch-01', status: 'completed', score: 70 });
      await store.progress.upsertMilestone(stuck.id, { chapterId: 'ch-01', status: 'stuck', score: 8 });
      const after = await store.readers.listReaders({ limit: 50 });
      expect(after.items.map((r) => r.counts)).toEqual([
        { started: 1, completed: 2, stuck: 0 },
        { started: 0, completed: 0, stuck: 1 },
        NO_COUNTS,
      ]);
    });

    it('walking listReaders pages of 2 lists every reader exactly once in id order, the last page without a cursor', async () => {
      const { store } = current();
      const readers: User[] = [];
      for (let i = 0; i < 5; i += 1) {
        readers.push(await addUser(store));
        await addUser(store, 'consultant');
      }
      const pages = await readAllReaderPages(store, 2);
      expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
      expect(pages.flatMap((p) => p.items.map((r) => r.id))).toEqual(byId(readers).map((r) => r.id));
      expect(pages.at(-1)?.nextCursor).toBeNull();

      const exact = await readAllReaderPages(store, 5);
      expect(exact.map((p) => p.items.length)).toEqual([5]);
    });

    it('listReaders pagination stays correct when readers are added between pages', async () => {
      const { store } = current();
      const first = [await addUser(store), await addUser(store), await addUser(store)];
      const page1 = await store.readers.listReaders({ limit: 2 });
      expect(page1.items.map((r) => r.id)).toEqual(first.slice(0, 2).map((r) => r.id));
      const later = await addUser(store);
      const page2 = await store.readers.listReaders({ limit: 2, cursor: page1.nextCursor ?? undefined });
      expect(page2).toEqual({ items: [summary(first[2]!), summary(later)], nextCursor: null });
    });

    it('listReaders search matches email or name, case-insensitively, and skips consultants', async () => {
      const { store } = current();
      const alice = await addUser(store, 'reader', { email: 'alice@example.com', name: 'Alice Smith' });
      const bob = await addUser(store, 'reader', { email: 'bob@smithson.org', name: 'Bob Jones' });
      await addUser(store, 'reader', { email: 'carol@example.com', name: 'Carol White' });
      await addUser(store, 'consultant', { email: 'smith@consult.org', name: 'Sam Smith' });

      const bySmith = await store.readers.listReaders({ limit: 50, search: 'SMITH' });
      expect(bySmith).toEqual({ items: [summary(alice), summary(bob)], nextCursor: null });
      expect((await store.readers.listReaders({ limit: 50, search: 'jOnEs' })).items.map((r) => r.id)).toEqual([bob.id]);
      expect((await store.readers.listReaders({ limit: 50, search: 'SMITHSON.ORG' })).items.map((r) => r.id)).toEqual([bob.id]);
      expect((await store.readers.listReaders({ limit: 50, search: 'nobody-matches' })).items).toEqual([]);
    });

    it('listReaders search ignores case beyond ASCII too', async () => {
      const { store } = current();
      const elodie = await addUser(store, 'reader', { email: 'elodie@example.com', name: 'Élodie Ångström' });
      await addUser(store, 'reader', { email: 'other@example.com', name: 'Other Person' });
      const ids = async (search: string) => (await store.readers.listReaders({ limit: 50, search })).items.map((r) => r.id);
      expect(await ids('élodie')).toEqual([elodie.id]);
      expect(await ids('ÅNGSTRÖM')).toEqual([elodie.id]);
    });

    it('listReaders search treats %, _ and \\ as plain characters', async () => {
      const { store } = current();
      const percent = await addUser(store, 'reader', { email: 'pct@example.com', name: 'Rate 100% sure' });
      await addUser(store, 'reader', { email: 'nopct@example.com', name: 'Rate 100 sure' });
      const underscore = await addUser(store, 'reader', { email: 'snake@example.com', name: 'snake_case fan' });
      await addUser(store, 'reader', { email: 'camel@example.com', name: 'snakeXcase fan' });
      const backslash = await addUser(store, 'reader', { email: 'slash@example.com', name: 'back\\slash' });

      const ids = async (search: string) => (await store.readers.listReaders({ limit: 50, search })).items.map((r) => r.id);
      expect(await ids('%')).toEqual([percent.id]);
      expect(await ids('100%')).toEqual([percent.id]);
      expect(await ids('_')).toEqual([underscore.id]);
      expect(await ids('snake_case')).toEqual([underscore.id]);
      expect(await ids('\\')).toEqual([backslash.id]);
      expect(await ids('k\\s')).toEqual([backslash.id]);
    });

    it('listReaders search pages like the full list', async () => {
      const { store } = current();
      const matches: User[] = [];
      for (let i = 0; i < 3; i += 1) {
        matches.push(await addUser(store, 'reader', { name: `Match ${i}` }));
        await addUser(store, 'reader', { name: `Other ${i}` });
      }
      const pages = await readAllReaderPages(store, 2, 'match');
      expect(pages.map((p) => p.items.map((r) => r.id))).toEqual([
        [matches[0]!.id, matches[1]!.id],
        [matches[2]!.id],
      ]);
    });

    it('listReaders with a garbage cursor is invalid_request', async () => {
      const { store } = current();
      await addUser(store);
      await expectAppError(() => store.readers.listReaders({ limit: 2, cursor: 'not-a-cursor' }), 'invalid_request');
      await expectAppError(() => store.readers.listReaders({ limit: 2, cursor: Buffer.from('{"after":-3}').toString('base64url') }), 'invalid_request');
    });
  });
}
