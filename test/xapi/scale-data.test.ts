import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { XapiStatementQuery } from '../../src/domain/index.js';
import { SCALE_CONTENT, type XapiScalePlan } from '../../src/domain/storage/xapi-scale-data.js';
import { loadPostgresXapiStatements } from '../../src/postgres/xapi-bulk-load.js';
import { PostgresStore } from '../../src/postgres/postgres-store.js';
import { loadSqliteXapiStatements } from '../../src/sqlite/xapi-bulk-load.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';

const DAY = 86_400_000;
/** 12,000 statements (the 10,000th voids the 5,000th) over 30 days, 40 actors, 300 activities. */
const PLAN: XapiScalePlan = { statements: 12_000, readers: 40, activities: 300, spanMs: 30 * DAY, now: Date.parse('2026-11-24T12:00:00.000Z') };
const QUERY: XapiStatementQuery = {
  agentKey: null, relatedAgents: false, verbId: null, activityId: null, relatedActivities: false, registration: null,
  since: null, until: null, ascending: false, order: 'stored', after: null, afterStored: null, limit: 101,
};

/** The scale data sets' loaders (bench/generate-*scale-data.ts) write what the insert paths write. */
describe('the generated xAPI scale data', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp();
    if (t.store instanceof PostgresStore) await loadPostgresXapiStatements(t.store.pool, PLAN);
    else loadSqliteXapiStatements(t.store.db, PLAN);
  }, 60_000);
  afterEach(async () => t.close());

  it('keeps each statement\'s stored time beside its agents and activities', async () => {
    const count = async (sql: string) => Number((await t.db.all<{ n: number | string }>(sql))[0]!.n);
    expect(await count('SELECT count(*) AS n FROM xapi_statements')).toBe(12_000);
    // The actor and the authority; object, module and course of every statement but the voiding one.
    expect(await count('SELECT count(*) AS n FROM xapi_statement_agents')).toBe(2 * 12_000);
    expect(await count('SELECT count(*) AS n FROM xapi_statement_activities')).toBe(3 * 11_999);
    for (const table of ['xapi_statement_agents', 'xapi_statement_activities']) {
      expect(await count(`SELECT count(*) AS n FROM ${table} a JOIN xapi_statements s ON s.seq = a.seq WHERE a.stored_at <> s.stored_at`)).toBe(0);
    }
  });

  it.each([
    ['an activity', { activityId: `${SCALE_CONTENT}/activity/0` }, 'a.activity_id = ? AND a.related = 0', `${SCALE_CONTENT}/activity/0`],
    ['a course with related activities', { activityId: `${SCALE_CONTENT}/course/1`, relatedActivities: true }, 'a.activity_id = ?', `${SCALE_CONTENT}/course/1`],
  ] as const)('a time window on %s answers its statements by stored time, newest first, a page at a time', async (_title, filter, match, key) => {
    const since = PLAN.now - 20 * DAY;
    const until = PLAN.now - 6 * DAY; // before the StatementRef (statement 10,000), which matches through its target
    const expected = (
      await t.db.all<{ statement_id: string }>(
        `SELECT s.statement_id FROM xapi_statements s JOIN xapi_statement_activities a ON a.seq = s.seq AND ${match}
         WHERE s.voided = 0 AND s.stored_at > ? AND s.stored_at <= ? ORDER BY s.stored_at DESC, s.seq DESC`,
        key,
        since,
        until,
      )
    ).map((row) => row.statement_id);
    expect(expected.length).toBeGreaterThan(101);
    const seen: string[] = [];
    let query: XapiStatementQuery = { ...QUERY, ...filter, since, until };
    for (;;) {
      const page = await t.store.xapiStatements.queryStatements(query);
      seen.push(...page.slice(0, 100).map((s) => s.id));
      if (page.length <= 100) break;
      const last = page[99]!;
      query = { ...query, after: last.sequence, afterStored: last.storedAt };
    }
    expect(seen).toEqual(expected);
  });
});
