import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeTempDir, NO_RATE_LIMITS, sleep, startServer } from '../support/server-process.js';
import { seedReaders } from './support/seed-readers.js';
import { milestoneProblems, missingEvents, readStoredState } from './support/stored-state.js';
import { WriteLoad } from './support/write-load.js';

const READERS = 30;
const WRITERS = 50;
/** Where in a run SIGKILL lands: early (first batches), mid-run, and after a few thousand writes. */
const KILL_AFTER_MS = [300, 1_000, 2_500];

afterEach(cleanUp);

describe('crash durability (SIGKILL under concurrent writes)', () => {
  it.each(KILL_AFTER_MS)('every write acknowledged before a SIGKILL at %i ms is in the file after restart, which is intact', async (killAfterMs) => {
    const dir = makeTempDir();
    const dbFile = join(dir, 'readpulse.db');
    const readers = await seedReaders(dbFile, READERS);
    const server = await startServer({ dbFile, env: NO_RATE_LIMITS });
    const load = new WriteLoad({ baseUrl: server.baseUrl, readers, writers: WRITERS }).start();

    await sleep(killAfterMs);
    const exit = await server.stop('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    const figures = await load.finished();
    console.info(`SIGKILL at ${killAfterMs} ms: ${JSON.stringify(figures)}`);
    expect(figures.failures, 'no request failed other than by the kill').toEqual([]);
    expect(figures.acknowledged, 'the load got going before the kill').toBeGreaterThan(killAfterMs >= 1_000 ? 100 : 0);

    // A restart on the same file recovers it and serves an acknowledged event.
    const restarted = await startServer({ dbFile, env: NO_RATE_LIMITS });
    const last = load.events.at(-1);
    if (last) {
      const reader = readers.find((r) => r.id === last.userId)!;
      const response = await fetch(`${restarted.baseUrl}/api/me/activity?limit=200`, { headers: { authorization: `Bearer ${reader.token}` } });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { events: { id: number }[] };
      expect(body.events.map((e) => e.id)).toContain(last.id);
    }
    // SIGKILL again, so the file is checked as a crash left it (plus one recovery).
    await restarted.stop('SIGKILL');

    const state = readStoredState(dbFile);
    expect(state.integrity).toEqual(['ok']);
    expect(state.foreignKeyProblems).toEqual([]);
    expect(missingEvents(state, load.events), 'acknowledged events lost or altered').toEqual([]);
    expect(milestoneProblems(state, load.milestones.values()), 'acknowledged milestones lost').toEqual([]);
  });
});
