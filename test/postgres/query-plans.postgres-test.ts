import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor, type Clock } from '../../src/domain/index.js';
import { SCALE_CONTENT } from '../../src/domain/storage/xapi-scale-data.js';
import { createPostgresScaleData } from '../../src/postgres/bulk-load.js';
import { ClusterStore } from '../../src/postgres/cluster-store.js';
import { loadPostgresXapiStatements } from '../../src/postgres/xapi-bulk-load.js';
import { openPostgresStore, type PostgresStore } from '../../src/postgres/postgres-store.js';
import { createTestDatabase, dropTemplate, dropTestDatabase } from '../support/postgres-databases.js';
import { planNodes, planOfExplain, type PlanNode, type SentStatement } from '../support/query-plans.js';

/**
 * PostgreSQL's plans for the hot reads (`npm run test:postgres` only; the file name keeps it out
 * of `npm test`): on a modest generated data set plus ANALYZE, the exact statements the Store
 * sends for the live view, history pages, reader list and stuck list are EXPLAINed, and none may
 * read users, activity_logs or milestones with a sequential scan.
 */
const NOW = Date.parse('2026-11-24T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BIG_TABLES = ['users', 'activity_logs', 'milestones', 'activity_reader_hours', 'activity_reader_days'];
const clock: Clock = { now: () => NOW };

let database: { name: string; url: string };
let store: PostgresStore;

/** Runs a Store call and returns the statements it sent through the pool. */
async function statementsOf(call: () => Promise<unknown>): Promise<SentStatement[]> {
  const sent: SentStatement[] = [];
  const pool = store.pool as unknown as { query: (...args: unknown[]) => unknown };
  const original = pool.query;
  pool.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    if (typeof first === 'string') sent.push({ text: first, values: (second as unknown[] | undefined) ?? [] });
    else if (first && typeof first === 'object' && 'text' in first) {
      const config = first as { text: string; values?: unknown[] };
      sent.push({ text: config.text, values: config.values ?? [] });
    }
    return original.apply(this, args);
  };
  try {
    await call();
  } finally {
    pool.query = original;
  }
  return sent;
}

async function planOf(statement: SentStatement): Promise<PlanNode> {
  const { rows } = await store.pool.query(`EXPLAIN (FORMAT JSON) ${statement.text}`, [...statement.values]);
  return planOfExplain(rows);
}

beforeAll(async () => {
  database = await createTestDatabase();
  store = await openPostgresStore({ url: database.url, clock });
  await createPostgresScaleData(store.pool, {
    readers: 5_000,
    consultants: 5,
    events: 150_000,
    chapters: 12,
    spanMs: 365 * DAY,
    liveReaders: 50,
    now: NOW,
    passwordHash: 'not-a-real-hash',
  });
}, 120_000);

afterAll(async () => {
  await store?.operations.close();
  if (database) await dropTestDatabase(database.name);
  await dropTemplate();
});

describe('PostgreSQL query plans on a generated data set', () => {
  it('generated what the plans are checked against', async () => {
    const count = async (sql: string) => Number((await store.pool.query(sql)).rows[0].n);
    expect(await count("SELECT count(*) AS n FROM users WHERE role = 'reader'")).toBe(5_000);
    expect(await count('SELECT count(*) AS n FROM activity_logs')).toBe(150_000);
    expect(await count("SELECT count(*) AS n FROM milestones WHERE status = 'stuck'")).toBeGreaterThan(100);
    expect((await store.readers.getAllActiveUsers(NOW - 60_000)).length).toBe(50);
  });

  const heavyReader = 1; // the skew gives reader 1 the most events
  const cohort = Array.from({ length: 300 }, (_, i) => 1 + i * 16);
  const cases: readonly { name: string; call: () => Promise<unknown>; uses?: RegExp }[] = [
    { name: 'live view: readers active in the last 60 s', call: () => store.readers.getAllActiveUsers(NOW - 60_000), uses: /idx_users_(role_)?last_active/ },
    { name: 'history, first page', call: () => store.activity.listActivity(heavyReader, { limit: 50 }), uses: /idx_activity_user_id|activity_logs_pkey/ },
    { name: 'history, page via cursor', call: () => store.activity.listActivity(heavyReader, { limit: 50, cursor: encodeCursor(20_000) }), uses: /idx_activity_user_id|activity_logs_pkey/ },
    { name: 'reader list, first page + counts', call: () => store.readers.listReaders({ limit: 50 }) },
    { name: 'reader list, later page + counts', call: () => store.readers.listReaders({ limit: 50, cursor: encodeCursor(2_500) }) },
    { name: 'reader list by name', call: () => store.readers.listReaders({ limit: 50, sort: 'name' }), uses: /idx_users_role_name/ },
    { name: 'reader list by last activity', call: () => store.readers.listReaders({ limit: 50, sort: 'last-active' }), uses: /idx_users_role_last_active_desc/ },
    { name: 'stuck list, first page', call: () => store.readers.listStuckReaders({ limit: 50 }), uses: /idx_milestones_status_updated/ },
    {
      name: 'activity per hour, a cohort',
      call: () => store.analytics.getActivityBuckets({ readerIds: cohort, from: NOW - 999 * HOUR, to: NOW, bucket: 'hour' }),
      uses: /activity_reader_hours_pkey/,
    },
    {
      name: 'activity per day, a cohort',
      call: () => store.analytics.getActivityBuckets({ readerIds: cohort, from: NOW - 365 * DAY, to: NOW, bucket: 'day' }),
      uses: /activity_reader_days_pkey/,
    },
    {
      // Activity rows are read as live events where they are stored (migration 016): by transaction id.
      name: "live events: every tick's batch from the first",
      call: () => new ClusterStore(store.pool).liveEventsAfter({ tick: 0, xid: null, part: 0, rowId: 0, lastId: 0 }, 2_000),
      uses: /idx_activity_logs_xid/,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: no sequential scan on ${BIG_TABLES.join(', ')}`, async () => {
      const statements = await statementsOf(c.call);
      expect(statements.length).toBeGreaterThan(0);
      const all: PlanNode[] = [];
      for (const statement of statements) {
        const planned = planNodes(await planOf(statement));
        all.push(...planned);
        const seqScans = planned.filter((n) => n['Node Type'] === 'Seq Scan' && BIG_TABLES.includes(n['Relation Name'] ?? ''));
        expect(seqScans.map((n) => `${n['Relation Name']} in: ${statement.text}`)).toEqual([]);
      }
      if (c.uses) expect(all.map((n) => n['Index Name'] ?? '').join(' ')).toMatch(c.uses);
    });
  }
});

describe('PostgreSQL plan of an xAPI statement query with related activities', () => {
  beforeAll(async () => {
    // 30,000 statements: every 10,000th voids an earlier one, so the referring branch has rows to read.
    await loadPostgresXapiStatements(store.pool, { statements: 30_000, readers: 200, activities: 300, spanMs: 30 * DAY, now: NOW });
  }, 120_000);

  it("finds each StatementRef's target by the partial index's leading column", async () => {
    const count = async (sql: string) => Number((await store.pool.query(sql)).rows[0].n);
    expect(await count('SELECT count(*) AS n FROM xapi_statement_targets WHERE seq <> target_seq')).toBe(3);
    const statements = await statementsOf(() =>
      store.xapiStatements.queryStatements({
        agentKey: null, relatedAgents: false, verbId: null, activityId: `${SCALE_CONTENT}/module/3`, relatedActivities: true, registration: null,
        since: null, until: null, ascending: false, order: 'sequence', after: null, afterStored: null, limit: 101,
      }),
    );
    const planned = (await Promise.all(statements.map((statement) => planOf(statement)))).flatMap((plan) => planNodes(plan));
    const seqScans = planned.filter((n) => n['Node Type'] === 'Seq Scan' && (n['Relation Name'] ?? '').startsWith('xapi_'));
    expect(seqScans.map((n) => n['Relation Name'])).toEqual([]);
    const targets = planned.filter((n) => n['Relation Name'] === 'xapi_statement_targets');
    expect(targets.map((n) => [n['Index Name'], n['Index Cond']])).toEqual([['xapi_statement_targets_referring', expect.stringMatching(/^\(seq = /)]]);
  });
});
