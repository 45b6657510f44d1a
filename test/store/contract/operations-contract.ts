import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/index.js';
import { addUser, newUserInput, UNKNOWN_ID } from './store-fixture.js';
import type { CurrentStore } from './store-fixture.js';

/** ping, backup, and writes made at the same time. */
export function describeOperations(current: CurrentStore): void {
  describe('operations', () => {
    it('ping resolves while the database answers', async () => {
      const { store } = current();
      await expect(store.operations.ping()).resolves.toBeUndefined();
    });

    it('backup writes a non-empty file at the given path', async () => {
      const { store } = current();
      await addUser(store);
      const dir = await mkdtemp(join(tmpdir(), 'readpulse-contract-backup-'));
      try {
        const file = join(dir, 'copy.db');
        await store.operations.backup(file);
        expect((await stat(file)).size).toBeGreaterThan(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('a failing write does not fail the writes made at the same time', async () => {
      const { store } = current();
      const taken = await addUser(store, 'reader', { email: 'taken@example.com' });
      const results = await Promise.allSettled([
        store.users.createUser(newUserInput('reader', { email: 'first@example.com' })),
        store.users.createUser(newUserInput('reader', { email: 'taken@example.com' })),
        store.progress.upsertMilestone(UNKNOWN_ID, { chapterId: 'ch-01', status: 'started', score: null }),
        store.users.createUser(newUserInput('consultant', { email: 'second@example.com' })),
        store.progress.upsertMilestone(taken.id, { chapterId: 'ch-01', status: 'completed', score: 50 }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
      const codes = results.map((r) => (r.status === 'rejected' && r.reason instanceof AppError ? r.reason.code : null));
      expect(codes).toEqual([null, 'conflict', 'not_found', null, null]);
      expect((await store.users.getUserByEmail('first@example.com'))?.user.role).toBe('reader');
      expect((await store.users.getUserByEmail('second@example.com'))?.user.role).toBe('consultant');
      expect((await store.progress.getMyMilestones(taken.id)).map((m) => m.status)).toEqual(['completed']);
    });
  });
}
