import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/postgres/postgres-store.js';
import { FakeClock } from '../support/fake-clock.js';
import { createTestDatabase, dropTemplate, dropTestDatabase } from '../support/postgres-databases.js';

/**
 * The plans of the batched writer's statements (`npm run test:postgres` only). The writer's
 * connection lives as long as the server and PostgreSQL keeps one generic plan per prepared
 * statement, so a plan made while a table was small or not yet analyzed would stay. On tables
 * that were filled and never analyzed, each statement the writer sends for a milestone with its
 * review and for activity is EXPLAINed with its generic plan, and none may read users or
 * milestones whole: every row a write names is found by its key.
 */
const READERS = 3_000;
const CHAPTERS = 4;
const KEYED_TABLES = ['milestones', 'users'];

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
}
interface Sent {
  readonly text: string;
  readonly values: readonly unknown[];
}

let database: { name: string; url: string };
let store: PostgresStore;
let admin: pg.Client;
const clock = new FakeClock();

beforeAll(async () => {
  database = await createTestDatabase();
  store = await openPostgresStore({ url: database.url, clock });
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  // Filled in one statement each and never analyzed: autovacuum is off for these tables.
  for (const table of KEYED_TABLES) await admin.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
  await admin.query(
    `INSERT INTO users (email, name, password_hash, role, created_at, search_key)
     SELECT 'reader-' || i || '@plans.test', 'Reader ' || i, 'x', 'reader', 0, 'reader-' || i
     FROM generate_series(1, $1::int) AS i`,
    [READERS],
  );
  await admin.query(
    `INSERT INTO milestones (user_id, chapter_id, status, score, updated_at)
     SELECT u.id, 'chapter-' || c, 'started', NULL, 0 FROM users u CROSS JOIN generate_series(1, $1::int) AS c`,
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
async function writerStatements(work: () => Promise<unknown>): Promise<Sent[]> {
  const sent: Sent[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client & { connectionParameters: { application_name?: string } }, ...args: unknown[]) {
    const config = args[0] as string | { text: string; values?: unknown[] };
    if (this.connectionParameters.application_name === 'readpulse-write' && typeof config === 'object') {
      sent.push({ text: config.text, values: config.values ?? [] });
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
async function genericPlanOf(statement: Sent): Promise<PlanNode> {
  await admin.query('BEGIN');
  try {
    await admin.query('SET LOCAL plan_cache_mode = force_generic_plan');
    await admin.query(`PREPARE probe AS ${statement.text}`);
    // EXECUTE is a utility statement and takes no bound parameters: the values go as literals.
    const args = statement.values.map(literal).join(', ');
    const { rows } = await admin.query(`EXPLAIN (FORMAT JSON) EXECUTE probe${args ? `(${args})` : ''}`);
    const raw: unknown = rows[0]['QUERY PLAN'];
    return ((typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[])[0]!.Plan;
  } finally {
    // Nothing is executed by EXPLAIN without ANALYZE; the rollback drops the prepared statement's
    // setting, and DEALLOCATE the statement itself.
    await admin.query('ROLLBACK');
    await admin.query('DEALLOCATE probe');
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

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap((child) => nodes(child))];
}

describe("the batched writer's plans on tables never analyzed", () => {
  it('filled the tables the plans are checked against, and left them unanalyzed', async () => {
    const { rows } = await admin.query<{ relname: string; analyzed: boolean }>(
      `SELECT relname, coalesce(last_analyze, last_autoanalyze) IS NOT NULL AS analyzed
       FROM pg_stat_user_tables WHERE relname = ANY ($1) ORDER BY relname`,
      [KEYED_TABLES],
    );
    expect(rows.map((r) => [r.relname, r.analyzed])).toEqual([
      ['milestones', false],
      ['users', false],
    ]);
    const count = async (table: string) => Number((await admin.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    expect(await count('users')).toBe(READERS);
    expect(await count('milestones')).toBe(READERS * CHAPTERS);
  });

  /** `sends`: what the statements checked must include; `uses`: indexes their plans must use. */
  const cases: readonly { name: string; work: () => Promise<unknown>; sends: readonly RegExp[]; uses: readonly string[] }[] = [
    {
      name: 'milestones with their reviews',
      // Concurrent writes share one batch: the locking read, the upsert and the review's read.
      work: () =>
        Promise.all(
          [7, 1_500, 2_999].map((reader) =>
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
          [3, 2_000].map((reader) => store.activity.logActivities(reader, [{ actionType: 'page_view', metadata: { page: 1 } }])),
        ),
      sends: [/INSERT INTO activity_logs/],
      uses: ['users_pkey'],
    },
  ];

  for (const c of cases) {
    it(`${c.name}: every statement finds users and milestones by key`, async () => {
      const statements = (await writerStatements(c.work)).filter((s) => !/^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(s.text));
      for (const pattern of c.sends) expect(statements.some((s) => pattern.test(s.text))).toBe(true);
      const used: string[] = [];
      for (const statement of statements) {
        const planNodes = nodes(await genericPlanOf(statement));
        const whole = planNodes.filter(
          (n) => ['Seq Scan', 'Bitmap Heap Scan'].includes(n['Node Type']) && KEYED_TABLES.includes(n['Relation Name'] ?? ''),
        );
        expect(whole.map((n) => `${n['Node Type']} on ${n['Relation Name']} in: ${statement.text}`)).toEqual([]);
        used.push(...planNodes.map((n) => n['Index Name'] ?? '').filter((name) => name !== ''));
      }
      for (const index of c.uses) expect(used).toContain(index);
    });
  }

  it('the writes whose plans were checked were stored', async () => {
    const { rows } = await admin.query<{ user_id: string; status: string; score: number }>(
      "SELECT user_id::text, status, score FROM milestones WHERE chapter_id = 'chapter-2' AND status = 'completed' ORDER BY milestones.user_id",
    );
    expect(rows.map((r) => [Number(r.user_id), r.status, r.score])).toEqual([
      [7, 'completed', 90],
      [1_500, 'completed', 90],
      [2_999, 'completed', 90],
    ]);
    const events = await admin.query<{ user_id: string }>("SELECT user_id::text FROM activity_logs WHERE action_type = 'page_view' ORDER BY activity_logs.user_id");
    expect(events.rows.map((r) => Number(r.user_id))).toEqual([3, 2_000]);
  });
});
