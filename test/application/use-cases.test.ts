import { describe, expect, it } from 'vitest';
import { AttentionHandling } from '../../src/application/attention-handling.js';
import { CohortMembership } from '../../src/application/cohort-membership.js';
import { Invitations } from '../../src/application/invitations.js';
import { ProgressRecording } from '../../src/application/progress-recording.js';
import { AppError, type ActivityEvent, type AttentionItem, type Invite, type LiveEvent, type Milestone, type NewInvite } from '../../src/domain/index.js';
import { inviteCodes } from '../../src/auth/invite-code.js';
import { FakeClock } from '../support/fake-clock.js';

const milestone = (chapterId: string): Milestone => ({ chapterId, status: 'completed', score: 20, updatedAt: 1 }) as Milestone;
const item = (id: number, readerId: number) => ({ id, reader: { id: readerId } }) as unknown as AttentionItem;
const activity = (id: number) => ({ id, actionType: 'PAGE_VIEW', metadata: null, createdAt: 1 }) as unknown as ActivityEvent;

/** Ports that record what was asked of them, and a sink that records what was published. */
function recording() {
  const calls: string[] = [];
  const published: LiveEvent[] = [];
  const progress = new ProgressRecording({
    progress: {
      upsertMilestone: async (userId, input) => (calls.push(`store ${userId} ${input.chapterId}`), milestone(input.chapterId)),
      upsertReviewedMilestone: async (userId, input) => (
        calls.push(`store and review ${userId} ${input.chapterId}`),
        { milestone: milestone(input.chapterId), attention: [item(7, userId)] }
      ),
    },
    activity: {
      logActivity: async (userId) => (calls.push(`log ${userId}`), activity(1)),
      logActivities: async (userId, inputs) => (calls.push(`log ${userId} x${inputs.length}`), inputs.map((_, i) => activity(i + 1))),
    },
    events: { publish: (event) => void published.push(event) },
  });
  return { calls, published, progress };
}

describe('recording progress', () => {
  it("stores a reader's milestone with its attention review in one write, then publishes the milestone and what changed, in that order", async () => {
    const { calls, published, progress } = recording();
    const recorded = await progress.recordMilestone({ id: 3, role: 'reader' }, { chapterId: 'ch01', status: 'completed', score: 20 });
    expect(recorded.milestone.chapterId).toBe('ch01');
    expect(recorded.attention.map((i) => i.id)).toEqual([7]);
    expect(calls).toEqual(['store and review 3 ch01']);
    expect(published.map((e) => e.type)).toEqual(['milestone', 'attention']);
    expect(published.every((e) => 'readerId' in e && e.readerId === 3)).toBe(true);
  });

  it("stores a consultant's milestone and activity without publishing or reviewing anything", async () => {
    const { calls, published, progress } = recording();
    const recorded = await progress.recordMilestone({ id: 9, role: 'consultant' }, { chapterId: 'ch02', status: 'started', score: null });
    await progress.recordActivity({ id: 9, role: 'consultant' }, { actionType: 'PAGE_VIEW', metadata: null });
    expect(recorded.attention).toEqual([]);
    expect(calls).toEqual(['store 9 ch02', 'log 9']);
    expect(published).toEqual([]);
  });

  it("publishes each of a reader's batched events once stored", async () => {
    const { calls, published, progress } = recording();
    const events = await progress.recordActivities({ id: 4, role: 'reader' }, [
      { actionType: 'A', metadata: null },
      { actionType: 'B', metadata: null },
    ]);
    expect(events).toHaveLength(2);
    expect(calls).toEqual(['log 4 x2']);
    expect(published.map((e) => (e.type === 'activity' ? e.event.id : null))).toEqual([1, 2]);
  });

  it('publishes nothing when the store refuses the write', async () => {
    const published: LiveEvent[] = [];
    const progress = new ProgressRecording({
      progress: {
        upsertMilestone: async () => Promise.reject(new AppError('not_found', 'No such user.')),
        upsertReviewedMilestone: async () => Promise.reject(new AppError('not_found', 'No such user.')),
      },
      activity: { logActivity: async () => activity(1), logActivities: async () => [] },
      events: { publish: (event) => void published.push(event) },
    });
    await expect(progress.recordMilestone({ id: 1, role: 'reader' }, { chapterId: 'ch01', status: 'stuck', score: null })).rejects.toMatchObject({ code: 'not_found' });
    expect(published).toEqual([]);
  });
});

describe('the other use cases', () => {
  it('attention: a resolve stores the trimmed note (a blank one as none) and publishes the item', async () => {
    const notes: (string | null)[] = [];
    const published: LiveEvent[] = [];
    const attention = new AttentionHandling({
      attention: {
        claimAttention: async (id) => item(id, 2),
        releaseAttention: async (id) => item(id, 2),
        resolveAttention: async (id, _consultant, note) => (notes.push(note), item(id, 2)),
        reviewReturnAttention: async (readerId) => [item(5, readerId), item(6, readerId)],
      },
      events: { publish: (event) => void published.push(event) },
    });
    await attention.resolve(1, 10, '  called them  ');
    await attention.resolve(1, 10, '   ');
    await attention.reviewReturn(2);
    expect(notes).toEqual(['called them', null]);
    expect(published.map((e) => (e.type === 'attention' ? e.item.id : null))).toEqual([1, 1, 5, 6]);
  });

  it('cohorts: the rosters follow only a change the store accepted', async () => {
    const roster: string[] = [];
    const cohorts = new CohortMembership({
      cohorts: {
        createCohort: async (name) => ({ id: 1, name, readerCount: 0, createdAt: 1 }) as never,
        renameCohort: async (id, name) => ({ id, name, readerCount: 0, createdAt: 1 }) as never,
        deleteCohort: async () => undefined,
        addReaderToCohort: async (_cohortId, readerId) => {
          if (readerId === 99) throw new AppError('not_found', 'No such reader.');
        },
        removeReaderFromCohort: async () => undefined,
      },
      rosters: {
        added: (cohortId, readerId) => void roster.push(`+${cohortId}:${readerId}`),
        removed: (cohortId, readerId) => void roster.push(`-${cohortId}:${readerId}`),
        dropped: (cohortId) => void roster.push(`x${cohortId}`),
      },
    });
    await cohorts.addReader(1, 5);
    await expect(cohorts.addReader(1, 99)).rejects.toMatchObject({ code: 'not_found' });
    await cohorts.removeReader(1, 5);
    await cohorts.delete(1);
    expect(roster).toEqual(['+1:5', '-1:5', 'x1']);
    expect((await cohorts.create('  Class 4B ')).name).toBe('Class 4B');
  });

  it('invites: stores only the hash and prefix of a new code, expiring after the given days; revokes by prefix or whole code', async () => {
    const clock = new FakeClock();
    const stored: NewInvite[] = [];
    const revoked: unknown[] = [];
    const looked: string[] = [];
    const invites = new Invitations({
      clock,
      codes: inviteCodes,
      invites: {
        createInvite: async (input) => (stored.push(input), { codePrefix: input.codePrefix } as Invite),
        revokeInvite: async (ref) => void revoked.push(ref),
        isInviteUsable: async (hash) => (looked.push(hash), hash === stored[0]?.codeHash),
      },
    });
    const { code } = await invites.create({ cohortId: null, maxUses: 3, expiresInDays: 2, createdBy: 1 });
    expect(code).toHaveLength(32);
    expect(stored[0]!.codePrefix).toBe(code.slice(0, 8));
    expect(stored[0]!.codeHash).not.toContain(code);
    expect(stored[0]!.expiresAt).toBe(clock.now() + 2 * 86_400_000);
    // A code's status is looked up by its hash; a string not shaped like a code is never looked up.
    expect(await invites.isUsable(code)).toBe(true);
    expect(await invites.isUsable('A'.repeat(32))).toBe(false);
    expect(await invites.isUsable('not a code')).toBe(false);
    expect(looked).toEqual([stored[0]!.codeHash, inviteCodes.hash('A'.repeat(32))]);
    await invites.revoke(code.slice(0, 8));
    await invites.revoke(code);
    expect(revoked).toEqual([{ codePrefix: code.slice(0, 8) }, { codeHash: stored[0]!.codeHash }]);
    await expect(invites.revoke('short')).rejects.toMatchObject({ code: 'invalid_request' });
    expect(revoked).toHaveLength(2);
  });
});
