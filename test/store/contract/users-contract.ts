import { describe, expect, it } from 'vitest';
import { addUser, expectAppError, sessionFor, tokenHash, UNKNOWN_ID } from './store-fixture.js';
import type { CurrentStore } from './store-fixture.js';

/** createUser, getUserByEmail, getUserById, setPasswordHash, deleteUser. */
export function describeUsers(current: CurrentStore): void {
  describe('users', () => {
    it('createUser returns the user with a new id, the normalized email, the clock time and no activity yet', async () => {
      const { store, clock } = current();
      clock.set(Date.parse('2030-01-02T03:04:05.678Z'));
      const user = await store.users.createUser({
        email: '  Ann.Reader@Example.COM ',
        name: 'Ann Reader',
        role: 'reader',
        passwordHash: 'argon2-hash-ann',
      });
      expect(user).toEqual({
        id: expect.any(Number),
        email: 'ann.reader@example.com',
        name: 'Ann Reader',
        role: 'reader',
        createdAt: Date.parse('2030-01-02T03:04:05.678Z'),
        lastActiveAt: null,
      });
      expect(Number.isSafeInteger(user.id) && user.id > 0).toBe(true);
    });

    it('getUserById returns what createUser returned, and null for an unknown id', async () => {
      const { store } = current();
      const user = await addUser(store, 'consultant');
      expect(await store.users.getUserById(user.id)).toEqual(user);
      expect(await store.users.getUserById(UNKNOWN_ID)).toBeNull();
    });

    it('each user gets a distinct id and keeps its role', async () => {
      const { store } = current();
      const reader = await addUser(store, 'reader');
      const consultant = await addUser(store, 'consultant');
      expect(reader.id).not.toBe(consultant.id);
      expect((await store.users.getUserById(reader.id))?.role).toBe('reader');
      expect((await store.users.getUserById(consultant.id))?.role).toBe('consultant');
    });

    it('a duplicate email is a conflict, whatever its case and surrounding spaces', async () => {
      const { store } = current();
      const first = await addUser(store, 'reader', { email: 'dup@example.com', name: 'First' });
      await expectAppError(() => addUser(store, 'reader', { email: 'dup@example.com', name: 'Second' }), 'conflict');
      await expectAppError(() => addUser(store, 'consultant', { email: ' DUP@Example.com ', name: 'Third' }), 'conflict');
      const stored = await store.users.getUserByEmail('dup@example.com');
      expect(stored?.user).toEqual(first);
      const nearbyIds = Array.from({ length: 10 }, (_, i) => first.id + i);
      expect(await store.users.getUsersByIds(nearbyIds)).toEqual([first]);
    });

    it('getUserByEmail returns the user with the password hash', async () => {
      const { store } = current();
      const user = await addUser(store, 'reader', { email: 'cred@example.com', passwordHash: 'stored-hash-1' });
      await addUser(store, 'reader', { email: 'other@example.com', passwordHash: 'stored-hash-2' });
      expect(await store.users.getUserByEmail('cred@example.com')).toEqual({ user, passwordHash: 'stored-hash-1' });
    });

    it('getUserByEmail returns null for an unknown email', async () => {
      const { store } = current();
      await addUser(store, 'reader', { email: 'known@example.com' });
      expect(await store.users.getUserByEmail('unknown@example.com')).toBeNull();
    });

    it('setPasswordHash replaces only that user\'s hash', async () => {
      const { store } = current();
      const user = await addUser(store, 'reader', { email: 'pw@example.com', passwordHash: 'old-hash' });
      await addUser(store, 'reader', { email: 'bystander@example.com', passwordHash: 'bystander-hash' });
      await store.users.setPasswordHash(user.id, 'new-hash');
      expect(await store.users.getUserByEmail('pw@example.com')).toEqual({ user, passwordHash: 'new-hash' });
      expect((await store.users.getUserByEmail('bystander@example.com'))?.passwordHash).toBe('bystander-hash');
    });

    it('setPasswordHash for an unknown user is not_found', async () => {
      const { store } = current();
      await expectAppError(() => store.users.setPasswordHash(UNKNOWN_ID, 'new-hash'), 'not_found');
    });

    it('deleteUser removes the user and leaves the others', async () => {
      const { store } = current();
      const doomed = await addUser(store, 'reader', { email: 'doomed@example.com' });
      const kept = await addUser(store, 'reader', { email: 'kept@example.com' });
      await store.users.deleteUser(doomed.id);
      expect(await store.users.getUserById(doomed.id)).toBeNull();
      expect(await store.users.getUserByEmail('doomed@example.com')).toBeNull();
      expect(await store.users.getUserById(kept.id)).toEqual(kept);
    });

    it('deleteUser for an unknown or already deleted user is not_found', async () => {
      const { store } = current();
      await expectAppError(() => store.users.deleteUser(UNKNOWN_ID), 'not_found');
      const user = await addUser(store);
      await store.users.deleteUser(user.id);
      await expectAppError(() => store.users.deleteUser(user.id), 'not_found');
    });

    it('deleteUser removes the user\'s sessions, milestones and activity', async () => {
      const { store, clock } = current();
      const doomed = await addUser(store, 'reader');
      const kept = await addUser(store, 'reader');
      await store.sessions.createSession(sessionFor(doomed.id, 'doomed-1', clock.now()));
      await store.sessions.createSession(sessionFor(doomed.id, 'doomed-2', clock.now()));
      await store.sessions.createSession(sessionFor(kept.id, 'kept-1', clock.now()));
      await store.progress.upsertMilestone(doomed.id, { chapterId: 'ch-01', status: 'stuck', score: 10 });
      await store.progress.upsertMilestone(kept.id, { chapterId: 'ch-01', status: 'completed', score: 90 });
      await store.activity.logActivity(doomed.id, { actionType: 'LOGIN', metadata: null });
      const keptEvent = await store.activity.logActivity(kept.id, { actionType: 'LOGIN', metadata: null });

      await store.users.deleteUser(doomed.id);

      expect(await store.sessions.findSession(tokenHash('doomed-1'))).toBeNull();
      expect(await store.sessions.findSession(tokenHash('doomed-2'))).toBeNull();
      expect(await store.progress.getMyMilestones(doomed.id)).toEqual([]);
      expect(await store.activity.listActivity(doomed.id, { limit: 50 })).toEqual({ items: [], nextCursor: null });
      await expectAppError(() => store.readers.getReader(doomed.id), 'not_found');
      await expectAppError(() => store.readers.getReaderMilestones(doomed.id), 'not_found');
      expect(await store.sessions.deleteUserSessions(doomed.id)).toBe(0);
      expect((await store.readers.listReaders({ limit: 50 })).items.map((r) => r.id)).toEqual([kept.id]);

      expect((await store.sessions.findSession(tokenHash('kept-1')))?.user.id).toBe(kept.id);
      expect(await store.progress.getMyMilestones(kept.id)).toHaveLength(1);
      expect((await store.activity.listActivity(kept.id, { limit: 50 })).items).toEqual([keptEvent]);
    });

    it('a deleted user\'s email can be registered again and the new user starts with nothing', async () => {
      const { store, clock } = current();
      const old = await addUser(store, 'reader', { email: 'again@example.com', name: 'Old' });
      await store.progress.upsertMilestone(old.id, { chapterId: 'ch-01', status: 'started', score: null });
      await store.activity.logActivity(old.id, { actionType: 'PAGE_VIEW', metadata: { page: 1 } });
      await store.sessions.updateHeartbeat(old.id, clock.now());
      await store.users.deleteUser(old.id);

      const fresh = await addUser(store, 'reader', { email: 'again@example.com', name: 'New' });
      expect(fresh).toMatchObject({ email: 'again@example.com', name: 'New', lastActiveAt: null });
      expect(await store.progress.getMyMilestones(fresh.id)).toEqual([]);
      expect((await store.activity.listActivity(fresh.id, { limit: 50 })).items).toEqual([]);
      const [summary] = (await store.readers.listReaders({ limit: 50 })).items;
      expect(summary?.counts).toEqual({ started: 0, completed: 0, stuck: 0 });
    });
  });
}
