import { describe, expect, it } from 'vitest';
import { addUser, SECOND, sessionFor, tokenHash, UNKNOWN_ID } from './store-fixture.js';
import type { CurrentStore } from './store-fixture.js';

/** updateHeartbeat and recordHeartbeats. */
export function describeHeartbeats(current: CurrentStore): void {
  describe('heartbeats', () => {
    it('updateHeartbeat moves lastActiveAt forward and never backward', async () => {
      const { store, clock } = current();
      const user = await addUser(store);
      const other = await addUser(store);
      const t = clock.now();
      await store.sessions.updateHeartbeat(user.id, t + 5 * SECOND);
      expect((await store.users.getUserById(user.id))?.lastActiveAt).toBe(t + 5 * SECOND);
      await store.sessions.updateHeartbeat(user.id, t + 1 * SECOND);
      expect((await store.users.getUserById(user.id))?.lastActiveAt).toBe(t + 5 * SECOND);
      await store.sessions.updateHeartbeat(user.id, t + 9 * SECOND);
      expect((await store.users.getUserById(user.id))?.lastActiveAt).toBe(t + 9 * SECOND);
      expect((await store.users.getUserById(other.id))?.lastActiveAt).toBeNull();
    });

    it('updateHeartbeat for an unknown user is ignored', async () => {
      const { store, clock } = current();
      const user = await addUser(store);
      await expect(store.sessions.updateHeartbeat(UNKNOWN_ID, clock.now())).resolves.toBeUndefined();
      expect(await store.users.getUserById(UNKNOWN_ID)).toBeNull();
      expect((await store.users.getUserById(user.id))?.lastActiveAt).toBeNull();
    });

    it('recordHeartbeats moves each user\'s lastActiveAt and each session\'s lastSeenAt to its latest beat', async () => {
      const { store, clock } = current();
      const t = clock.now();
      const ann = await addUser(store);
      const bob = await addUser(store);
      const idle = await addUser(store);
      await store.sessions.createSession(sessionFor(ann.id, 'ann-phone', t));
      await store.sessions.createSession(sessionFor(ann.id, 'ann-laptop', t));
      await store.sessions.createSession(sessionFor(bob.id, 'bob', t));
      await store.sessions.createSession(sessionFor(idle.id, 'idle', t));

      await store.sessions.recordHeartbeats([
        { userId: ann.id, tokenHash: tokenHash('ann-laptop'), at: t + 3 * SECOND },
        { userId: bob.id, tokenHash: tokenHash('bob'), at: t + 2 * SECOND },
        { userId: ann.id, tokenHash: tokenHash('ann-phone'), at: t + 1 * SECOND },
      ]);

      expect((await store.users.getUserById(ann.id))?.lastActiveAt).toBe(t + 3 * SECOND);
      expect((await store.users.getUserById(bob.id))?.lastActiveAt).toBe(t + 2 * SECOND);
      expect((await store.users.getUserById(idle.id))?.lastActiveAt).toBeNull();
      expect((await store.sessions.findSession(tokenHash('ann-laptop')))?.session.lastSeenAt).toBe(t + 3 * SECOND);
      expect((await store.sessions.findSession(tokenHash('ann-phone')))?.session.lastSeenAt).toBe(t + 1 * SECOND);
      expect((await store.sessions.findSession(tokenHash('bob')))?.session.lastSeenAt).toBe(t + 2 * SECOND);
      expect((await store.sessions.findSession(tokenHash('idle')))?.session.lastSeenAt).toBe(t);
    });

    it('recordHeartbeats never moves lastActiveAt or lastSeenAt backward', async () => {
      const { store, clock } = current();
      const t = clock.now();
      const user = await addUser(store);
      await store.sessions.createSession(sessionFor(user.id, 's', t));
      await store.sessions.recordHeartbeats([{ userId: user.id, tokenHash: tokenHash('s'), at: t + 10 * SECOND }]);
      await store.sessions.recordHeartbeats([{ userId: user.id, tokenHash: tokenHash('s'), at: t + 4 * SECOND }]);
      expect((await store.users.getUserById(user.id))?.lastActiveAt).toBe(t + 10 * SECOND);
      expect((await store.sessions.findSession(tokenHash('s')))?.session.lastSeenAt).toBe(t + 10 * SECOND);

      await store.sessions.recordHeartbeats([
        { userId: user.id, tokenHash: tokenHash('s'), at: t + 20 * SECOND },
        { userId: user.id, tokenHash: tokenHash('s'), at: t + 15 * SECOND },
      ]);
      expect((await store.users.getUserById(user.id))?.lastActiveAt).toBe(t + 20 * SECOND);
      expect((await store.sessions.findSession(tokenHash('s')))?.session.lastSeenAt).toBe(t + 20 * SECOND);

      await store.sessions.updateHeartbeat(user.id, t + 30 * SECOND);
      await store.sessions.recordHeartbeats([{ userId: user.id, tokenHash: tokenHash('s'), at: t + 25 * SECOND }]);
      expect((await store.users.getUserById(user.id))?.lastActiveAt).toBe(t + 30 * SECOND);
      expect((await store.sessions.findSession(tokenHash('s')))?.session.lastSeenAt).toBe(t + 25 * SECOND);
    });

    it('recordHeartbeats ignores unknown users and sessions and still applies the rest of the batch', async () => {
      const { store, clock } = current();
      const t = clock.now();
      const user = await addUser(store);
      await store.sessions.createSession(sessionFor(user.id, 'real', t));
      await store.sessions.recordHeartbeats([
        { userId: UNKNOWN_ID, tokenHash: tokenHash('ghost'), at: t + SECOND },
        { userId: user.id, tokenHash: tokenHash('revoked'), at: t + SECOND },
        { userId: user.id, tokenHash: tokenHash('real'), at: t + 2 * SECOND },
      ]);
      expect(await store.users.getUserById(UNKNOWN_ID)).toBeNull();
      expect(await store.sessions.findSession(tokenHash('ghost'))).toBeNull();
      expect(await store.sessions.findSession(tokenHash('revoked'))).toBeNull();
      expect((await store.users.getUserById(user.id))?.lastActiveAt).toBe(t + 2 * SECOND);
      expect((await store.sessions.findSession(tokenHash('real')))?.session.lastSeenAt).toBe(t + 2 * SECOND);
    });

    it('recordHeartbeats with no heartbeats changes nothing', async () => {
      const { store } = current();
      const user = await addUser(store);
      await expect(store.sessions.recordHeartbeats([])).resolves.toBeUndefined();
      expect(await store.users.getUserById(user.id)).toEqual(user);
    });
  });
}
