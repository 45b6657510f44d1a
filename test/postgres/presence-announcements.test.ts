import { describe, expect, it } from 'vitest';
import type { PresenceChange } from '../../src/postgres/cluster-store.js';
import { PresenceAnnouncements } from '../../src/postgres/presence-announcements.js';

/** A record function whose calls the test settles by hand, one at a time. */
function heldRecorder() {
  const calls: { changes: readonly PresenceChange[]; settle: (error?: Error) => void }[] = [];
  const record = (changes: readonly PresenceChange[]) =>
    new Promise<void>((resolve, reject) => calls.push({ changes, settle: (error) => (error ? reject(error) : resolve()) }));
  return { calls, record };
}

const change = (readerId: number, online: boolean, at: number): PresenceChange => ({ readerId, online, at, activeSince: at - 100 });
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('presence announcements on their way to PostgreSQL', () => {
  it('the changes of one turn go in one statement, and those made while it runs go in the next, each reader once with its latest change', async () => {
    const { calls, record } = heldRecorder();
    const announcements = new PresenceAnnouncements({ record, onError: (error) => expect.fail(String(error)) });
    announcements.announce(change(1, true, 10));
    announcements.announce(change(2, true, 11));
    announcements.announce(change(3, true, 12));
    await turn();
    expect(calls.map((c) => c.changes)).toEqual([[change(1, true, 10), change(2, true, 11), change(3, true, 12)]]);

    // While the first statement runs: reader 2 goes offline and comes back, reader 4 arrives, reader 1 leaves.
    announcements.announce(change(2, false, 20));
    announcements.announce(change(4, true, 21));
    announcements.announce(change(2, true, 22));
    announcements.announce(change(1, false, 23));
    await turn();
    expect(calls).toHaveLength(1);
    calls[0]!.settle();
    await turn();
    expect(calls.map((c) => c.changes)).toEqual([
      [change(1, true, 10), change(2, true, 11), change(3, true, 12)],
      [change(4, true, 21), change(2, true, 22), change(1, false, 23)],
    ]);
    const drained = announcements.drain();
    let done = false;
    void drained.then(() => (done = true));
    await turn();
    expect(done).toBe(false);
    calls[1]!.settle();
    await drained;
    expect(calls).toHaveLength(2);
  });

  it('a statement that fails is reported, and the changes announced after it are still recorded', async () => {
    const { calls, record } = heldRecorder();
    const errors: unknown[] = [];
    const announcements = new PresenceAnnouncements({ record, onError: (error) => errors.push(error) });
    announcements.announce(change(1, true, 10));
    await turn();
    announcements.announce(change(2, true, 11));
    calls[0]!.settle(new Error('connection lost'));
    await turn();
    expect(errors.map(String)).toEqual(['Error: connection lost']);
    expect(calls.map((c) => c.changes)).toEqual([[change(1, true, 10)], [change(2, true, 11)]]);
    calls[1]!.settle();
    await announcements.drain();
    expect(errors).toHaveLength(1);
    // Idle again: the next change starts a statement of its own.
    announcements.announce(change(3, false, 30));
    await turn();
    expect(calls.map((c) => c.changes)[2]).toEqual([change(3, false, 30)]);
    calls[2]!.settle();
    await announcements.drain();
  });

  it('recorded() waits for the changes announced before it is asked, and not for those announced after', async () => {
    const { calls, record } = heldRecorder();
    const errors: unknown[] = [];
    const announcements = new PresenceAnnouncements({ record, onError: (error) => errors.push(error) });
    expect(announcements.recorded()).toBeUndefined();

    announcements.announce(change(1, true, 10));
    const first = announcements.recorded();
    expect(first).toBeInstanceOf(Promise);
    let firstDone = false;
    void first!.then(() => (firstDone = true));
    await turn();
    // Reader 2 arrives while reader 1's statement runs; asked now, the caller waits for both.
    announcements.announce(change(2, true, 11));
    const second = announcements.recorded();
    let secondDone = false;
    void second!.then(() => (secondDone = true));
    await turn();
    expect([firstDone, secondDone]).toEqual([false, false]);

    calls[0]!.settle();
    await turn();
    // Reader 1 is recorded: the first caller goes on while reader 2's statement still runs.
    expect([firstDone, secondDone]).toEqual([true, false]);
    expect(calls.map((c) => c.changes)).toEqual([[change(1, true, 10)], [change(2, true, 11)]]);
    // A statement that fails settles its changes too: the caller is not held back by a lost connection.
    calls[1]!.settle(new Error('connection lost'));
    await turn();
    expect(secondDone).toBe(true);
    expect(errors.map(String)).toEqual(['Error: connection lost']);
    expect(announcements.recorded()).toBeUndefined();
  });
});
