import { describe, expect, it } from 'vitest';
import type { AttentionItem, AttentionSweepResult } from '../../src/domain/index.js';
import { AttentionSweeper } from '../../src/live/attention-sweeper.js';
import { CohortRosters, ROSTER_TTL_MS } from '../../src/live/cohort-rosters.js';
import { FakeClock } from '../support/fake-clock.js';

const silent = { info: () => undefined, error: () => undefined };
const item = (id: number) => ({ id }) as unknown as AttentionItem;

/** A store whose sweep has `backlog` items left, handed out `limit` at a time. */
function backlogStore(backlog: number) {
  const calls: number[] = [];
  let left = backlog;
  return {
    calls,
    store: {
      async sweepAttention(limit: number): Promise<AttentionSweepResult> {
        calls.push(limit);
        const n = Math.min(limit, left);
        left -= n;
        return { changed: Array.from({ length: n }, (_, i) => item(i)), done: n < limit };
      },
    },
  };
}

describe('the attention sweeper', () => {
  it('works in bounded batches, stops at the per-run cap, and hands every change on', async () => {
    const { store, calls } = backlogStore(1_000);
    const changed: AttentionItem[] = [];
    const sweeper = new AttentionSweeper({ store, log: silent, onChange: (i) => changed.push(i), batchSize: 100, maxBatchesPerRun: 4 });
    expect(await sweeper.runOnce()).toBe(400);
    expect(calls).toEqual([100, 100, 100, 100]);
    expect(changed).toHaveLength(400);
    expect(await sweeper.runOnce()).toBe(400);
    expect(await sweeper.runOnce()).toBe(200);
    expect(calls).toHaveLength(4 + 4 + 3);
  });

  it('does nothing when another instance has this interval\'s turn', async () => {
    const { store, calls } = backlogStore(10);
    const sweeper = new AttentionSweeper({ store, log: silent, onChange: () => undefined, claimTurn: async () => false });
    expect(await sweeper.runOnce()).toBe(0);
    expect(calls).toEqual([]);
  });
});

describe('cohort rosters', () => {
  it('reads a roster once, applies this process\'s changes at once, and reads again after the TTL', async () => {
    const clock = new FakeClock();
    let stored = [1, 2];
    let reads = 0;
    const rosters = new CohortRosters({ listCohortReaderIds: async () => (reads++, [...stored]) }, clock);
    const members = await rosters.members(7);
    expect([...members]).toEqual([1, 2]);
    rosters.added(7, 3);
    rosters.removed(7, 1);
    expect([...(await rosters.members(7))].sort()).toEqual([2, 3]);
    expect(reads).toBe(1);
    stored = [2, 3, 4];
    clock.advance(ROSTER_TTL_MS);
    expect([...(await rosters.members(7))].sort()).toEqual([2, 3, 4]);
    expect([...members].sort()).toEqual([2, 3, 4]);
    rosters.dropped(7);
    expect(members.size).toBe(0);
  });
});
