import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDriver as Database } from '../../src/sqlite/sqlite-driver.js';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/sqlite/sqlite-store.js';
import { minutesToCompleteBucket, type Store } from '../../src/domain/index.js';
import { rebuildActivityAggregates } from '../../src/sqlite/activity-aggregates.js';
import { rebuildMilestoneAggregates } from '../../src/sqlite/milestone-aggregates.js';
import { FakeClock } from '../support/fake-clock.js';
import { runStoreContract } from './store-contract.js';
import { addUser, sessionFor } from './contract/store-fixture.js';

const tempDirs: string[] = [];
const openStores = new Set<Store>();

/** A fresh temporary folder and database path, removed after the test. */
async function freshDatabasePath(): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'readpulse-store-'));
  tempDirs.push(dir);
  return { dir, file: join(dir, 'readpulse.db') };
}

/** Opens a store on `file`; afterEach closes it unless the test already did through closeStore. */
function openStore(file: string, clock: FakeClock) {
  const store = openSqliteStore({ path: file, clock });
  openStores.add(store);
  return store;
}

async function closeStore(store: Store): Promise<void> {
  openStores.delete(store);
  await store.operations.close();
}

async function openFreshStore() {
  const { dir, file } = await freshDatabasePath();
  const clock = new FakeClock();
  const store = openStore(file, clock);
  return { dir, file, clock, store };
}

afterEach(async () => {
  const stores = [...openStores];
  openStores.clear();
  const dirs = tempDirs.splice(0);
  try {
    for (const store of stores) await store.operations.close();
  } finally {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
});

runStoreContract('SQLite', async () => {
  const { store, clock } = await openFreshStore();
  return { store, clock };
});

describe('SqliteStore on its file', () => {
  it('the database file is in WAL mode, seen from a separate connection', async () => {
    const { file } = await openFreshStore();
    const other = new Database(file, { readonly: true });
    try {
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      other.close();
    }
  });

  it('the store\'s own connection enforces foreign keys, syncs NORMAL and waits on a busy lock', async () => {
    // foreign_keys, synchronous and busy_timeout belong to a connection, not to the file, so a
    // separate connection would only show its own defaults: read them on the store's connection.
    const { store } = await openFreshStore();
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('the foreign keys hold: no row anywhere points at a missing user after a delete', async () => {
    const { store, file, clock } = await openFreshStore();
    const doomed = await addUser(store);
    await store.sessions.createSession(sessionFor(doomed.id, 'doomed', clock.now()));
    await store.progress.upsertMilestone(doomed.id, { chapterId: 'ch-01', status: 'stuck', score: 1 });
    await store.activity.logActivity(doomed.id, { actionType: 'LOGIN', metadata: null });
    const consultant = await addUser(store, 'consultant');
    await store.accessLog.recordAccess([{ consultantId: consultant.id, readerId: doomed.id, kind: 'progress', at: clock.now() }]);
    await store.users.deleteUser(doomed.id);
    const other = new Database(file, { readonly: true });
    try {
      expect(other.pragma('foreign_key_check')).toEqual([]);
      for (const table of ['sessions', 'milestones', 'activity_logs', 'activity_reader_hours', 'activity_reader_days']) {
        const { n } = other.prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`).get(doomed.id) as { n: number };
        expect({ table, n }).toEqual({ table, n: 0 });
      }
      expect(other.prepare('SELECT count(*) FROM access_log WHERE reader_id = ?').pluck().get(doomed.id)).toBe(0);
      // Nothing of theirs is left in the aggregates either: the totals count nobody.
      expect(other.prepare('SELECT coalesce(sum(events), 0) + coalesce(sum(active_readers), 0) FROM activity_hours').pluck().get()).toBe(0);
      expect(other.prepare('SELECT coalesce(sum(events), 0) + coalesce(sum(active_readers), 0) FROM activity_days').pluck().get()).toBe(0);
    } finally {
      other.close();
    }
  });

  it('the database holds the session token\'s hash and never the raw token', async () => {
    const { store, file, clock } = await openFreshStore();
    const user = await addUser(store);
    const rawToken = randomBytes(32).toString('base64url');
    const hash = createHash('sha256').update(rawToken).digest('hex');
    await store.sessions.createSession({ ...sessionFor(user.id, 'unused', clock.now()), tokenHash: hash });

    const other = new Database(file, { readonly: true });
    try {
      const tables = other
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .pluck()
        .all() as string[];
      const everyValue = tables.flatMap((table) =>
        (other.prepare(`SELECT * FROM "${table}"`).raw().all() as unknown[][]).flat().map((v) => String(v)),
      );
      expect(everyValue.some((v) => v.includes(rawToken))).toBe(false);
      const sessionRows = other.prepare('SELECT * FROM sessions').all() as Record<string, unknown>[];
      expect(sessionRows).toHaveLength(1);
      expect(Object.values(sessionRows[0] ?? {})).toContain(hash);
    } finally {
      other.close();
    }
  });

  it('ping rejects once the database is closed', async () => {
    const { store } = await openFreshStore();
    await closeStore(store);
    await expect(store.operations.ping()).rejects.toThrow();
  });

  it('data written before close is there after reopening the file, and reopening re-runs no migration', async () => {
    const { store, file, clock } = await openFreshStore();
    const user = await addUser(store, 'reader', { email: 'persist@example.com' });
    const milestone = await store.progress.upsertMilestone(user.id, { chapterId: 'ch-01', status: 'completed', score: 88 });
    const event = await store.activity.logActivity(user.id, { actionType: 'SUBMIT', metadata: { answer: 'é' } });
    await closeStore(store);

    const reopened = openStore(file, clock);
    expect(await reopened.users.getUserByEmail('persist@example.com')).toEqual({ user, passwordHash: expect.any(String) });
    expect(await reopened.progress.getMyMilestones(user.id)).toEqual([milestone]);
    expect((await reopened.activity.listActivity(user.id, { limit: 10 })).items).toEqual([event]);
  });

  it('close waits for writes already started and commits them', async () => {
    const { store, file, clock } = await openFreshStore();
    const user = await addUser(store);
    const pending = Array.from({ length: 10 }, (_, i) => store.activity.logActivity(user.id, { actionType: 'PAGE_VIEW', metadata: { i } }));
    await closeStore(store);
    const written = await Promise.all(pending);

    const reopened = openStore(file, clock);
    const listed = (await reopened.activity.listActivity(user.id, { limit: 50 })).items;
    expect(listed.map((e) => e.id).sort((a, b) => a - b)).toEqual(written.map((e) => e.id).sort((a, b) => a - b));
  });

  it('backup writes a database that openSqliteStore opens with the same users, milestones and activity', async () => {
    const { store, dir, clock } = await openFreshStore();
    const reader = await addUser(store, 'reader', { email: 'backed@example.com', passwordHash: 'backed-hash' });
    const consultant = await addUser(store, 'consultant');
    await store.sessions.updateHeartbeat(reader.id, clock.now());
    const milestone = await store.progress.upsertMilestone(reader.id, { chapterId: 'ch-02', status: 'stuck', score: 7 });
    const event = await store.activity.logActivity(reader.id, { actionType: 'LOGIN', metadata: { nested: { ok: true } } });
    const backupFile = join(dir, 'backup-copy.db');
    await store.operations.backup(backupFile);
    await store.activity.logActivity(reader.id, { actionType: 'AFTER_BACKUP', metadata: null });

    const copy = openStore(backupFile, new FakeClock());
    expect(await copy.users.getUserByEmail('backed@example.com')).toEqual({
      user: { ...reader, lastActiveAt: clock.now() },
      passwordHash: 'backed-hash',
    });
    expect(await copy.users.getUserById(consultant.id)).toEqual(consultant);
    expect(await copy.readers.listReaders({ limit: 50 })).toEqual(await store.readers.listReaders({ limit: 50 }));
    expect(await copy.progress.getMyMilestones(reader.id)).toEqual([milestone]);
    expect((await copy.activity.listActivity(reader.id, { limit: 50 })).items).toEqual([event]);
  });
});

describe('SQLite store: heartbeats at the resolution idle expiry needs', () => {
  it("moves a session's last_seen_at only by at least the resolution, and the user's lastActiveAt every time", async () => {
    const { file } = await freshDatabasePath();
    const clock = new FakeClock();
    const store = openSqliteStore({ path: file, clock, sessionSeenResolutionMs: 60_000 });
    openStores.add(store);
    const reader = await addUser(store);
    const start = clock.now();
    const session = sessionFor(reader.id, 'busy', start);
    await store.sessions.createSession(session);
    const seen = async () => (await store.sessions.findSession(session.tokenHash))!.session.lastSeenAt;

    await store.sessions.recordHeartbeats([{ userId: reader.id, tokenHash: session.tokenHash, at: start + 30_000 }]);
    expect(await seen()).toBe(start);
    expect((await store.users.getUserById(reader.id))!.lastActiveAt).toBe(start + 30_000);
    await store.sessions.recordHeartbeats([{ userId: reader.id, tokenHash: session.tokenHash, at: start + 60_000 }]);
    expect(await seen()).toBe(start + 60_000);
    await store.sessions.recordHeartbeats([{ userId: reader.id, tokenHash: session.tokenHash, at: start + 61_000 }]);
    expect(await seen()).toBe(start + 60_000);
    expect((await store.users.getUserById(reader.id))!.lastActiveAt).toBe(start + 61_000);
  });

  it('tells its listeners which sessions it deleted', async () => {
    const { store, clock } = await openFreshStore();
    const revoked: unknown[] = [];
    store.onSessionsRevoked((r) => revoked.push(r));
    const reader = await addUser(store);
    await store.sessions.createSession(sessionFor(reader.id, 'one', clock.now()));
    await store.sessions.deleteSession(sessionFor(reader.id, 'one', 0).tokenHash);
    await store.sessions.deleteUserSessions(reader.id);
    await store.users.deleteUser(reader.id);
    expect(revoked).toEqual([{ tokenHash: sessionFor(reader.id, 'one', 0).tokenHash }, { userId: reader.id }, { userId: reader.id }]);
  });
});

describe('the aggregates kept write by write equal a rebuild from the raw rows', () => {
  it('chapter counts and activity counts', async () => {
    const { store, clock } = await openFreshStore();
    const readers = [await addUser(store), await addUser(store), await addUser(store, 'consultant')];
    for (const [i, minutes] of [1, 99, 100, 123, 4_567, 98_765, 1_234_567].entries()) {
      const reader = readers[i % 3]!;
      const chapterId = `ch-${i}`;
      await store.progress.upsertMilestone(reader.id, { chapterId, status: 'started', score: null });
      clock.advance(minutes * 60_000 + 59_999);
      await store.progress.upsertMilestone(reader.id, { chapterId, status: 'completed', score: i * 10 });
      await store.activity.logActivities(reader.id, [{ actionType: 'PAGE_VIEW', metadata: null }]);
    }
    await store.activity.deleteActivityBefore(clock.now() - 2_000 * 60_000, 1);
    const tables = ['chapter_status_counts', 'chapter_score_counts', 'chapter_minute_counts', 'activity_reader_hours', 'activity_reader_days', 'activity_hours', 'activity_days'];
    const contents = () => Object.fromEntries(tables.map((t) => [t, store.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]));
    const incremental = contents();
    expect((incremental.chapter_minute_counts as { minutes: number }[]).map((r) => r.minutes).sort((a, b) => a - b)).toEqual([1, 99, 120, 4_500, 1_200_000]); // the consultant's 100 and 98,765 are not counted
    store.db.transaction(() => {
      rebuildMilestoneAggregates(store.db);
      rebuildActivityAggregates(store.db);
    })();
    expect(contents()).toEqual(incremental);
  });

  it('activity aggregates applied once per group commit equal a rebuild, with a deletion and a failing write in the same batch', async () => {
    const { store } = await openFreshStore();
    const [kept, deleted, consultant] = [await addUser(store), await addUser(store), await addUser(store, 'consultant')];
    const event = [{ actionType: 'PAGE_VIEW', metadata: null }];
    await store.activity.logActivities(kept.id, event);
    // One turn: all of these share one transaction.
    const results = await Promise.allSettled([
      store.activity.logActivities(kept.id, [...event, ...event]),
      store.activity.logActivities(deleted.id, event),
      store.activity.logActivities(987_654, event), // no such user: fails alone, defers nothing
      store.activity.logActivities(consultant.id, event),
      store.users.deleteUser(deleted.id), // their activity queued just before is not counted at commit
      store.activity.logActivities(kept.id, event),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    const tables = ['activity_reader_hours', 'activity_reader_days', 'activity_hours', 'activity_days'];
    const contents = () => Object.fromEntries(tables.map((t) => [t, store.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]));
    const incremental = contents();
    expect(incremental.activity_reader_hours).toEqual([expect.objectContaining({ user_id: kept.id, events: 4 })]);
    expect(incremental.activity_hours).toEqual([expect.objectContaining({ events: 4, active_readers: 1 })]);
    store.db.transaction(() => rebuildActivityAggregates(store.db))();
    expect(contents()).toEqual(incremental);
  });

  it('minutes to complete are bucketed to whole minutes below 100 and two significant digits above', () => {
    expect([0, 59_999, 60_000, 99 * 60_000, 100 * 60_000, 123 * 60_000, 4_567 * 60_000, 98_765 * 60_000, 1_234_567 * 60_000].map(minutesToCompleteBucket)).toEqual([
      0, 0, 1, 99, 100, 120, 4_500, 98_000, 1_200_000,
    ]);
  });
});
