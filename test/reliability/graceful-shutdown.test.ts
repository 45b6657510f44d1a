import { existsSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, logLines, makeTempDir, NO_RATE_LIMITS, sleep, startServer } from '../support/server-process.js';
import { TEST_ENGINE } from '../support/test-engine.js';
import { provisionReliabilityDatabase, type ReliabilityDatabase } from './support/reliability-database.js';
import { milestoneProblems, missingEvents } from './support/stored-state.js';
import { WriteLoad } from './support/write-load.js';

let database: ReliabilityDatabase | undefined;
afterEach(async () => {
  await cleanUp();
  await database?.drop();
  database = undefined;
});

describe(`graceful shutdown (SIGTERM under concurrent writes) on ${TEST_ENGINE}`, () => {
  it('exits 0 within 10 s; every request is stored 2xx or failed cleanly; heartbeats flushed; SQLite\'s WAL checkpointed', async () => {
    const dir = makeTempDir();
    const db = (database = await provisionReliabilityDatabase(dir));
    const dbFile = db.dbFile;
    const readers = await db.seedReaders(30);
    // A flush interval longer than the run: every heartbeat is still in memory at SIGTERM, so only
    // the shutdown flush can store it.
    const server = await startServer({ dbFile, env: { ...NO_RATE_LIMITS, ...db.env, READPULSE_HEARTBEAT_FLUSH_MS: '10000' } });
    const load = new WriteLoad({ baseUrl: server.baseUrl, readers, writers: 50 }).start();

    await load.warmedUp();
    await sleep(1_500);
    const exit = await server.stop('SIGTERM', 10_000);
    const figures = await load.finished();
    console.info(`SIGTERM after 1.5 s: ${JSON.stringify(figures)}`);

    expect(exit, `exit; log tail:\n${server.stdout().slice(-2000)}\n${server.stderr()}`).toEqual({ code: 0, signal: null });
    expect(logLines(server.stdout()).map((line) => line.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    // Clean failures are connection errors and 503; anything else (a 500 above all) is listed here.
    expect(figures.failures).toEqual([]);
    expect(Object.keys(figures.statuses).filter((status) => !['200', '201', '503'].includes(status))).toEqual([]);
    // Writes were in flight at SIGTERM (a sanity check, not a throughput figure).
    expect(figures.acknowledged).toBeGreaterThan(20);

    const wal = `${dbFile}-wal`;
    if (db.engine === 'sqlite') expect(existsSync(wal) ? statSync(wal).size : 0, 'the -wal file is absent or empty after exit').toBe(0);

    const state = await db.readState();
    expect(state.integrity).toEqual(['ok']);
    expect(state.foreignKeyProblems).toEqual([]);
    expect(missingEvents(state, load.events)).toEqual([]);
    expect(milestoneProblems(state, load.milestones.values())).toEqual([]);

    // The server stamps activity while it handles a request, after the client sent it.
    const stale: string[] = [];
    for (const [readerId, sentAt] of load.lastAckedRequestSentAt) {
      const stored = state.lastActiveAt.get(readerId) ?? null;
      if (stored === null || stored < sentAt - 1_000) stale.push(`reader ${readerId}: lastActiveAt ${stored}, last acknowledged request sent at ${sentAt}`);
    }
    expect(load.lastAckedRequestSentAt.size).toBe(readers.length);
    expect(stale, 'heartbeats pending at SIGTERM were written').toEqual([]);
  });

  it('exits 0 within 10 s when clients with requests in flight at SIGTERM then go quiet on their keep-alive connections', async () => {
    // A reverse proxy's upstream pool behaves like this: the connections busy at SIGTERM get their
    // answers and then sit idle, open. Shutdown must not wait for the client to close them.
    const dir = makeTempDir();
    const db = (database = await provisionReliabilityDatabase(dir));
    const dbFile = db.dbFile;
    const readers = await db.seedReaders(30);
    const server = await startServer({ dbFile, env: { ...NO_RATE_LIMITS, ...db.env } });
    const load = new WriteLoad({ baseUrl: server.baseUrl, readers, writers: 50 }).start();
    await load.warmedUp();
    await sleep(1_000);
    server.child.kill('SIGTERM');
    const figures = await load.stop();
    const exit = await server.waitForExit(10_000, 'SIGTERM');
    console.info(`SIGTERM, then quiet clients: ${JSON.stringify(figures)}`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(figures.failures).toEqual([]);
    const state = await db.readState();
    expect(missingEvents(state, load.events)).toEqual([]);
  });
});
