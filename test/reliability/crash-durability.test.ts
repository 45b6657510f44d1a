import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeTempDir, NO_RATE_LIMITS, sleep, startServer } from '../support/server-process.js';
import { TEST_ENGINE } from '../support/test-engine.js';
import { provisionReliabilityDatabase, type ReliabilityDatabase } from './support/reliability-database.js';
import { milestoneProblems, missingEvents } from './support/stored-state.js';
import { WriteLoad } from './support/write-load.js';

const READERS = 30;
const WRITERS = 50;
/** Where SIGKILL lands, counted from the first acknowledged write: early, mid-run, and later. */
const KILL_AFTER_MS = [300, 1_000, 2_500];

let database: ReliabilityDatabase | undefined;
afterEach(async () => {
  await cleanUp();
  await database?.drop();
  database = undefined;
});

describe(`crash durability (SIGKILL under concurrent writes) on ${TEST_ENGINE}`, () => {
  it.each(KILL_AFTER_MS)('every write acknowledged before a SIGKILL at %i ms is in the database after restart, which is intact', async (killAfterMs) => {
    const dir = makeTempDir();
    const db = (database = await provisionReliabilityDatabase(dir));
    const dbFile = db.dbFile;
    const readers = await db.seedReaders(READERS);
    const server = await startServer({ dbFile, env: { ...NO_RATE_LIMITS, ...db.env } });
    const load = new WriteLoad({ baseUrl: server.baseUrl, readers, writers: WRITERS }).start();

    await load.warmedUp();
    await sleep(killAfterMs);
    const exit = await server.stop('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    const figures = await load.finished();
    console.info(`SIGKILL at ${killAfterMs} ms: ${JSON.stringify(figures)}`);
    expect(figures.failures, 'no request failed other than by the kill').toEqual([]);
    // A sanity check that writes were in flight, not a throughput figure (BENCHMARKS.md has those).
    expect(figures.acknowledged, 'the load got going before the kill').toBeGreaterThan(killAfterMs >= 1_000 ? 20 : 0);

    // A restart on the same file recovers it and serves an acknowledged event.
    const restarted = await startServer({ dbFile, env: { ...NO_RATE_LIMITS, ...db.env } });
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

    const state = await db.readState();
    expect(state.integrity).toEqual(['ok']);
    expect(state.foreignKeyProblems).toEqual([]);
    expect(missingEvents(state, load.events), 'acknowledged events lost or altered').toEqual([]);
    expect(milestoneProblems(state, load.milestones.values()), 'acknowledged milestones lost').toEqual([]);
  });
});
