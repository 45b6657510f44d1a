import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/domain/index.js';
import { ActivityRetention } from '../../src/live/retention.js';
import { openSqliteStore, type SqliteStore } from '../../src/sqlite/sqlite-store.js';
import { FakeClock } from '../support/fake-clock.js';

const DAY = 86_400_000;
const quietLog = { info: () => {}, error: () => {} };

describe('activity retention job', () => {
  let dir: string;
  let clock: FakeClock;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'readpulse-retention-'));
    clock = new FakeClock('2026-01-01T00:00:00.000Z');
    store = openSqliteStore({ path: join(dir, 'r.db'), clock });
  });
  afterEach(async () => {
    await store.operations.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Logs one event per day for `days` days from the clock's start; returns the reader's id. */
  async function logDaily(days: number): Promise<number> {
    const reader = await store.users.createUser({ email: 'r@example.test', name: 'R', role: 'reader', passwordHash: 'h' });
    for (let day = 0; day < days; day += 1) {
      await store.activity.logActivity(reader.id, { actionType: 'PAGE_VIEW', metadata: { day } });
      clock.advance(DAY);
    }
    return reader.id;
  }

  async function remainingDays(readerId: number): Promise<number[]> {
    const { items } = await store.activity.listActivity(readerId, { limit: 200 });
    return items.map((e) => (e.metadata as { day: number }).day).sort((a, b) => a - b);
  }

  it('deletes the events older than the retention period as of the clock and keeps the rest', async () => {
    const readerId = await logDaily(40); // days 0..39; the clock is now at day 40
    const job = new ActivityRetention({ store: store.activity, clock, retentionDays: 30, log: quietLog });
    expect(await job.runOnce()).toBe(10); // days 0..9 are more than 30 days old
    expect(await remainingDays(readerId)).toEqual(Array.from({ length: 30 }, (_, i) => i + 10));

    clock.advance(5 * DAY);
    expect(await job.runOnce()).toBe(5);
    expect((await remainingDays(readerId))[0]).toBe(15);
  });

  it('deletes a backlog in batches of batchSize until a short batch says nothing is left', async () => {
    const readerId = await logDaily(25);
    const spy = vi.spyOn(store.activity, 'deleteActivityBefore');
    const job = new ActivityRetention({ store: store.activity, clock, retentionDays: 10, batchSize: 4, log: quietLog });
    expect(await job.runOnce()).toBe(15); // days 0..14
    expect(spy.mock.calls.map(([, limit]) => limit)).toEqual([4, 4, 4, 4]);
    const cutoffs = new Set(spy.mock.calls.map(([cutoff]) => cutoff));
    expect([...cutoffs]).toEqual([clock.now() - 10 * DAY]);
    expect(await remainingDays(readerId)).toEqual(Array.from({ length: 10 }, (_, i) => i + 15));
  });

  it('lets writes queued during a run commit between its batches', async () => {
    const readerId = await logDaily(30);
    const order: string[] = [];
    const original = store.activity.deleteActivityBefore.bind(store.activity);
    vi.spyOn(store.activity, 'deleteActivityBefore').mockImplementation(async (cutoff, limit) => {
      const deleted = await original(cutoff, limit);
      order.push(`batch ${deleted}`);
      return deleted;
    });
    const job = new ActivityRetention({ store: store.activity, clock, retentionDays: 1, batchSize: 10, log: quietLog });
    const run = job.runOnce();
    const write = store.activity.logActivity(readerId, { actionType: 'SUBMIT', metadata: null }).then(() => order.push('write'));
    await Promise.all([run, write]);
    expect(order.indexOf('write')).toBeLessThan(order.length - 1);
    expect(order.filter((o) => o.startsWith('batch'))).toEqual(['batch 10', 'batch 10', 'batch 9']);
  });

  it('with 0 days keeps everything and start() schedules nothing', async () => {
    const readerId = await logDaily(3);
    clock.advance(10_000 * DAY);
    const spy = vi.spyOn(store.activity, 'deleteActivityBefore');
    const job = new ActivityRetention({ store: store.activity, clock, retentionDays: 0, log: quietLog });
    expect(job.enabled).toBe(false);
    expect(await job.runOnce()).toBe(0);
    job.start();
    await job.stop();
    expect(spy).not.toHaveBeenCalled();
    expect(await remainingDays(readerId)).toEqual([0, 1, 2]);
  });

  it('start() runs the job at once; stop() waits for the run in progress', async () => {
    const readerId = await logDaily(5);
    const job = new ActivityRetention({ store: store.activity, clock, retentionDays: 2, log: quietLog });
    const spy = vi.spyOn(store.activity, 'deleteActivityBefore');
    job.start();
    await vi.waitFor(() => expect(spy).toHaveBeenCalled());
    await job.stop();
    expect(await remainingDays(readerId)).toEqual([3, 4]);
  });

  it('two overlapping calls share one run', async () => {
    await logDaily(5);
    const job = new ActivityRetention({ store: store.activity, clock, retentionDays: 1, log: quietLog });
    const [a, b] = await Promise.all([job.runOnce(), job.runOnce()]);
    expect([a, b]).toEqual([4, 4]);
  });

  it('a failing batch rejects the run, and the next run starts afresh', async () => {
    const readerId = await logDaily(5);
    const job = new ActivityRetention({ store: store.activity, clock, retentionDays: 1, log: quietLog });
    const spy = vi.spyOn(store.activity, 'deleteActivityBefore').mockRejectedValueOnce(new AppError('unavailable', 'busy'));
    await expect(job.runOnce()).rejects.toThrow('busy');
    spy.mockRestore();
    expect(await job.runOnce()).toBe(4);
    expect(await remainingDays(readerId)).toEqual([4]);
  });
});
