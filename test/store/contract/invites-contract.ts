import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NewInvite, Store } from '../../../src/domain/index.js';
import { addUser, DAY, expectAppError, MINUTE, newUserInput, UNKNOWN_ID, type CurrentStore } from './store-fixture.js';

let inviteCounter = 0;

/** A fresh invite code (as the HTTP layer makes them) and the fields the store keeps of it. */
function inviteFields(createdBy: number, now: number, overrides: Partial<NewInvite> = {}): { code: string; input: NewInvite } {
  inviteCounter += 1;
  const code = `code${String(inviteCounter).padStart(4, '0')}-${Math.random().toString(36).slice(2)}`;
  return {
    code,
    input: {
      codeHash: createHash('sha256').update(code).digest('hex'),
      codePrefix: code.slice(0, 8),
      cohortId: null,
      maxUses: 1,
      expiresAt: now + 14 * DAY,
      createdBy,
      ...overrides,
    },
  };
}

function hashOf(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

function newcomer(): { email: string; name: string; passwordHash: string } {
  const { email, name, passwordHash } = newUserInput('reader');
  return { email, name, passwordHash };
}

async function inviteUses(store: Store, codePrefix: string): Promise<number | undefined> {
  return (await store.invites.listInvites({ limit: 200 })).items.find((i) => i.codePrefix === codePrefix)?.usesLeft;
}

/** Invites: codes kept hashed, spent exactly, refused alike. */
export function describeInvites(current: CurrentStore): void {
  describe('invites', () => {
    it('creates and lists invites newest first, with their creator and uses left', async () => {
      const { store, clock } = current();
      const consultant = await addUser(store, 'consultant');
      const cohort = await store.cohorts.createCohort('Book club');
      const first = inviteFields(consultant.id, clock.now(), { cohortId: cohort.id, maxUses: 5 });
      const created = await store.invites.createInvite(first.input);
      expect(created).toEqual({
        codePrefix: first.input.codePrefix,
        cohortId: cohort.id,
        maxUses: 5,
        usesLeft: 5,
        expiresAt: first.input.expiresAt,
        createdAt: clock.now(),
        createdBy: consultant,
      });
      clock.advance(MINUTE);
      const second = inviteFields(consultant.id, clock.now());
      await store.invites.createInvite(second.input);
      const page = await store.invites.listInvites({ limit: 1 });
      expect(page.items.map((i) => i.codePrefix)).toEqual([second.input.codePrefix]);
      const next = await store.invites.listInvites({ limit: 1, cursor: page.nextCursor! });
      expect(next.items.map((i) => i.codePrefix)).toEqual([first.input.codePrefix]);
      expect(next.nextCursor).toBeNull();
    });

    it('refuses an unknown cohort or creator with not_found, storing nothing', async () => {
      const { store, clock } = current();
      const consultant = await addUser(store, 'consultant');
      await expectAppError(() => store.invites.createInvite(inviteFields(consultant.id, clock.now(), { cohortId: UNKNOWN_ID }).input), 'not_found');
      await expectAppError(() => store.invites.createInvite(inviteFields(UNKNOWN_ID, clock.now()).input), 'not_found');
      expect((await store.invites.listInvites({ limit: 10 })).items).toEqual([]);
    });

    it('registers a reader into the invite\'s cohort and spends one use', async () => {
      const { store, clock } = current();
      const consultant = await addUser(store, 'consultant');
      const cohort = await store.cohorts.createCohort('Class 4B');
      const { code, input } = inviteFields(consultant.id, clock.now(), { cohortId: cohort.id, maxUses: 2 });
      await store.invites.createInvite(input);
      const { user, cohortId } = await store.invites.registerWithInvite(newcomer(), hashOf(code));
      expect(user.role).toBe('reader');
      expect(cohortId).toBe(cohort.id);
      expect(await store.cohorts.listCohortReaderIds(cohort.id)).toEqual([user.id]);
      expect(await inviteUses(store, input.codePrefix)).toBe(1);
    });

    it('refuses unknown, used-up, expired and revoked invites alike, creating no user', async () => {
      const { store, clock } = current();
      const consultant = await addUser(store, 'consultant');
      const used = inviteFields(consultant.id, clock.now());
      const expiring = inviteFields(consultant.id, clock.now(), { expiresAt: clock.now() + DAY });
      const revokedByPrefix = inviteFields(consultant.id, clock.now());
      const revokedByHash = inviteFields(consultant.id, clock.now());
      for (const i of [used, expiring, revokedByPrefix, revokedByHash]) await store.invites.createInvite(i.input);
      await store.invites.registerWithInvite(newcomer(), hashOf(used.code));
      await store.invites.revokeInvite({ codePrefix: revokedByPrefix.input.codePrefix });
      await store.invites.revokeInvite({ codeHash: hashOf(revokedByHash.code) });
      clock.advance(DAY);

      const messages = new Set<string>();
      for (const code of ['never-issued', used.code, expiring.code, revokedByPrefix.code, revokedByHash.code]) {
        const attempt = newcomer();
        const error = await expectAppError(() => store.invites.registerWithInvite(attempt, hashOf(code)), 'forbidden');
        messages.add(error.message);
        expect(await store.users.getUserByEmail(attempt.email)).toBeNull();
      }
      expect(messages.size).toBe(1);
    });

    it('revoking an unknown invite is not_found', async () => {
      const { store } = current();
      await expectAppError(() => store.invites.revokeInvite({ codePrefix: 'nothere1' }), 'not_found');
      await expectAppError(() => store.invites.revokeInvite({ codeHash: hashOf('nothere') }), 'not_found');
    });

    it('a taken email is a conflict and gives the use back', async () => {
      const { store, clock } = current();
      const consultant = await addUser(store, 'consultant');
      const taken = await addUser(store);
      const { code, input } = inviteFields(consultant.id, clock.now());
      await store.invites.createInvite(input);
      await expectAppError(() => store.invites.registerWithInvite({ ...newcomer(), email: taken.email }, hashOf(code)), 'conflict');
      expect(await inviteUses(store, input.codePrefix)).toBe(1);
      await store.invites.registerWithInvite(newcomer(), hashOf(code));
      expect(await inviteUses(store, input.codePrefix)).toBe(0);
    });

    it('counts uses exactly when many register at once: exactly maxUses succeed', async () => {
      const { store, clock } = current();
      const consultant = await addUser(store, 'consultant');
      const cohort = await store.cohorts.createCohort('Rush');
      const { code, input } = inviteFields(consultant.id, clock.now(), { cohortId: cohort.id, maxUses: 3 });
      await store.invites.createInvite(input);
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => store.invites.registerWithInvite(newcomer(), hashOf(code))));
      const won = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(3);
      expect(refused.every((r) => (r as PromiseRejectedResult).reason.code === 'forbidden')).toBe(true);
      expect(await inviteUses(store, input.codePrefix)).toBe(0);
      expect(await store.cohorts.listCohortReaderIds(cohort.id)).toHaveLength(3);
    });

    it('an invite into a deleted cohort still registers, into no cohort', async () => {
      const { store, clock } = current();
      const consultant = await addUser(store, 'consultant');
      const cohort = await store.cohorts.createCohort('Gone');
      const { code, input } = inviteFields(consultant.id, clock.now(), { cohortId: cohort.id });
      await store.invites.createInvite(input);
      await store.cohorts.deleteCohort(cohort.id);
      const { user, cohortId } = await store.invites.registerWithInvite(newcomer(), hashOf(code));
      expect(cohortId).toBeNull();
      expect(await store.cohorts.listReaderCohortIds(user.id)).toEqual([]);
    });
  });
}
