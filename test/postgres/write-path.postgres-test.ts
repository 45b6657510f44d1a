import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ActivityEvent, Milestone, XapiStatementRecord } from '../../src/domain/index.js';
import { ClusterStore } from '../../src/postgres/cluster-store.js';
import { openPostgresStore, type PostgresStore } from '../../src/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/sqlite/sqlite-store.js';
import { prepareStatement } from '../../src/xapi/statement-records.js';
import { VOIDED_VERB } from '../../src/xapi/statement-validation.js';
import { FakeClock } from '../support/fake-clock.js';
import { createTestDatabase, dropTemplate, dropTestDatabase } from '../support/postgres-databases.js';

/**
 * The PostgreSQL write path (ADR 0022): a batch costs a constant number of statements per kind
 * of write, however many writes it holds, counted where they leave the driver; a failing write
 * still fails alone, and a write that is rolled back leaves no live event.
 */
const opened: { store: PostgresStore; name: string; admin: pg.Client }[] = [];

async function openFresh() {
  const { name, url } = await createTestDatabase();
  const store = await openPostgresStore({ url, clock: new FakeClock() });
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  opened.push({ store, name, admin });
  return { store, admin, url };
}

afterEach(async () => {
  for (const { store, name, admin } of opened.splice(0)) {
    await admin.end();
    await store.operations.close();
    await dropTestDatabase(name);
  }
});
afterAll(dropTemplate);

/**
 * Every statement the batched writer's connections (or those of `application`) send while `work` runs: prepared ones by name,
 * others by text; `traffic` has each one's sending and answer in the order they happened.
 */
async function statementsSentBy<T>(
  work: () => Promise<T>,
  application = 'readpulse-write',
): Promise<{ result: T; sent: string[]; traffic: string[] }> {
  const sent: string[] = [];
  const traffic: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client & { connectionParameters: { application_name?: string } }, ...args: unknown[]) {
    const answer = (original as (...a: unknown[]) => unknown).apply(this, args);
    if (this.connectionParameters.application_name === application) {
      const config = args[0] as string | { name?: string; text: string };
      const name = typeof config === 'string' ? config : (config.name ?? config.text);
      sent.push(name);
      traffic.push(`sent ${name}`);
      if (answer instanceof Promise) answer.then(() => traffic.push(`answered ${name}`), () => traffic.push(`failed ${name}`));
    }
    return answer;
  } as typeof original;
  try {
    return { result: await work(), sent, traffic };
  } finally {
    pg.Client.prototype.query = original;
  }
}

async function readers(store: PostgresStore, count: number) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      store.users.createUser({ email: `r${i}@example.test`, name: `Reader ${i}`, role: 'reader', passwordHash: 'x' }),
    ),
  );
}

async function count(admin: pg.Client, sql: string, values: unknown[] = []): Promise<number> {
  return (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, values)).rows[0]!.n;
}

describe('the PostgreSQL write path', () => {
  it('a batch of activity writes is one statement, without BEGIN or COMMIT, whether it holds 2 writes or 60, and every write gets its own rows', async () => {
    const { store, admin } = await openFresh();
    const users = await readers(store, 12);
    const batchOf = (n: number) =>
      statementsSentBy(() =>
        Promise.all(
          Array.from({ length: n }, (_, i) =>
            store.activity.logActivities(users[i % users.length]!.id, [
              { actionType: `A_${n}_${i}`, metadata: { i } },
              { actionType: `B_${n}_${i}`, metadata: null },
            ]),
          ),
        ),
      );
    const small = await batchOf(2);
    const large = await batchOf(60);
    // The batch's events and their aggregates in one statement, in its own implicit transaction.
    expect(small.sent).toEqual(['readpulse-combined-insert-activities']);
    expect(large.sent).toEqual(small.sent);
    // Each write answered with its own two events, in its order.
    large.result.forEach((events: ActivityEvent[], i) => {
      expect(events.map((e) => e.actionType)).toEqual([`A_60_${i}`, `B_60_${i}`]);
      expect(events[0]!.metadata).toEqual({ i });
    });
    const ids = large.result.flat().map((e) => e.id);
    expect(new Set(ids).size).toBe(120);
    // Stored under the user each write named, each with its live event.
    for (const [i, events] of large.result.entries()) {
      const { rows } = await admin.query('SELECT user_id::int FROM activity_logs WHERE id = ANY($1::bigint[]) ORDER BY id', [events.map((e) => e.id)]);
      expect(rows.map((r: { user_id: number }) => r.user_id)).toEqual([users[i % 12]!.id, users[i % 12]!.id]);
    }
    expect(await count(admin, "live_event_rows WHERE type = 'activity'")).toBe(124);
    // The aggregates equal the rows they sum: per reader and hour, and the hour's totals.
    const perReader = await admin.query(
      'SELECT user_id::int, count(*)::int AS n FROM activity_logs GROUP BY 1 ORDER BY 1',
    );
    const aggregated = await admin.query('SELECT user_id::int, events::int AS n FROM activity_reader_hours ORDER BY 1');
    expect(aggregated.rows).toEqual(perReader.rows);
    expect((await admin.query('SELECT events::int, active_readers::int FROM activity_hours')).rows).toEqual([{ events: 124, active_readers: 12 }]);
    expect((await admin.query('SELECT events::int, active_readers::int FROM activity_days')).rows).toEqual([{ events: 124, active_readers: 12 }]);
  });

  it('no index holds an aggregate count, so adding to a reader\'s hour or day rewrites no index entry', async () => {
    // An update that changes no indexed column can stay on its page (a heap-only tuple): every
    // activity batch adds to one hour row and one day row per reader (migration 014).
    const { admin } = await openFresh();
    const { rows } = await admin.query(
      `SELECT t.relname AS "table", i.relname AS "index", a.attname AS "column"
         FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (x.indkey)
        WHERE t.relname IN ('activity_reader_hours', 'activity_reader_days', 'activity_hours', 'activity_days')
        ORDER BY 1, 2, 3`,
    );
    expect(rows.filter((r: { column: string }) => ['events', 'active_readers'].includes(r.column))).toEqual([]);
    // The primary keys stay: they find a reader's row, and a cohort's rows for the charts.
    expect(new Set(rows.map((r: { index: string }) => r.index))).toEqual(
      new Set(['activity_reader_hours_pkey', 'activity_reader_days_pkey', 'activity_hours_pkey', 'activity_days_pkey']),
    );
  });

  it('a batch of activity beside other writes runs in one transaction, the activity still in one statement with its aggregates', async () => {
    const { store, admin } = await openFresh();
    const users = await readers(store, 4);
    const { sent, traffic } = await statementsSentBy(() =>
      Promise.all([
        store.activity.logActivity(users[0]!.id, { actionType: 'A', metadata: null }),
        store.progress.upsertMilestone(users[1]!.id, { chapterId: 'ch1', status: 'started', score: null }),
        store.activity.logActivities(users[2]!.id, [
          { actionType: 'B', metadata: null },
          { actionType: 'C', metadata: null },
        ]),
      ]),
    );
    expect(sent[0]).toBe('BEGIN');
    expect(sent.at(-1)).toBe('COMMIT');
    expect(sent.filter((s) => s === 'readpulse-combined-insert-activities')).toHaveLength(1);
    // The activity statement has nothing to send after its answer: the milestone round goes right behind it.
    expect(traffic.slice(0, 4)).toEqual([
      'sent BEGIN',
      'sent readpulse-combined-insert-activities',
      'sent readpulse-combined-milestones-before',
      'sent readpulse-combined-upsert-milestones',
    ]);
    expect((await admin.query('SELECT user_id::int, events::int FROM activity_reader_days ORDER BY 1')).rows).toEqual([
      { user_id: users[0]!.id, events: 1 },
      { user_id: users[2]!.id, events: 2 },
    ]);
    expect((await admin.query('SELECT events::int, active_readers::int FROM activity_days')).rows).toEqual([{ events: 3, active_readers: 2 }]);
    expect(await count(admin, 'milestones')).toBe(1);
  });

  it('a batch of milestone writes sends the same statements whether it holds 3 writes or 40', async () => {
    const { store, admin } = await openFresh();
    const users = await readers(store, 10);
    const batchOf = (n: number, chapter: string) =>
      statementsSentBy(() =>
        Promise.all(
          Array.from({ length: n }, (_, i) =>
            store.progress.upsertMilestone(users[i % 10]!.id, { chapterId: `${chapter}-${Math.floor(i / 10)}`, status: 'started', score: null }),
          ),
        ),
      );
    const small = await batchOf(3, 'small');
    const large = await batchOf(40, 'large');
    expect(large.sent).toEqual(small.sent);
    expect(large.sent).toEqual([
      'BEGIN',
      'readpulse-combined-milestones-before',
      'readpulse-combined-upsert-milestones',
      'readpulse-milestone-aggregates',
      'COMMIT',
    ]);
    expect(large.result.map((m: Milestone) => m.chapterId)).toEqual(Array.from({ length: 40 }, (_, i) => `large-${Math.floor(i / 10)}`));
    expect(await count(admin, "milestones WHERE chapter_id LIKE 'large-%'")).toBe(40);
    expect(await count(admin, "live_event_rows WHERE type = 'milestone'")).toBe(43);
    const { rows } = await admin.query("SELECT chapter_id, n::int FROM chapter_status_counts WHERE chapter_id LIKE 'large-%' ORDER BY chapter_id");
    expect(rows).toEqual([0, 1, 2, 3].map((c) => ({ chapter_id: `large-${c}`, n: 10 })));
  });

  it('milestone writes with their reviews are one transaction of the same statements for 3 writes or 30', async () => {
    const { store, admin } = await openFresh();
    const users = await readers(store, 13);
    for (let c = 0; c < 3; c++) await store.chapters.createChapter({ id: `c${c}`, title: `Chapter ${c}` });
    const batch = (writes: { reader: number; chapter: string }[]) =>
      statementsSentBy(() =>
        Promise.all(
          writes.map(({ reader, chapter }) =>
            store.progress.upsertReviewedMilestone(users[reader]!.id, { chapterId: chapter, status: 'completed', score: 20 }),
          ),
        ),
      );
    const small = await batch([10, 11, 12].map((reader) => ({ reader, chapter: 'c0' })));
    const large = await batch(Array.from({ length: 30 }, (_, i) => ({ reader: i % 10, chapter: `c${Math.floor(i / 10)}` })));
    expect(large.sent).toEqual(small.sent);
    expect(large.sent).toEqual([
      'BEGIN',
      'readpulse-combined-milestones-before',
      'readpulse-combined-upsert-milestones',
      'readpulse-review-facts',
      'readpulse-review-open',
      'readpulse-review-users',
      'readpulse-milestone-aggregates',
      'COMMIT',
    ]);
    // Each write got its own milestone and the low-score item its review opened.
    large.result.forEach(({ milestone, attention }, i) => {
      expect(milestone).toMatchObject({ chapterId: `c${Math.floor(i / 10)}`, score: 20 });
      expect(attention.map((item) => [item.reader.id, item.chapterId, item.reason, item.state])).toEqual([
        [users[i % 10]!.id, `c${Math.floor(i / 10)}`, 'low_score', 'open'],
      ]);
    });
    expect(await count(admin, "attention_items WHERE reason = 'low_score' AND state = 'open'")).toBe(33);
    expect(await count(admin, "live_event_rows WHERE type = 'milestone'")).toBe(33);
  });

  it('a batch of milestone reviews sends the same statements whether it holds 3 reviews or 11, each answered as if run alone in order', async () => {
    const { store, admin } = await openFresh();
    const users = await readers(store, 13);
    for (let c = 0; c < 4; c++) await store.chapters.createChapter({ id: `c${c}`, title: `Chapter ${c}` });
    await store.attention.setAttentionRules({ lowScore: 50 });
    for (const [i, user] of users.entries()) {
      await store.progress.upsertMilestone(user.id, { chapterId: `c${i % 4}`, status: 'completed', score: 20 });
    }
    // Readers 0 and 10 have an inactivity item (any milestone resolves it); reader 1 a stuck item on its chapter.
    await admin.query(
      `INSERT INTO attention_items (reader_id, reason, chapter_id, since, state, opened_at)
       VALUES ($1, 'inactive', '', 1, 'open', 1), ($2, 'stuck', 'c1', 1, 'open', 1), ($3, 'inactive', '', 1, 'open', 1)`,
      [users[0]!.id, users[1]!.id, users[10]!.id],
    );
    const reviews = (list: { reader: number; chapter: string }[]) =>
      statementsSentBy(() => Promise.all(list.map(({ reader, chapter }) => store.attention.reviewMilestoneAttention(users[reader]!.id, chapter))));
    const small = await reviews([10, 11, 12].map((reader) => ({ reader, chapter: `c${reader % 4}` })));
    const large = await reviews([
      ...Array.from({ length: 10 }, (_, reader) => ({ reader, chapter: `c${reader % 4}` })),
      { reader: 0, chapter: 'c3' },
    ]);
    expect(large.sent).toEqual(small.sent);
    expect(large.sent).toEqual(['BEGIN', 'readpulse-review-facts', 'readpulse-review-resolve', 'readpulse-review-open', 'readpulse-review-users', 'COMMIT']);
    const described = (items: { reason: string; chapterId: string | null; state: string; reader: { id: number } }[]) =>
      items.map((item) => `${item.reader.id}:${item.reason}:${item.chapterId}:${item.state}`);
    // Reader 0: a low score opened, the inactivity resolved, by the first review only.
    expect(described(large.result[0]!)).toEqual([`${users[0]!.id}:low_score:c0:open`, `${users[0]!.id}:inactive:null:resolved`]);
    expect(large.result[10]).toEqual([]);
    // Reader 1: the stuck item went (the chapter is completed), a low score came: stuck first.
    expect(described(large.result[1]!)).toEqual([`${users[1]!.id}:stuck:c1:resolved`, `${users[1]!.id}:low_score:c1:open`]);
    for (let reader = 2; reader < 10; reader++) {
      expect(described(large.result[reader]!)).toEqual([`${users[reader]!.id}:low_score:c${reader % 4}:open`]);
    }
    expect(await count(admin, "attention_items WHERE reason = 'low_score' AND state = 'open'")).toBe(13);
    expect(await count(admin, "attention_items WHERE state = 'resolved' AND resolved_by IS NULL")).toBe(3);
    expect(described(small.result[0]!)).toEqual([`${users[10]!.id}:low_score:c2:open`, `${users[10]!.id}:inactive:null:resolved`]);
    // A second review of the same facts changes nothing: the open items stay as they are.
    const again = await reviews([{ reader: 2, chapter: 'c2' }]);
    expect(again.result).toEqual([[]]);
    expect(await count(admin, "attention_items WHERE reason = 'low_score' AND state = 'open'")).toBe(13);
    // A reader with no live item and nothing to open: the review reads its facts and writes nothing.
    const calm = await store.users.createUser({ email: 'calm@example.test', name: 'Calm', role: 'reader', passwordHash: 'x' });
    await store.progress.upsertMilestone(calm.id, { chapterId: 'c1', status: 'completed', score: 90 });
    const quiet = await statementsSentBy(() => store.attention.reviewMilestoneAttention(calm.id, 'c1'));
    expect(quiet.result).toEqual([]);
    expect(quiet.sent).toEqual(['BEGIN', 'readpulse-review-facts', 'COMMIT']);
    expect(await count(admin, 'attention_items WHERE reader_id = $1', [calm.id])).toBe(0);
  });

  it('readers coming back in one batch share one update, whether 2 or 12; each open inactivity item resolves once, at its reader\'s first review', async () => {
    const { store, admin } = await openFresh();
    const users = await readers(store, 12);
    // Readers 0 and 5 have an open inactivity item; reader 5 also a stuck item a return does not touch.
    await admin.query(
      `INSERT INTO attention_items (reader_id, reason, chapter_id, since, state, opened_at)
       VALUES ($1, 'inactive', '', 1, 'open', 1), ($2, 'inactive', '', 1, 'open', 1), ($2, 'stuck', 'c1', 1, 'open', 1)`,
      [users[0]!.id, users[5]!.id],
    );
    const returns = (list: number[]) => statementsSentBy(() => Promise.all(list.map((reader) => store.attention.reviewReturnAttention(users[reader]!.id))));
    const small = await returns([7, 8]);
    expect(small.sent).toEqual(['BEGIN', 'readpulse-review-resolve-returned', 'COMMIT']);
    expect(small.result).toEqual([[], []]);
    const large = await returns([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 10]);
    expect(large.sent).toEqual(['BEGIN', 'readpulse-review-resolve-returned', 'readpulse-review-users', 'COMMIT']);
    const described = (items: { reason: string; state: string; reader: { id: number; email: string } }[]) =>
      items.map((item) => `${item.reader.email}:${item.reason}:${item.state}`);
    expect(large.result.map(described)).toEqual([
      ['r0@example.test:inactive:resolved'],
      [], [], [], [],
      ['r5@example.test:inactive:resolved'],
      [], [], [], [],
      // Reader 0 again: the item went to the first review.
      [],
      [],
    ]);
    expect(
      (await admin.query('SELECT reader_id::int, reason, state, resolved_by FROM attention_items ORDER BY reader_id, reason')).rows,
    ).toEqual([
      { reader_id: users[0]!.id, reason: 'inactive', state: 'resolved', resolved_by: null },
      { reader_id: users[5]!.id, reason: 'inactive', state: 'resolved', resolved_by: null },
      { reader_id: users[5]!.id, reason: 'stuck', state: 'open', resolved_by: null },
    ]);
    // Back again: nothing left to resolve.
    expect((await returns([0, 5])).result).toEqual([[], []]);
  });

  it('presence changes are one statement: a change that wins writes one presence event, a change to the stored state none, and an offline is not recorded after newer activity', async () => {
    const { store, admin } = await openFresh();
    const users = await readers(store, 4);
    const [a, b, c, d] = users.map((u) => u.id) as [number, number, number, number];
    await admin.query('INSERT INTO reader_presence (reader_id, online, changed_at) VALUES ($1, true, 1), ($2, false, 1)', [a, b]);
    // Reader c was active at 5,000 (another instance's heartbeat reached the database).
    await admin.query('UPDATE users SET last_active_at = 5000 WHERE id = $1', [c]);
    const events = async () =>
      (await admin.query("SELECT reader_id::int FROM live_event_rows WHERE type = 'presence' ORDER BY xid, part, row_id")).rows.map(
        (r: { reader_id: number }) => r.reader_id,
      );
    const before = await events();
    expect(before).toEqual([a, b]);
    const presence = new ClusterStore(store.pool);
    const { sent } = await statementsSentBy(
      () =>
        presence.recordPresence([
          { readerId: d, online: true, at: 6_000, activeSince: 0 },
          { readerId: a, online: true, at: 6_000, activeSince: 0 },
          { readerId: b, online: true, at: 6_000, activeSince: 0 },
          { readerId: c, online: false, at: 6_000, activeSince: 4_000 },
        ]),
      'readpulse',
    );
    expect(sent).toEqual(['readpulse-cluster-recordPresence']);
    expect((await admin.query('SELECT reader_id::int, online, changed_at::int FROM reader_presence ORDER BY reader_id')).rows).toEqual([
      { reader_id: a, online: true, changed_at: 1 },
      { reader_id: b, online: true, changed_at: 6_000 },
      { reader_id: d, online: true, changed_at: 6_000 },
    ]);
    // Rows lock in reader order, so the events follow it too.
    expect(await events()).toEqual([...before, b, d]);
    // With no activity after its activeSince, reader c's offline is recorded.
    await presence.recordPresence([{ readerId: c, online: false, at: 7_000, activeSince: 5_000 }]);
    expect((await admin.query('SELECT online FROM reader_presence WHERE reader_id = $1', [c])).rows).toEqual([{ online: false }]);
    expect(await events()).toEqual([...before, b, d, c]);
  });

  it('with two batches in flight, every write lands once and the aggregates equal the rows they sum', async () => {
    const { name, url } = await createTestDatabase();
    const store = await openPostgresStore({ url, clock: new FakeClock(), writeQueue: { maxInFlight: 2, maxBatch: 7 } });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    opened.push({ store, name, admin });
    const users = await readers(store, 6);
    const writes: Promise<unknown>[] = [];
    // Writes over many turns, small batches: several batches run at once on the two connections.
    for (let turn = 0; turn < 20; turn++) {
      for (const [i, user] of users.entries()) {
        writes.push(store.activity.logActivities(user.id, [{ actionType: `T${turn}`, metadata: null }]));
        writes.push(
          store.progress.upsertMilestone(user.id, {
            chapterId: `c${(turn + i) % 3}`,
            status: (['started', 'completed', 'stuck'] as const)[(turn * 7 + i) % 3]!,
            score: (turn * 7 + i) % 3 === 1 ? turn * 5 : null,
          }),
        );
      }
      await new Promise((done) => setImmediate(done));
    }
    await Promise.all(writes);
    expect(await count(admin, 'activity_logs')).toBe(120);
    const hours = await admin.query('SELECT sum(events)::int AS events FROM activity_reader_hours');
    expect(hours.rows[0].events).toBe(120);
    const totals = await admin.query('SELECT sum(events)::int AS events, sum(active_readers)::int AS readers FROM activity_hours');
    expect(totals.rows[0]).toEqual({ events: 120, readers: 6 });
    const stored = await admin.query('SELECT chapter_id, status, count(*)::int AS n FROM milestones GROUP BY 1, 2 ORDER BY 1, 2');
    const counted = await admin.query('SELECT chapter_id, status, n::int FROM chapter_status_counts ORDER BY 1, 2');
    expect(counted.rows).toEqual(stored.rows);
    expect(await count(admin, 'milestones')).toBe(18);
  });

  it('the same milestone twice in one batch is written in order, the later one last', async () => {
    const { store, admin } = await openFresh();
    const [reader] = await readers(store, 1);
    const [first, second] = await Promise.all([
      store.progress.upsertMilestone(reader!.id, { chapterId: 'ch1', status: 'started', score: null }),
      store.progress.upsertMilestone(reader!.id, { chapterId: 'ch1', status: 'completed', score: 90 }),
    ]);
    expect([first!.status, second!.status]).toEqual(['started', 'completed']);
    expect((await admin.query('SELECT status, score FROM milestones WHERE user_id = $1', [reader!.id])).rows).toEqual([{ status: 'completed', score: 90 }]);
    expect((await admin.query("SELECT body FROM live_event_rows WHERE type = 'milestone' ORDER BY xid, part, row_id")).rows.map((r: { body: string }) => JSON.parse(r.body).status)).toEqual([
      'started',
      'completed',
    ]);
    expect((await admin.query("SELECT status, n::int FROM chapter_status_counts WHERE chapter_id = 'ch1'")).rows).toEqual([{ status: 'completed', n: 1 }]);
  });

  it('a write for a deleted reader fails alone in its batch, and leaves no row and no live event', async () => {
    const { store, admin } = await openFresh();
    const users = await readers(store, 4);
    const gone = users[3]!;
    await store.users.deleteUser(gone.id);
    const outcomes = await Promise.allSettled([
      store.activity.logActivity(users[0]!.id, { actionType: 'KEPT_1', metadata: null }),
      store.activity.logActivity(gone.id, { actionType: 'LOST', metadata: null }),
      store.progress.upsertMilestone(gone.id, { chapterId: 'ch1', status: 'started', score: null }),
      store.activity.logActivity(users[1]!.id, { actionType: 'KEPT_2', metadata: null }),
      store.progress.upsertMilestone(users[2]!.id, { chapterId: 'ch1', status: 'started', score: null }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'not_found' });
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'not_found' });
    expect((await admin.query('SELECT action_type FROM activity_logs ORDER BY id')).rows).toEqual([{ action_type: 'KEPT_1' }, { action_type: 'KEPT_2' }]);
    expect(await count(admin, 'milestones')).toBe(1);
    expect(await count(admin, 'live_event_rows WHERE reader_id = $1', [gone.id])).toBe(0);
    expect((await admin.query("SELECT type, reader_id::int FROM live_event_rows WHERE type <> 'presence' ORDER BY xid, part, row_id")).rows).toEqual([
      { type: 'activity', reader_id: users[0]!.id },
      { type: 'activity', reader_id: users[1]!.id },
      { type: 'milestone', reader_id: users[2]!.id },
    ]);
  });

  it('a batch that fails at COMMIT fails every write in it and leaves no row and no live event', async () => {
    const { store, admin } = await openFresh();
    const users = await readers(store, 3);
    await admin.query(`CREATE FUNCTION refuse() RETURNS TRIGGER LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$`);
    await admin.query(`CREATE CONSTRAINT TRIGGER refuse_doomed AFTER INSERT ON activity_logs DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW WHEN (NEW.action_type = 'DOOMED') EXECUTE FUNCTION refuse()`);
    const outcomes = await Promise.allSettled([
      store.activity.logActivity(users[0]!.id, { actionType: 'INNOCENT', metadata: null }),
      store.activity.logActivity(users[1]!.id, { actionType: 'DOOMED', metadata: null }),
      store.progress.upsertMilestone(users[2]!.id, { chapterId: 'ch1', status: 'started', score: null }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await count(admin, 'activity_logs')).toBe(0);
    expect(await count(admin, 'milestones')).toBe(0);
    expect(await count(admin, "live_event_rows WHERE type <> 'presence'")).toBe(0);
    // The writer goes on: the next batch commits, with its events.
    await store.activity.logActivity(users[0]!.id, { actionType: 'AFTER', metadata: null });
    expect(await count(admin, "live_event_rows WHERE type = 'activity'")).toBe(1);
  });

  it('reads do not wait for the batched writer: they answer while a batch holds its connections', async () => {
    const { store, admin } = await openFresh();
    const [reader] = await readers(store, 1);
    await store.activity.logActivity(reader!.id, { actionType: 'FIRST', metadata: null });
    // Hold both writer connections: lock the reader's row from outside so a write waits on it.
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE activity_logs IN EXCLUSIVE MODE');
    const writing = Promise.all([
      store.activity.logActivity(reader!.id, { actionType: 'HELD', metadata: null }),
      store.users.setPasswordHash(reader!.id, 'y'),
    ]);
    try {
      const page = await store.activity.listActivity(reader!.id, { limit: 10 });
      expect(page.items.map((e) => e.actionType)).toEqual(['FIRST']);
      expect((await store.users.getUserById(reader!.id))?.id).toBe(reader!.id);
    } finally {
      await admin.query('COMMIT');
    }
    await writing;
    expect((await store.activity.listActivity(reader!.id, { limit: 10 })).items.map((e) => e.actionType)).toEqual(['HELD', 'FIRST']);
  });

  it('a heartbeat flush is one statement beside the batched writer: it lands while a batch waits on a lock', async () => {
    const { store, admin } = await openFresh();
    const [reader] = await readers(store, 1);
    await store.sessions.createSession({ tokenHash: 'beat', userId: reader!.id, createdAt: 1_000, lastSeenAt: 1_000, expiresAt: 9e12 });
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE activity_logs IN EXCLUSIVE MODE');
    const held = store.activity.logActivity(reader!.id, { actionType: 'HELD', metadata: null });
    try {
      const { sent } = await statementsSentBy(() => store.sessions.recordHeartbeats([{ userId: reader!.id, tokenHash: 'beat', at: 5_000 }]));
      // No BEGIN, no COMMIT: its row locks last one statement, not a batch.
      expect(sent).toEqual(['readpulse-recordHeartbeats']);
      expect((await admin.query('SELECT last_active_at::int AS at FROM users WHERE id = $1', [reader!.id])).rows).toEqual([{ at: 5_000 }]);
      expect((await admin.query("SELECT last_seen_at::int AS at FROM sessions WHERE token_hash = 'beat'")).rows).toEqual([{ at: 5_000 }]);
    } finally {
      await admin.query('COMMIT');
    }
    expect((await held).actionType).toBe('HELD');
  });

  it('two instances beating for the same users at once, in opposite orders, neither deadlock nor lose the latest beat', async () => {
    const { store, admin, url } = await openFresh();
    const other = await openPostgresStore({ url, clock: new FakeClock() });
    try {
      const users = await readers(store, 30);
      for (const user of users) {
        await store.sessions.createSession({ tokenHash: `t${user.id}`, userId: user.id, createdAt: 1_000, lastSeenAt: 1_000, expiresAt: 9e12 });
      }
      for (let round = 0; round < 15; round += 1) {
        const beats = (at: number) => users.map((user) => ({ userId: user.id, tokenHash: `t${user.id}`, at }));
        await Promise.all([
          store.sessions.recordHeartbeats(beats(10_000 + 2 * round)),
          other.sessions.recordHeartbeats(beats(10_000 + 2 * round + 1).reverse()),
        ]);
      }
      const latest = 10_000 + 2 * 14 + 1;
      expect((await admin.query('SELECT DISTINCT last_active_at::int AS at FROM users')).rows).toEqual([{ at: latest }]);
      expect((await admin.query('SELECT DISTINCT last_seen_at::int AS at FROM sessions')).rows).toEqual([{ at: latest }]);
    } finally {
      await other.operations.close();
    }
  });
});

/** xAPI records as the LRS makes them: fixed ids and times, an actor from the readers' mboxes. */
function xapiRecord(n: number, overrides: Record<string, unknown> = {}): XapiStatementRecord {
  const statement = {
    id: xapiId(n),
    actor: { objectType: 'Agent', mbox: `mailto:reader${n % 7}@example.test` },
    verb: { id: `http://adlnet.gov/expapi/verbs/${n % 2 === 0 ? 'experienced' : 'completed'}` },
    object: { objectType: 'Activity', id: `https://content.example.test/chapter/${n % 5}`, definition: { name: { 'en-US': `Chapter ${n % 5} (${n})` } } },
    context: {
      registration: '6d969975-8d7e-4506-ac19-877c57f2921a',
      instructor: { mbox: 'mailto:coach@example.test' },
      contextActivities: { parent: [{ id: 'https://content.example.test/course' }], grouping: [{ id: `https://content.example.test/module/${n % 3}` }] },
    },
    ...overrides,
  };
  return prepareStatement(statement, {
    storedAt: 1_800_000_000_000 + n,
    authority: { objectType: 'Agent', account: { homePage: 'https://lrs.example.test', name: 'key-1' } },
    credentialId: null,
    version: '1.0.3',
  }).record;
}

function xapiId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

const refTo = (n: number, voiding = false) => ({
  verb: { id: voiding ? VOIDED_VERB : 'http://adlnet.gov/expapi/verbs/attempted' },
  object: { objectType: 'StatementRef', id: xapiId(n) },
});

/** Every row the statement tables hold, in a fixed order, as comparable text. */
async function xapiTables(all: (sql: string) => Promise<Record<string, unknown>[]>): Promise<Record<string, string[]>> {
  const tables: Record<string, string> = {
    statements: 'SELECT seq, statement_id, stored_at, verb_id, registration, refers_to, voids, voided, actor_key FROM xapi_statements ORDER BY seq',
    targets: 'SELECT seq, target_seq FROM xapi_statement_targets ORDER BY seq, target_seq',
    agents: 'SELECT agent_key, related, seq, stored_at FROM xapi_statement_agents ORDER BY seq, agent_key, related',
    activities: 'SELECT activity_id, related, seq, stored_at FROM xapi_statement_activities ORDER BY seq, activity_id, related',
    definitions: 'SELECT activity_id, definition FROM xapi_activities ORDER BY activity_id',
  };
  const out: Record<string, string[]> = {};
  for (const [name, sql] of Object.entries(tables)) {
    out[name] = (await all(sql)).map((row) => Object.values(row).map((v) => (v === null ? 'null' : String(v))).join('|'));
  }
  return out;
}

describe('the PostgreSQL xAPI statement writes', () => {
  it('a batch of 50 statements sends the same statements as a batch of 1, and each statement gets its rows', async () => {
    const { store, admin } = await openFresh();
    const one = await statementsSentBy(() => store.xapiStatements.insertStatements([xapiRecord(1)], []));
    const fifty = await statementsSentBy(() =>
      store.xapiStatements.insertStatements(
        Array.from({ length: 50 }, (_, i) => xapiRecord(100 + i)),
        [],
      ),
    );
    expect(fifty.sent).toEqual(one.sent);
    expect(one.sent.length).toBeLessThanOrEqual(8);
    expect(await count(admin, 'xapi_statements')).toBe(51);
    expect(await count(admin, 'xapi_statement_targets WHERE seq = target_seq')).toBe(51);
    // actor, instructor, authority; object, parent, grouping: three of each per statement.
    expect(await count(admin, 'xapi_statement_agents')).toBe(51 * 3);
    expect(await count(admin, 'xapi_statement_activities')).toBe(51 * 3);
    // Each agent and activity row carries its statement's stored time.
    for (const table of ['xapi_statement_agents', 'xapi_statement_activities']) {
      expect(await count(admin, `${table} a JOIN xapi_statements s ON s.seq = a.seq WHERE a.stored_at = s.stored_at`)).toBe(51 * 3);
    }
    const stored = await store.xapiStatements.getStatements([xapiId(1), xapiId(149)]);
    expect(stored.map((s) => [s.id, s.voided]).sort()).toEqual([
      [xapiId(1), false],
      [xapiId(149), false],
    ]);
    // The batch's order is the storage order, and the later of two definitions wins.
    const seqs = (await admin.query<{ statement_id: string }>('SELECT statement_id FROM xapi_statements ORDER BY seq')).rows.map((r) => r.statement_id);
    expect(seqs).toEqual([xapiId(1), ...Array.from({ length: 50 }, (_, i) => xapiId(100 + i))]);
    expect(JSON.parse((await store.xapiStatements.getActivityDefinition('https://content.example.test/chapter/4'))!)).toEqual({ name: { 'en-US': 'Chapter 4 (149)' } });
  });

  it('voiding and StatementRef chains in and across batches leave the rows SQLite leaves, statement by statement', async () => {
    const { store } = await openFresh();
    const sqlite = openSqliteStore({ path: ':memory:', clock: new FakeClock() });
    try {
      const batches: XapiStatementRecord[][] = [
        // Stored first: a statement, one naming a statement that only comes later (7), one naming that one.
        [xapiRecord(1), xapiRecord(2, refTo(7)), xapiRecord(3, refTo(2))],
        [
          xapiRecord(4, refTo(6, true)), // voids a batch-mate stored after it
          xapiRecord(5, refTo(8)), // names a batch-mate stored after it, which names one stored before
          xapiRecord(6),
          xapiRecord(7, refTo(1)), // the statement 2 and 3 waited for
          xapiRecord(8, refTo(7)),
          xapiRecord(9, refTo(1, true)), // voids a statement of the first batch
          xapiRecord(10, refTo(12)), // a cycle within the batch: 10 -> 12 -> 11 -> 10
          xapiRecord(11, refTo(10)),
          xapiRecord(12, refTo(11)),
          xapiRecord(13, refTo(9, true)), // voids a voiding statement: that one stays
        ],
        [xapiRecord(14), xapiRecord(15, refTo(4, true))],
      ];
      for (const batch of batches) {
        await store.xapiStatements.insertStatements(batch, []);
        await sqlite.xapiStatements.insertStatements(batch, []);
      }
      const onPostgres = await xapiTables(async (sql) => (await store.pool.query(sql)).rows);
      const onSqlite = await xapiTables(async (sql) => sqlite.db.prepare(sql).all() as Record<string, unknown>[]);
      expect(onPostgres).toEqual(onSqlite);
      expect(onPostgres.targets).toContain('3|1'); // 3 -> 2 -> 7 -> 1, though 7 came a batch later
      const voided = (await store.xapiStatements.getStatements([1, 6, 4, 9].map(xapiId))).filter((s) => s.voided).map((s) => s.id);
      expect(voided.sort()).toEqual([xapiId(1), xapiId(6)]);
    } finally {
      await sqlite.operations.close();
    }
  });
});
