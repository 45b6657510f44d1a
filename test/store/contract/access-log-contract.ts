import { describe, expect, it } from 'vitest';
import type { AccessLogEntry, Store } from '../../../src/domain/index.js';
import { addUser, expectAppError, HOUR, MINUTE, UNKNOWN_ID } from './store-fixture.js';
import type { CurrentStore } from './store-fixture.js';

async function allEntries(store: Store, readerId: number, limit: number): Promise<AccessLogEntry[]> {
  const entries: AccessLogEntry[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await store.accessLog.listAccessLog(readerId, { limit, cursor });
    entries.push(...page.items);
    if (page.nextCursor === null) return entries;
    cursor = page.nextCursor;
  }
  throw new Error('listAccessLog never ended');
}

/** recordAccess, listAccessLog and the access log's retention. */
export function describeAccessLog(current: CurrentStore): void {
  describe('access log', () => {
    it('views of the same kind by the same consultant within an hour share one entry with the latest time', async () => {
      const { store } = current();
      const reader = await addUser(store);
      const consultant = await addUser(store, 'consultant');
      const hour = Math.ceil(Date.parse('2026-11-24T12:00:00Z') / HOUR) * HOUR;
      const view = (kind: 'progress' | 'activity' | 'export', at: number) => ({ consultantId: consultant.id, readerId: reader.id, kind, at });
      await store.accessLog.recordAccess([view('progress', hour + MINUTE), view('progress', hour + 30 * MINUTE), view('activity', hour + 2 * MINUTE)]);
      await store.accessLog.recordAccess([view('progress', hour + 10 * MINUTE), view('progress', hour + HOUR + 1)]);
      const who = { id: consultant.id, name: consultant.name };
      expect(await allEntries(store, reader.id, 10)).toEqual([
        { consultant: who, what: 'progress', at: hour + HOUR + 1 },
        { consultant: who, what: 'progress', at: hour + 30 * MINUTE },
        { consultant: who, what: 'activity', at: hour + 2 * MINUTE },
      ]);
    });

    it('a view of reader A shows in A\'s log only, and pages newest first without repeats', async () => {
      const { store, clock } = current();
      const a = await addUser(store);
      const b = await addUser(store);
      const consultants = [await addUser(store, 'consultant'), await addUser(store, 'consultant')];
      const t = clock.now();
      await store.accessLog.recordAccess(
        Array.from({ length: 7 }, (_, i) => ({ consultantId: consultants[i % 2]!.id, readerId: a.id, kind: 'progress' as const, at: t + i * HOUR })),
      );
      const entries = await allEntries(store, a.id, 3);
      expect(entries.map((e) => e.at)).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => t + i * HOUR));
      expect(await allEntries(store, b.id, 3)).toEqual([]);
      expect(await allEntries(store, consultants[0]!.id, 3)).toEqual([]);
      await expectAppError(() => store.accessLog.listAccessLog(UNKNOWN_ID, { limit: 3 }), 'not_found');
      await expectAppError(() => store.accessLog.listAccessLog(a.id, { limit: 3, cursor: 'bad' }), 'invalid_request');
    });

    it('records naming an unknown user are skipped without failing the others', async () => {
      const { store, clock } = current();
      const reader = await addUser(store);
      const consultant = await addUser(store, 'consultant');
      await store.accessLog.recordAccess([
        { consultantId: UNKNOWN_ID, readerId: reader.id, kind: 'progress', at: clock.now() },
        { consultantId: consultant.id, readerId: UNKNOWN_ID, kind: 'progress', at: clock.now() },
        { consultantId: consultant.id, readerId: reader.id, kind: 'export', at: clock.now() },
      ]);
      expect((await store.accessLog.listAccessLog(reader.id, { limit: 10 })).items.map((e) => e.what)).toEqual(['export']);
    });

    it('retention deletes at most `limit` entries older than the cutoff, oldest first', async () => {
      const { store, clock } = current();
      const reader = await addUser(store);
      const consultant = await addUser(store, 'consultant');
      const t = clock.now();
      await store.accessLog.recordAccess([0, 1, 2, 3].map((i) => ({ consultantId: consultant.id, readerId: reader.id, kind: 'activity' as const, at: t + i * HOUR })));
      expect(await store.accessLog.deleteAccessLogBefore(t + 3 * HOUR, 2)).toBe(2);
      expect((await store.accessLog.listAccessLog(reader.id, { limit: 10 })).items.map((e) => e.at)).toEqual([t + 3 * HOUR, t + 2 * HOUR]);
      expect(await store.accessLog.deleteAccessLogBefore(t + 3 * HOUR, 2)).toBe(1);
      expect(await store.accessLog.deleteAccessLogBefore(t + 3 * HOUR, 2)).toBe(0);
      await expectAppError(() => store.accessLog.deleteAccessLogBefore(t, 0), 'invalid_request');
    });

    it('deleting a consultant removes their entries from readers\' logs', async () => {
      const { store, clock } = current();
      const reader = await addUser(store);
      const gone = await addUser(store, 'consultant');
      const stays = await addUser(store, 'consultant');
      await store.accessLog.recordAccess([
        { consultantId: gone.id, readerId: reader.id, kind: 'progress', at: clock.now() },
        { consultantId: stays.id, readerId: reader.id, kind: 'progress', at: clock.now() },
      ]);
      await store.users.deleteUser(gone.id);
      expect((await store.accessLog.listAccessLog(reader.id, { limit: 10 })).items.map((e) => e.consultant.id)).toEqual([stays.id]);
    });
  });
}
