import { describe, expect, it } from 'vitest';
import { addUser, DAY, expectAppError, HOUR, MINUTE, sessionFor, tokenHash, UNKNOWN_ID } from './store-fixture.js';
import type { CurrentStore } from './store-fixture.js';

/** createSession, findSession, deleteSession, deleteUserSessions, deleteExpiredSessions. */
export function describeSessions(current: CurrentStore): void {
  describe('sessions', () => {
    it('findSession returns the stored session with its user', async () => {
      const { store, clock } = current();
      const user = await addUser(store, 'consultant');
      const now = clock.now();
      const session = { tokenHash: tokenHash('s1'), userId: user.id, createdAt: now - 5 * MINUTE, lastSeenAt: now - MINUTE, expiresAt: now + 7 * DAY };
      await store.sessions.createSession(session);
      expect(await store.sessions.findSession(tokenHash('s1'))).toEqual({ session, user });
    });

    it('findSession returns null for an unknown token hash', async () => {
      const { store, clock } = current();
      const user = await addUser(store);
      await store.sessions.createSession(sessionFor(user.id, 'known', clock.now()));
      expect(await store.sessions.findSession(tokenHash('unknown'))).toBeNull();
    });

    it('findSession returns an expired session too: expiry is the caller\'s check', async () => {
      const { store, clock } = current();
      const user = await addUser(store);
      const session = sessionFor(user.id, 'old', clock.now() - 2 * DAY, { expiresAt: clock.now() - DAY });
      await store.sessions.createSession(session);
      expect((await store.sessions.findSession(session.tokenHash))?.session).toEqual(session);
    });

    it('createSession for an unknown user is not_found', async () => {
      const { store, clock } = current();
      await expectAppError(() => store.sessions.createSession(sessionFor(UNKNOWN_ID, 'orphan', clock.now())), 'not_found');
      expect(await store.sessions.findSession(tokenHash('orphan'))).toBeNull();
    });

    it('deleteSession revokes only that session, and revoking an unknown one is not an error', async () => {
      const { store, clock } = current();
      const user = await addUser(store);
      await store.sessions.createSession(sessionFor(user.id, 'a', clock.now()));
      await store.sessions.createSession(sessionFor(user.id, 'b', clock.now()));
      await store.sessions.deleteSession(tokenHash('a'));
      expect(await store.sessions.findSession(tokenHash('a'))).toBeNull();
      expect((await store.sessions.findSession(tokenHash('b')))?.session.tokenHash).toBe(tokenHash('b'));
      await expect(store.sessions.deleteSession(tokenHash('never-existed'))).resolves.toBeUndefined();
      await expect(store.sessions.deleteSession(tokenHash('a'))).resolves.toBeUndefined();
    });

    it('deleteUserSessions revokes all of the user\'s sessions and counts them', async () => {
      const { store, clock } = current();
      const user = await addUser(store);
      const other = await addUser(store);
      for (const label of ['u1', 'u2', 'u3']) await store.sessions.createSession(sessionFor(user.id, label, clock.now()));
      await store.sessions.createSession(sessionFor(other.id, 'o1', clock.now()));
      expect(await store.sessions.deleteUserSessions(user.id)).toBe(3);
      for (const label of ['u1', 'u2', 'u3']) expect(await store.sessions.findSession(tokenHash(label))).toBeNull();
      expect((await store.sessions.findSession(tokenHash('o1')))?.user.id).toBe(other.id);
      expect(await store.sessions.deleteUserSessions(user.id)).toBe(0);
    });

    it('deleteUserSessions keeps the excepted session and does not count it', async () => {
      const { store, clock } = current();
      const user = await addUser(store);
      for (const label of ['keep', 'drop1', 'drop2']) await store.sessions.createSession(sessionFor(user.id, label, clock.now()));
      expect(await store.sessions.deleteUserSessions(user.id, tokenHash('keep'))).toBe(2);
      expect((await store.sessions.findSession(tokenHash('keep')))?.user.id).toBe(user.id);
      expect(await store.sessions.findSession(tokenHash('drop1'))).toBeNull();
      expect(await store.sessions.findSession(tokenHash('drop2'))).toBeNull();
    });

    it('deleteUserSessions with another user\'s token as the exception still revokes all of this user\'s sessions', async () => {
      const { store, clock } = current();
      const user = await addUser(store);
      const other = await addUser(store);
      await store.sessions.createSession(sessionFor(user.id, 'mine', clock.now()));
      await store.sessions.createSession(sessionFor(other.id, 'theirs', clock.now()));
      expect(await store.sessions.deleteUserSessions(user.id, tokenHash('theirs'))).toBe(1);
      expect(await store.sessions.findSession(tokenHash('mine'))).toBeNull();
      expect((await store.sessions.findSession(tokenHash('theirs')))?.user.id).toBe(other.id);
    });

    it('deleteUserSessions for a user without sessions revokes nothing', async () => {
      const { store } = current();
      const user = await addUser(store);
      expect(await store.sessions.deleteUserSessions(user.id)).toBe(0);
      expect(await store.sessions.deleteUserSessions(UNKNOWN_ID)).toBe(0);
    });

    it('deleteExpiredSessions removes sessions past their expiry or idle too long, and counts them', async () => {
      const { store, clock } = current();
      const user = await addUser(store);
      const now = clock.now();
      const idle = 30 * MINUTE;
      const createdAt = now - 2 * DAY;
      const cases = [
        { label: 'expires-exactly-now', expiresAt: now, lastSeenAt: now - MINUTE, removed: true },
        { label: 'expired-a-ms-ago', expiresAt: now - 1, lastSeenAt: now - MINUTE, removed: true },
        { label: 'idle-exactly-the-timeout', expiresAt: now + DAY, lastSeenAt: now - idle, removed: true },
        { label: 'idle-far-too-long', expiresAt: now + DAY, lastSeenAt: now - 5 * HOUR, removed: true },
        { label: 'idle-a-ms-short', expiresAt: now + DAY, lastSeenAt: now - idle + 1, removed: false },
        { label: 'expires-in-a-ms', expiresAt: now + 1, lastSeenAt: now, removed: false },
        { label: 'fresh', expiresAt: now + DAY, lastSeenAt: now, removed: false },
      ];
      for (const c of cases) {
        await store.sessions.createSession(sessionFor(user.id, c.label, createdAt, { lastSeenAt: c.lastSeenAt, expiresAt: c.expiresAt }));
      }
      expect(await store.sessions.deleteExpiredSessions(now, idle)).toBe(4);
      for (const c of cases) {
        const found = await store.sessions.findSession(tokenHash(c.label));
        expect({ label: c.label, present: found !== null }).toEqual({ label: c.label, present: !c.removed });
      }
      expect(await store.sessions.deleteExpiredSessions(now, idle)).toBe(0);
    });

    it('deleteExpiredSessions measures idleness from the lastSeenAt that heartbeats moved forward', async () => {
      const { store, clock } = current();
      const user = await addUser(store);
      const start = clock.now();
      await store.sessions.createSession(sessionFor(user.id, 'active', start));
      await store.sessions.createSession(sessionFor(user.id, 'idle', start));
      clock.advance(20 * MINUTE);
      await store.sessions.recordHeartbeats([{ userId: user.id, tokenHash: tokenHash('active'), at: clock.now() }]);
      clock.advance(20 * MINUTE);
      expect(await store.sessions.deleteExpiredSessions(clock.now(), 30 * MINUTE)).toBe(1);
      expect(await store.sessions.findSession(tokenHash('idle'))).toBeNull();
      expect((await store.sessions.findSession(tokenHash('active')))?.session.lastSeenAt).toBe(start + 20 * MINUTE);
    });
  });
}
