import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/postgres/postgres-store.js';
import { FakeClock } from '../support/fake-clock.js';
import { createTestDatabase, dropTemplate, dropTestDatabase } from '../support/postgres-databases.js';
import { planNodes, planOfExplain, type PlanNode, type SentStatement } from '../support/query-plans.js';

/**
 * The plans of the write path's statements (`npm run test:postgres` only). The writer's
 * connection lives as long as the server, and PostgreSQL keeps one generic plan per prepared
 * statement (and per trigger statement in each session), so a plan made while the tables were
 * small would stay until the next ANALYZE. On tables analyzed while a new program was small and
 * then grown, each statement the writer sends for milestones with their reviews, for activity and
 * for the access log is EXPLAINed with its generic plan, and so are the live-event triggers'
 * statements: none may read users or milestones whole; every row a write names is found by its
 * key.
 */
const READERS = 3_000;
const CONSULTANTS = 20;
const CHAPTERS = 4;
const KEYED_TABLES = ['milestones', 'users'];

let database: { name: string; url: string };
let store: PostgresStore;
let admin: pg.Client;
const clock = new FakeClock();

beforeAll(async () => {
  database = await createTestDatabase();
  store = await openPostgresStore({ url: database.url, clock });
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  // A new program: the tables are analyzed while small (autovacuum does so after the first fifty
  // rows), when its consultants are in and no reader yet; then the readers come, with no ANALYZE
  // after (autovacuum is off for these tables here).
  for (const table of KEYED_TABLES) await admin.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
  const addUsers = (role: string, from: number, to: number) =>
    admin.query(
      `INSERT INTO users (email, name, password_hash, role, created_at, search_key)
       SELECT $1 || '-' || i || '@plans.test', $1 || ' ' || i, 'x', $1, 0, $1 || '-' || i
       FROM generate_series($2::int, $3::int) AS i`,
      [role, from, to],
    );
  await addUsers('consultant', 1, CONSULTANTS);
  await admin.query(`ANALYZE ${KEYED_TABLES.join(', ')}`);
  await addUsers('reader', 1, READERS);
  await admin.query(
    `INSERT INTO milestones (user_id, chapter_id, status, score, updated_at)
     SELECT u.id, 'chapter-' || c, 'started', NULL, 0 FROM users u CROSS JOIN generate_series(1, $1::int) AS c
     WHERE u.role = 'reader'`,
    [CHAPTERS],
  );
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await store?.operations.close();
  if (database) await dropTestDatabase(database.name);
  await dropTemplate();
});

/** The statements (with their values) the batched writer's connections send while `work` runs. */
async function writerStatements(work: () => Promise<unknown>): Promise<SentStatement[]> {
  const sent: SentStatement[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client & { connectionParameters: { application_name?: string } }, ...args: unknown[]) {
    const config = args[0] as string | { text: string; values?: unknown[] };
    if (this.connectionParameters.application_name === 'readpulse-write') {
      sent.push(typeof config === 'string' ? { text: config, values: (args[1] as unknown[] | undefined) ?? [] } : { text: config.text, values: config.values ?? [] });
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = original;
  }
  return sent;
}

/** The generic plan PostgreSQL keeps for `statement` once prepared (what a long-lived connection runs). */
async function genericPlanOf(statement: SentStatement): Promise<PlanNode> {
  await admin.query('BEGIN');
  try {
    await admin.query('SET LOCAL plan_cache_mode = force_generic_plan');
    await admin.query(`PREPARE probe AS ${statement.text}`);
    // EXECUTE is a utility statement and takes no bound parameters: the values go as literals.
    const args = statement.values.map(literal).join(', ');
    const { rows } = await admin.query(`EXPLAIN (FORMAT JSON) EXECUTE probe${args ? `(${args})` : ''}`);
    return planOfExplain(rows);
  } finally {
    // EXPLAIN without ANALYZE executes nothing. The rollback ends the setting; PREPARE is not
    // transactional, so the statement goes by DEALLOCATE (ALL: no error if PREPARE failed).
    await admin.query('ROLLBACK');
    await admin.query('DEALLOCATE ALL');
  }
}

/** `value` as an SQL literal of unknown type, which the prepared statement's parameter type takes. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) {
    const element = (e: unknown) => (e === null ? 'NULL' : `"${String(e).replace(/["\\]/g, (c) => `\\${c}`)}"`);
    return admin.escapeLiteral(`{${value.map(element).join(',')}}`);
  }
  return admin.escapeLiteral(String(value));
}

describe("the write path's plans on tables analyzed before the readers came", () => {
  it('filled the tables the plans are checked against; their statistics still say: consultants only', async () => {
    const { rows } = await admin.query<{ relname: string; reltuples: number }>(
      'SELECT relname, reltuples FROM pg_class WHERE relname = ANY ($1) ORDER BY relname',
      [KEYED_TABLES],
    );
    expect(rows.map((r) => [r.relname, r.reltuples])).toEqual([
      ['milestones', 0],
      ['users', CONSULTANTS],
    ]);
    const count = async (table: string) => Number((await admin.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    expect(await count('users')).toBe(CONSULTANTS + READERS);
    expect(await count('milestones')).toBe(READERS * CHAPTERS);
  });

  /** `sends`: what the statements checked must include; `uses`: indexes their plans must use. */
  const cases: readonly { name: string; work: () => Promise<unknown>; sends: readonly RegExp[]; uses: readonly string[] }[] = [
    {
      name: 'milestones with their reviews',
      // Concurrent writes share one batch: the locking read, the upsert and the review's read.
      work: () =>
        Promise.all(
          [27, 1_500, 3_019].map((reader) =>
            store.progress.upsertReviewedMilestone(reader, { chapterId: 'chapter-2', status: 'completed', score: 90 }),
          ),
        ),
      sends: [/FOR UPDATE/, /INSERT INTO milestones/, /FROM attention_rules/, /INSERT INTO chapter_status_counts/],
      uses: ['milestones_user_id_chapter_id_key', 'users_pkey'],
    },
    {
      name: 'activity',
      work: () =>
        Promise.all(
          [23, 2_000].map((reader) => store.activity.logActivities(reader, [{ actionType: 'page_view', metadata: { page: 1 } }])),
        ),
      sends: [/INSERT INTO activity_logs/],
      uses: ['users_pkey'],
    },
    {
      name: "consultants' reads of readers' data (the access log)",
      work: () =>
        store.accessLog.recordAccess(
          [40, 2_400].map((reader) => ({ consultantId: 2, readerId: reader, kind: 'progress' as const, at: clock.now() })),
        ),
      sends: [/INSERT INTO access_log/],
      uses: ['users_pkey'],
    },
  ];

  for (const c of cases) {
    it(`${c.name}: every statement finds users and milestones by key`, async () => {
      const statements = (await writerStatements(c.work)).filter((s) => !/^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(s.text));
      for (const pattern of c.sends) expect(statements.some((s) => pattern.test(s.text))).toBe(true);
      const used: string[] = [];
      for (const statement of statements) {
        const planned = planNodes(await genericPlanOf(statement));
        const whole = planned.filter(
          (n) => ['Seq Scan', 'Bitmap Heap Scan'].includes(n['Node Type']) && KEYED_TABLES.includes(n['Relation Name'] ?? ''),
        );
        expect(whole.map((n) => `${n['Node Type']} on ${n['Relation Name']} in: ${statement.text}`)).toEqual([]);
        used.push(...planned.map((n) => n['Index Name'] ?? '').filter((name) => name !== ''));
      }
      for (const index of c.uses) expect(used).toContain(index);
    });
  }

  it("the live-event triggers find each new row's user by key", async () => {
    // auto_explain reports the plans of the triggers' own statements (nested), as notices to
    // this session; the writes are rolled back.
    const plans: { 'Query Text': string; Plan: PlanNode }[] = [];
    const onNotice = (notice: { message?: string }) => {
      const at = notice.message?.indexOf('plan:') ?? -1;
      if (at >= 0) plans.push(JSON.parse(notice.message!.slice(at + 'plan:'.length)) as (typeof plans)[number]);
    };
    admin.on('notice', onNotice);
    await admin.query('BEGIN');
    try {
      await admin.query("LOAD 'auto_explain'");
      for (const setting of [
        "auto_explain.log_min_duration = '0'",
        'auto_explain.log_nested_statements = on',
        "auto_explain.log_format = 'json'",
        'plan_cache_mode = force_generic_plan',
        'client_min_messages = log',
      ]) {
        await admin.query(`SET LOCAL ${setting}`);
      }
      const before = (await admin.query<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM live_events')).rows[0]!.id;
      await admin.query("UPDATE milestones SET status = 'stuck' WHERE chapter_id = 'chapter-1' AND user_id = ANY ($1::bigint[])", [[29, 900, 2_900]]);
      await admin.query(
        'INSERT INTO reader_presence (reader_id, online, changed_at) SELECT id, true, 1 FROM users WHERE id = ANY ($1::bigint[])',
        [[29, 900]],
      );
      const events = await admin.query<{ type: string; n: string }>(
        'SELECT type, count(*)::text AS n FROM live_events WHERE id > $1::bigint GROUP BY type ORDER BY type',
        [before],
      );
      expect(events.rows.map((r) => [r.type, Number(r.n)])).toEqual([
        ['milestone', 3],
        ['presence', 2],
      ]);
    } finally {
      await admin.query('ROLLBACK');
      admin.off('notice', onNotice);
    }
    const triggers = plans.filter((p) => p['Query Text'].includes('INSERT INTO live_events'));
    expect(triggers.map((p) => /'(milestone|presence)'/.exec(p['Query Text'])?.[1]).sort()).toEqual(['milestone', 'presence']);
    for (const trigger of triggers) {
      // Every read of users is an index scan on the new row's user id (users_pkey, or the
      // (role, id) index for the reader's row).
      const users = planNodes(trigger.Plan).filter((n) => n['Relation Name'] === 'users');
      expect(users.length).toBeGreaterThan(0);
      expect(users.map((n) => [n['Node Type'].startsWith('Index'), /\(id = n\.(user_id|reader_id)\)/.test(n['Index Cond'] ?? '')])).toEqual(
        users.map(() => [true, true]),
      );
    }
  });

  it('the writes whose plans were checked were stored', async () => {
    const { rows } = await admin.query<{ user_id: string; status: string; score: number }>(
      "SELECT user_id::text, status, score FROM milestones WHERE chapter_id = 'chapter-2' AND status = 'completed' ORDER BY milestones.user_id",
    );
    expect(rows.map((r) => [Number(r.user_id), r.status, r.score])).toEqual([
      [27, 'completed', 90],
      [1_500, 'completed', 90],
      [3_019, 'completed', 90],
    ]);
    const events = await admin.query<{ user_id: string }>("SELECT user_id::text FROM activity_logs WHERE action_type = 'page_view' ORDER BY activity_logs.user_id");
    expect(events.rows.map((r) => Number(r.user_id))).toEqual([23, 2_000]);
    const access = await admin.query<{ reader_id: string; consultant_id: string; kind: string }>(
      'SELECT reader_id::text, consultant_id::text, kind FROM access_log ORDER BY access_log.reader_id',
    );
    expect(access.rows.map((r) => [Number(r.reader_id), Number(r.consultant_id), r.kind])).toEqual([
      [40, 2, 'progress'],
      [2_400, 2, 'progress'],
    ]);
  });
});
