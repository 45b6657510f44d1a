import { describe, expect, it } from 'vitest';
import type { AccessRecord } from '../../src/domain/index.js';
import { AccessRecorder } from '../../src/live/access-recorder.js';
import { FakeClock } from '../support/fake-clock.js';

const HOUR = 3_600_000;

function recorderWith(batchSize?: number) {
  const writes: AccessRecord[][] = [];
  const clock = new FakeClock('2026-11-24T12:00:00.000Z');
  const recorder = new AccessRecorder({
    store: { recordAccess: async (records) => void writes.push([...records]) },
    clock,
    log: { error: () => {} },
    flushIntervalMs: 1_000,
    ...(batchSize === undefined ? {} : { batchSize }),
  });
  return { writes, clock, recorder };
}

describe('AccessRecorder', () => {
  it('coalesces repeated views per consultant, reader, kind and hour, keeping the latest time', async () => {
    const { writes, clock, recorder } = recorderWith();
    recorder.record(1, 10, 'progress');
    clock.advance(60_000);
    recorder.record(1, 10, 'progress');
    recorder.record(1, 10, 'activity');
    recorder.record(2, 10, 'progress');
    clock.advance(HOUR);
    recorder.record(1, 10, 'progress');
    expect(writes).toEqual([]);
    await recorder.flush();
    const start = Date.parse('2026-11-24T12:00:00.000Z');
    expect(writes).toEqual([
      [
        { consultantId: 1, readerId: 10, kind: 'progress', at: start + 60_000 },
        { consultantId: 1, readerId: 10, kind: 'activity', at: start + 60_000 },
        { consultantId: 2, readerId: 10, kind: 'progress', at: start + 60_000 },
        { consultantId: 1, readerId: 10, kind: 'progress', at: start + 60_000 + HOUR },
      ],
    ]);
    await recorder.flush();
    expect(writes).toHaveLength(1);
  });

  it('writes a large export\'s views in bounded batches', async () => {
    const { writes, recorder } = recorderWith(100);
    recorder.recordMany(1, Array.from({ length: 250 }, (_, i) => i + 1), 'export');
    await recorder.flush();
    expect(writes.map((w) => w.length)).toEqual([100, 100, 50]);
  });
});
