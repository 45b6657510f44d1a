import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openPostgresStore, type PostgresStore } from '../../src/postgres/postgres-store.js';
import { loadMigrations, migrate } from '../../src/postgres/migrate.js';
import { REBUILD_MILESTONE_AGGREGATES } from '../../src/postgres/milestone-aggregates.js';
import { openPool } from '../../src/postgres/open-pool.js';
import { FakeClock } from '../support/fake-clock.js';
import { createEmptyDatabase, createTestDatabase, dropTemplate, dropTestDatabase } from '../support/postgres-databases.js';
import { addUser, sessionFor } from './contract/store-fixture.js';
import { runStoreContract } from './store-contract.js';

const opened: { store: PostgresStore; name: string }[] = [];

async function openFreshStore(clock = new FakeClock()) {
  const { name, url } = await createTestDatabase();
  const store = await openPostgresStore({ url, clock });
  opened.push({ store, name });
  return { store, clock, url };
}

afterEach(async () => {
  for (const { store, name } of opened.splice(0)) {
    await store.operations.close();
    await dropTestDatabase(name);
  }
});
afterAll(dropTemplate);

runStoreContract('PostgreSQL', async () => {
  const { store, clock } = await openFreshStore();
  return { store, clock };
});

describe('PostgresStore on its database', () => {
  it('times and ids come back as numbers that round-trip exactly, past 2^32', async () => {
    const clock = new FakeClock(4_102_444_800_123); // 2100-01-01T00:00:00.123Z
    const { store } = await openFreshStore(clock);
    const user = await addUser(store);
    await store.sessions.createSession(sessionFor(user.id, 'late', clock.now(), { expiresAt: 8_640_000_000_000_000 }));
    const found = await store.sessions.findSession(sessionFor(user.id, 'late', 0).tokenHash);
    expect(found?.session).toEqual({ ...sessionFor(user.id, 'late', clock.now()), expiresAt: 8_640_000_000_000_000 });
    expect(typeof found?.user.id).toBe('number');
    expect(user.createdAt).toBe(4_102_444_800_123);
  });

  it('the tokens table holds the hash only, and deleting a user leaves no row pointing at it', async () => {
    const { store, url, clock } = await openFreshStore();
    const doomed = await addUser(store);
    await store.sessions.createSession(sessionFor(doomed.id, 'doomed', clock.now()));
    await store.progress.upsertMilestone(doomed.id, { chapterId: 'ch-01', status: 'stuck', score: 1 });
    await store.activity.logActivity(doomed.id, { actionType: 'LOGIN', metadata: null });
    await store.users.deleteUser(doomed.id);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const table of ['sessions', 'milestones', 'activity_logs']) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`, [doomed.id]);
        expect({ table, n: rows[0].n }).toEqual({ table, n: 0 });
      }
    } finally {
      await client.end();
    }
  });

  it('close waits for writes already queued and commits them', async () => {
    const { name, url } = await createTestDatabase();
    const clock = new FakeClock();
    const store = await openPostgresStore({ url, clock });
    const user = await addUser(store);
    const pending = Array.from({ length: 10 }, (_, i) => store.activity.logActivity(user.id, { actionType: 'PAGE_VIEW', metadata: { i } }));
    await store.operations.close();
    const written = await Promise.all(pending);
    const reopened = await openPostgresStore({ url, clock });
    opened.push({ store: reopened, name });
    const listed = (await reopened.activity.listActivity(user.id, { limit: 50 })).items;
    expect(listed.map((e) => e.id).sort((a, b) => a - b)).toEqual(written.map((e) => e.id).sort((a, b) => a - b));
  });

  it('migrations started together apply once: the advisory lock serializes them', async () => {
    const { name, url } = await createEmptyDatabase();
    const pools = [openPool({ url }), openPool({ url }), openPool({ url })];
    try {
      const applied = await Promise.all(pools.map((pool) => migrate(pool, 1)));
      const shipped = loadMigrations();
      expect(shipped.length).toBeGreaterThan(1);
      expect(applied.flat().sort()).toEqual(shipped.map((m) => m.name));
      const { rows } = await pools[0]!.query('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows).toEqual(shipped.map((m) => ({ version: m.version })));
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await dropTestDatabase(name);
    }
  });
});

describe('the chapter counts kept write by write equal a rebuild from the milestones', () => {
  it('status, score and minutes counts, readers only, after updates and a deletion', async () => {
    const { store, clock, url } = await openFreshStore();
    const readers = [await addUser(store), await addUser(store), await addUser(store, 'consultant'), await addUser(store)];
    for (const [i, minutes] of [1, 99, 100, 123, 4_567, 98_765, 1_234_567].entries()) {
      const reader = readers[i % 3]!;
      const chapterId = `ch-${i}`;
      await store.progress.upsertMilestone(reader.id, { chapterId, status: 'started', score: null });
      clock.advance(minutes * 60_000 + 59_999);
      await store.progress.upsertMilestone(reader.id, { chapterId, status: 'completed', score: i * 10 });
      await store.progress.upsertMilestone(readers[3]!.id, { chapterId, status: i % 2 === 0 ? 'stuck' : 'completed', score: i });
    }
    await store.progress.upsertMilestone(readers[0]!.id, { chapterId: 'ch-0', status: 'completed', score: 55 }); // a re-score
    await store.users.deleteUser(readers[3]!.id);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const tables = ['chapter_status_counts', 'chapter_score_counts', 'chapter_minute_counts'];
      const contents = async () => {
        const out: Record<string, unknown[]> = {};
        for (const t of tables) out[t] = (await client.query(`SELECT chapter_id, ${t === 'chapter_status_counts' ? 'status' : t === 'chapter_score_counts' ? 'score' : 'minutes'} AS value, n::int AS n FROM ${t} ORDER BY 1, 2`)).rows;
        return out;
      };
      const incremental = await contents();
      expect((incremental.chapter_minute_counts as { value: string }[]).map((r) => Number(r.value)).sort((a, b) => a - b)).toEqual([1, 99, 120, 4_500, 1_200_000]); // the consultant's 100 and 98,765 are not counted
      expect(incremental.chapter_score_counts).toContainEqual({ chapter_id: 'ch-0', value: 55, n: 1 });
      await client.query(`BEGIN; ${REBUILD_MILESTONE_AGGREGATES} COMMIT;`);
      expect(await contents()).toEqual(incremental);
    } finally {
      await client.end();
    }
  });
});

describe('the activity counts kept batch by batch equal a rebuild from the events', () => {
  it('hours and days, readers only, with a failing write, a deletion and retention in the same batches', async () => {
    const { store, clock, url } = await openFreshStore();
    const [kept, other, deleted, consultant] = [await addUser(store), await addUser(store), await addUser(store), await addUser(store, 'consultant')];
    const event = [{ actionType: 'PAGE_VIEW', metadata: null }];
    await store.activity.logActivities(kept.id, event);
    clock.advance(3 * 3_600_000 + 17);
    // One turn: these share one transaction; the failing one makes the batch run again with savepoints.
    const results = await Promise.allSettled([
      store.activity.logActivities(kept.id, [...event, ...event]),
      store.activity.logActivities(other.id, event),
      store.activity.logActivities(deleted.id, event),
      store.activity.logActivities(987_654, event),
      store.activity.logActivities(consultant.id, event),
      store.users.deleteUser(deleted.id),
      store.activity.logActivities(other.id, event),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    clock.advance(30 * 3_600_000);
    await Promise.all([store.activity.logActivities(kept.id, event), store.activity.deleteActivityBefore(clock.now() - 32 * 3_600_000, 10)]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const stored = async () => ({
        hours: (await client.query('SELECT hour_start::text AS at, events::int AS events, active_readers::int AS readers FROM activity_hours ORDER BY 1')).rows,
        days: (await client.query('SELECT day_start::text AS at, events::int AS events, active_readers::int AS readers FROM activity_days ORDER BY 1')).rows,
        readerHours: (await client.query('SELECT user_id::int AS reader, hour_start::text AS at, events::int AS events FROM activity_reader_hours ORDER BY 1, 2')).rows,
      });
      const rebuilt = async () => ({
        hours: (await client.query(`SELECT ((a.created_at / 3600000) * 3600000)::text AS at, count(*)::int AS events, count(DISTINCT a.user_id)::int AS readers
          FROM activity_logs a JOIN users u ON u.id = a.user_id AND u.role = 'reader' GROUP BY 1 ORDER BY 1`)).rows,
        days: (await client.query(`SELECT ((a.created_at / 86400000) * 86400000)::text AS at, count(*)::int AS events, count(DISTINCT a.user_id)::int AS readers
          FROM activity_logs a JOIN users u ON u.id = a.user_id AND u.role = 'reader' GROUP BY 1 ORDER BY 1`)).rows,
        readerHours: (await client.query(`SELECT a.user_id::int AS reader, ((a.created_at / 3600000) * 3600000)::text AS at, count(*)::int AS events
          FROM activity_logs a JOIN users u ON u.id = a.user_id AND u.role = 'reader' GROUP BY 1, 2 ORDER BY 1, 2`)).rows,
      });
      const incremental = await stored();
      // The first hour's event went with retention; the batch's hour holds kept's 2 and other's 2.
      expect(incremental.hours.map((h: { events: number; readers: number }) => [h.events, h.readers])).toEqual([[4, 2], [1, 1]]);
      expect(incremental).toEqual(await rebuilt());
    } finally {
      await client.end();
    }
  });
});

describe('the chapter counts kept batch by batch equal a rebuild', () => {
  it('with a reader completing and then deleted, a consultant and a failing write in one batch', async () => {
    const { store, clock, url } = await openFreshStore();
    const [gone, stays, consultant] = [await addUser(store), await addUser(store), await addUser(store, 'consultant')];
    await store.progress.upsertMilestone(gone.id, { chapterId: 'ch-1', status: 'started', score: null });
    await store.progress.upsertMilestone(stays.id, { chapterId: 'ch-1', status: 'completed', score: 70 });
    clock.advance(5 * 60_000);
    // One turn, one transaction (run again with savepoints because one write fails).
    const results = await Promise.allSettled([
      store.progress.upsertMilestone(gone.id, { chapterId: 'ch-1', status: 'completed', score: 90 }),
      store.progress.upsertMilestone(stays.id, { chapterId: 'ch-2', status: 'stuck', score: null }),
      store.progress.upsertMilestone(987_654, { chapterId: 'ch-1', status: 'started', score: null }),
      store.progress.upsertMilestone(consultant.id, { chapterId: 'ch-1', status: 'completed', score: 10 }),
      store.users.deleteUser(gone.id),
      store.progress.upsertMilestone(stays.id, { chapterId: 'ch-1', status: 'completed', score: 80 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const contents = async () => ({
        status: (await client.query('SELECT chapter_id, status, n::int AS n FROM chapter_status_counts ORDER BY 1, 2')).rows,
        score: (await client.query('SELECT chapter_id, score, n::int AS n FROM chapter_score_counts ORDER BY 1, 2')).rows,
        minutes: (await client.query('SELECT chapter_id, minutes::int AS minutes, n::int AS n FROM chapter_minute_counts ORDER BY 1, 2')).rows,
      });
      const incremental = await contents();
      expect(incremental.status).toEqual([
        { chapter_id: 'ch-1', status: 'completed', n: 1 },
        { chapter_id: 'ch-2', status: 'stuck', n: 1 },
      ]);
      expect(incremental.score).toEqual([{ chapter_id: 'ch-1', score: 80, n: 1 }]);
      await client.query(`BEGIN; ${REBUILD_MILESTONE_AGGREGATES} COMMIT;`);
      expect(await contents()).toEqual(incremental);
    } finally {
      await client.end();
    }
  });
});
