import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, logLines, makeTempDir, NO_RATE_LIMITS, sleep, startServer } from '../support/server-process.js';
import { seedReaders } from './support/seed-readers.js';
import { milestoneProblems, missingEvents, readStoredState } from './support/stored-state.js';
import { WriteLoad } from './support/write-load.js';

afterEach(cleanUp);

describe('graceful shutdown (SIGTERM under concurrent writes)', () => {
  it('exits 0 within 10 s; every request is stored 2xx or failed cleanly; heartbeats flushed; WAL checkpointed', async () => {
    const dir = makeTempDir();
    const dbFile = join(dir, 'readpulse.db');
    const readers = await seedReaders(dbFile, 30);
    // A flush interval longer than the run: every heartbeat is still in memory at SIGTERM, so only
    // the shutdown flush can store it.
    const server = await startServer({ dbFile, env: { ...NO_RATE_LIMITS, READPULSE_HEARTBEAT_FLUSH_MS: '10000' } });
    const load = new WriteLoad({ baseUrl: server.baseUrl, readers, writers: 50 }).start();

    await sleep(1_500);
    const exit = await server.stop('SIGTERM', 10_000);
    const figures = await load.finished();
    console.info(`SIGTERM after 1.5 s: ${JSON.stringify(figures)}`);

    expect(exit, `exit; log tail:\n${server.stdout().slice(-2000)}\n${server.stderr()}`).toEqual({ code: 0, signal: null });
    expect(logLines(server.stdout()).map((line) => line.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    // Clean failures are connection errors and 503; anything else (a 500 above all) is listed here.
    expect(figures.failures).toEqual([]);
    expect(Object.keys(figures.statuses).filter((status) => !['200', '201', '503'].includes(status))).toEqual([]);
    expect(figures.acknowledged).toBeGreaterThan(200);

    const wal = `${dbFile}-wal`;
    expect(existsSync(wal) ? statSync(wal).size : 0, 'the -wal file is absent or empty after exit').toBe(0);

    const state = readStoredState(dbFile);
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
    const dbFile = join(dir, 'readpulse.db');
    const readers = await seedReaders(dbFile, 30);
    const server = await startServer({ dbFile, env: NO_RATE_LIMITS });
    const load = new WriteLoad({ baseUrl: server.baseUrl, readers, writers: 50 }).start();
    await sleep(1_000);
    server.child.kill('SIGTERM');
    const figures = await load.stop();
    const exit = await server.waitForExit(10_000, 'SIGTERM');
    console.info(`SIGTERM, then quiet clients: ${JSON.stringify(figures)}`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(figures.failures).toEqual([]);
    const state = readStoredState(dbFile);
    expect(missingEvents(state, load.events)).toEqual([]);
  });
});
