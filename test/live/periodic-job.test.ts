import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeriodicJob, type JobStep } from '../../src/live/periodic-job.js';

/** A job over a backlog of `backlog` things, `batch` per step; it records what it did. */
function backlogJob(backlog: number, batch: number, options: { maxStepsPerRun?: number; claimTurn?: (intervalMs: number) => Promise<boolean> } = {}) {
  let left = backlog;
  const steps: number[] = [];
  const finished: number[] = [];
  const errors: unknown[] = [];
  const job = new PeriodicJob({
    name: 'test job',
    intervalMs: 60_000,
    log: { error: (obj) => void errors.push(obj) },
    ...options,
    begin: () => ({
      step: async (): Promise<JobStep> => {
        const n = Math.min(batch, left);
        left -= n;
        steps.push(n);
        return { count: n, done: n < batch };
      },
      finish: (total) => void finished.push(total),
    }),
  });
  return { job, steps, finished, errors, left: () => left };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('a periodic job', () => {
  it('runs in steps until the work is done and reports the total once', async () => {
    const { job, steps, finished, left } = backlogJob(25, 10);
    expect(await job.runOnce()).toBe(25);
    expect(steps).toEqual([10, 10, 5]);
    expect(finished).toEqual([25]);
    expect(left()).toBe(0);
  });

  it('stops a run at its step cap and goes on from there in the next run', async () => {
    const { job, steps, left } = backlogJob(50, 10, { maxStepsPerRun: 2 });
    expect(await job.runOnce()).toBe(20);
    expect(left()).toBe(30);
    expect(await job.runOnce()).toBe(20);
    expect(steps).toEqual([10, 10, 10, 10]);
    expect(left()).toBe(10);
  });

  it('does nothing when another instance has the turn, and asks with its interval', async () => {
    const asked: number[] = [];
    const { job, steps, finished } = backlogJob(5, 10, { claimTurn: async (intervalMs) => (asked.push(intervalMs), false) });
    expect(await job.runOnce()).toBe(0);
    expect(asked).toEqual([60_000]);
    expect(steps).toEqual([]);
    expect(finished).toEqual([]);
  });

  it('joins a run in progress instead of starting a second one', async () => {
    const { job, steps } = backlogJob(30, 10);
    const [first, second] = await Promise.all([job.runOnce(), job.runOnce()]);
    expect(first).toBe(30);
    expect(second).toBe(30);
    expect(steps).toEqual([10, 10, 10, 0]);
  });

  it('stop() ends a run after its current step', async () => {
    const { job, steps, left } = backlogJob(1_000, 10);
    const run = job.runOnce();
    await job.stop();
    expect(await run).toBe(10);
    expect(steps).toEqual([10]);
    expect(left()).toBe(990);
  });

  it('once started, runs every interval and logs a failed run without stopping', async () => {
    vi.useFakeTimers();
    let runs = 0;
    const errors: unknown[] = [];
    const job = new PeriodicJob({
      name: 'failing job',
      intervalMs: 1_000,
      log: { error: (obj, msg) => void errors.push([obj, msg]) },
      begin: () => ({
        step: () => {
          runs += 1;
          if (runs === 1) throw new Error('boom');
          return { count: 1, done: true };
        },
      }),
    });
    job.start();
    expect(runs).toBe(0); // not run at start unless asked to
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(1);
    expect(errors).toHaveLength(1);
    expect((errors[0] as [unknown, string])[1]).toBe('failing job failed; will retry');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(2);
    expect(errors).toHaveLength(1);
    await job.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toBe(2);
  });
});
