import { copyFileSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runReadpulse } from '../support/run-readpulse.js';
import { cleanUp, LOCK_ERRORS, makeTempDir, NO_RATE_LIMITS, sleep, startServer, type ServerProcess } from '../support/server-process.js';
import { seedReaders, type SeededReader } from './support/seed-readers.js';
import { milestoneProblems, missingEvents, readStoredState } from './support/stored-state.js';
import { WriteLoad, type AckedEvent, type MilestoneTrack } from './support/write-load.js';

afterEach(cleanUp);

describe('backup and restore', () => {
  it('a backup taken under load is intact, holds every write acknowledged before it began, and serves after the documented restore', async () => {
    const dir = makeTempDir();
    const dbFile = join(dir, 'readpulse.db');
    const backupFile = join(dir, 'backups', 'readpulse-backup.db');
    const readers = await seedReaders(dbFile, 30);
    const server = await startServer({ dbFile, env: NO_RATE_LIMITS });
    const load = new WriteLoad({ baseUrl: server.baseUrl, readers, writers: 30, listReaders: 4, stopOnConnectionError: false }).start();
    await sleep(1_500);

    // Everything acknowledged by now must be in the backup.
    const ackedBefore = [...load.events];
    const milestonesBefore: MilestoneTrack[] = [...load.milestones.values()].map((track) => ({ ...track }));
    const backup = await runReadpulse(['backup', backupFile], { ...server.env, READPULSE_LOG_LEVEL: 'silent' }, { timeoutMs: 30_000 });
    const backupEndedAt = Date.now();
    await sleep(1_000);
    const figures = await load.stop();
    console.info(`backup under load: ${ackedBefore.length} events acknowledged before it, ${load.events.length} in all; ${JSON.stringify(figures)}`);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).not.toMatch(LOCK_ERRORS);
    expect(figures.failures).toEqual([]);

    // Written after the backup had finished: these must not come back with a restore.
    const later = load.events.filter((event) => event.sentAt > backupEndedAt);
    expect(ackedBefore.length).toBeGreaterThan(100);
    expect(later.length).toBeGreaterThan(50);

    const copy = readStoredState(backupFile);
    expect(copy.integrity).toEqual(['ok']);
    expect(copy.foreignKeyProblems).toEqual([]);
    expect(missingEvents(copy, ackedBefore), 'writes acknowledged before the backup began').toEqual([]);
    expect(milestoneScoresBelow(copy.scores, milestonesBefore)).toEqual([]);
    expect(later.filter((event) => copy.eventsById.has(event.id)).map((event) => event.id)).toEqual([]);

    // docs/operations.md, "Restore", step by step.
    // 1. Stop the server (SIGTERM) and wait for it to exit.
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const liveAtStop = readStoredState(dbFile);
    expect(missingEvents(liveAtStop, load.events)).toEqual([]);
    // 2. Keep the current database aside, with any -wal and -shm beside it.
    renameSync(dbFile, `${dbFile}.old`);
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(`${dbFile}${suffix}`)) renameSync(`${dbFile}${suffix}`, `${dbFile}.old${suffix}`);
    }
    // 3. Copy the backup into place.
    copyFileSync(backupFile, dbFile);
    // 4. Start the server.
    const restored = await startServer({ dbFile, env: NO_RATE_LIMITS });
    await expectServes(restored, readers, ackedBefore, later);
    expect((await restored.stop('SIGTERM')).code).toBe(0);
    const afterRestore = readStoredState(dbFile);
    expect(afterRestore.integrity).toEqual(['ok']);
    expect(milestoneProblems(afterRestore, milestonesBefore.filter((t) => t.lastAckedScore !== null).map((t) => ({ ...t, lastSentScore: 100 })))).toEqual([]);

    // And a server started on the backup file itself serves it too.
    const direct = await startServer({ dbFile: backupFile, env: NO_RATE_LIMITS });
    await expectServes(direct, readers, ackedBefore, later);
    expect((await direct.stop('SIGTERM')).code).toBe(0);
  });
});

/** Milestones whose score in the copy is below the one acknowledged before the backup. */
function milestoneScoresBelow(scores: Map<string, number | null>, before: readonly MilestoneTrack[]): string[] {
  return before
    .filter((track) => track.lastAckedScore !== null)
    .filter((track) => (scores.get(`${track.userId}|${track.chapterId}`) ?? -1) < track.lastAckedScore!)
    .map((track) => `${track.userId}|${track.chapterId}: ${scores.get(`${track.userId}|${track.chapterId}`)} < ${track.lastAckedScore}`);
}

/**
 * Through the API with the sessions seeded before the backup: every reader's activity holds all
 * of `expected` and none of `absent`.
 */
async function expectServes(server: ServerProcess, readers: readonly SeededReader[], expected: readonly AckedEvent[], absent: readonly AckedEvent[]) {
  const served = new Map<number, { actionType: string; metadata: unknown }>();
  for (const reader of readers) {
    let cursor: string | null = null;
    do {
      const response: Response = await fetch(`${server.baseUrl}/api/me/activity?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
        headers: { authorization: `Bearer ${reader.token}` },
      });
      expect(response.status, `GET /api/me/activity as reader ${reader.id}`).toBe(200);
      const page = (await response.json()) as { events: { id: number; actionType: string; metadata: unknown }[]; nextCursor: string | null };
      for (const event of page.events) served.set(event.id, event);
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  const missing = expected.filter((event) => {
    const got = served.get(event.id);
    return !got || got.actionType !== event.actionType || JSON.stringify(got.metadata) !== JSON.stringify(event.metadata);
  });
  expect(missing.map((event) => event.id), 'events of the backup the server does not serve').toEqual([]);
  expect(absent.filter((event) => served.has(event.id)).map((event) => event.id), 'events written after the backup').toEqual([]);
}
