import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkLoad } from '../../src/sqlite/bulk-load.js';
import { migrate } from '../../src/sqlite/migrate.js';
import { openDatabase, type Database } from '../../src/sqlite/open-database.js';
import { prepareStatements, type Statements } from '../../src/sqlite/statements.js';
import { DIALECT } from '../../src/sqlite/sqlite-readers.js';
import { readerListPageSql } from '../../src/domain/storage/reader-list-sql.js';
import { SqliteAccessLog } from '../../src/sqlite/sqlite-access-log.js';
import { SqliteAnalytics } from '../../src/sqlite/sqlite-analytics.js';
import { SqliteExports } from '../../src/sqlite/sqlite-exports.js';
import { loadSqliteXapiStatements } from '../../src/sqlite/xapi-bulk-load.js';
import { xapiStatementQuery } from '../../src/domain/storage/xapi-rows.js';
import { SCALE_CONTENT } from '../../src/domain/storage/xapi-scale-data.js';
import type { XapiStatementQuery } from '../../src/domain/index.js';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');
const DAY = 86_400_000;

/**
 * The statements behind the heavy reads and retention, each with parameters like the store's.
 * Keyset pages must be SEARCHes on an index whatever the table size, and must not sort.
 */
const HOT_QUERIES: readonly { name: keyof Statements; params: unknown; uses?: RegExp }[] = [
  { name: 'activeReaders', params: [NOW - 60_000], uses: /USING INDEX idx_users_role_last_active|USING INDEX idx_users_last_active/ },
  { name: 'activeReadersPage', params: { from: NOW - 60_000, afterAt: NOW - 60_000, afterId: 0, limit: 1000 }, uses: /USING INDEX idx_users_role_last_active|USING INDEX idx_users_last_active/ },
  { name: 'usersByIds', params: ['[30, 31, 32]'] },
  { name: 'readerPage', params: { after: 0, needle: null, limit: 51 } },
  { name: 'readerPage', params: { after: 1_000, needle: 'noor', limit: 51 } },
  { name: 'cohortReaderPage', params: { after: 0, needle: null, cohort: 1, limit: 51 }, uses: /SEARCH cm USING PRIMARY KEY \(cohort_id=\? AND reader_id>\?\)/ },
  { name: 'readerTotal', params: { needle: null }, uses: /USING (COVERING )?INDEX idx_users_role_id/ },
  { name: 'readerTotal', params: { needle: 'noor' }, uses: /USING INDEX idx_users_role_id/ },
  { name: 'cohortReaderTotal', params: { needle: null, cohort: 1 }, uses: /SEARCH cm USING (COVERING INDEX|PRIMARY KEY) / },
  { name: 'milestoneCounts', params: ['[30, 31, 32, 33]'] },
  { name: 'activityPage', params: [30, Number.MAX_SAFE_INTEGER, 51], uses: /USING INDEX idx_activity_user_id/ },
  { name: 'activityPage', params: [30, 15_000, 51], uses: /USING INDEX idx_activity_user_id/ },
  { name: 'stuckPage', params: { since: 0, id: 0, cohort: null, limit: 51 }, uses: /USING INDEX idx_milestones_status_updated/ },
  { name: 'stuckPage', params: { since: NOW - 100 * DAY, id: 500, cohort: null, limit: 51 }, uses: /USING INDEX idx_milestones_status_updated/ },
  { name: 'stuckPage', params: { since: 0, id: 0, cohort: 1, limit: 51 }, uses: /USING INDEX idx_milestones_status_updated/ },
  { name: 'deleteActivityBefore', params: [NOW - 300 * DAY, 1_000], uses: /USING COVERING INDEX idx_activity_created/ },
];

/**
 * Statements that may read a whole table, and why that is accepted. Everything else prepared by
 * prepareStatements must reach its rows through an index.
 */
const ACCEPTED_SCANS: Readonly<Partial<Record<keyof Statements, string>>> = {
  // A rare sweep; an index on last_seen_at would cost an index update on every heartbeat flush.
  deleteExpiredSessions: 'SCAN sessions',
};

function planOf(db: Database, sql: string, params: unknown): string[] {
  const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const rows = (Array.isArray(params) ? statement.all(...params) : statement.all(params)) as { detail: string }[];
  return rows.map((row) => row.detail);
}

/** Plan lines that read a table without an index: `SCAN t` not followed by USING ... INDEX. */
function tableScans(plan: readonly string[]): string[] {
  return plan.filter(
    (line) =>
      /^SCAN /.test(line) &&
      !/ USING (COVERING )?INDEX /.test(line) &&
      // json_each walks the bound JSON array of ids, not a table.
      !/^SCAN json_each VIRTUAL TABLE/.test(line) &&
      line !== 'SCAN CONSTANT ROW',
  );
}

/** Placeholder values for a statement's parameters, for the sweep over every statement. */
function placeholderParams(sql: string): unknown {
  const named = [...new Set([...sql.matchAll(/@(\w+)/g)].map((m) => m[1]!))];
  if (named.length > 0) return Object.fromEntries(named.map((name) => [name, 1]));
  return Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1);
}

for (const statistics of ['without statistics', 'after ANALYZE'] as const) {
  describe(`query plans on a bulk-loaded database (${statistics})`, () => {
    let db: Database;
    let sql: Statements;
    beforeAll(() => {
      db = openDatabase({ path: ':memory:' });
      migrate(db, NOW);
      bulkLoad(db, {
        readers: 2_000,
        consultants: 5,
        events: 20_000,
        chapters: 12,
        spanMs: 365 * DAY,
        now: NOW,
        liveReaders: 50,
        passwordHash: 'not-a-real-hash',
        rowsPerTransaction: 5_000,
      });
      if (statistics === 'after ANALYZE') db.exec('ANALYZE');
      sql = prepareStatements(db);
    });
    afterAll(() => db.close());

    it('the data set is loaded', () => {
      const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
      expect(count('users')).toBe(2_005);
      expect(count('activity_logs')).toBe(20_000);
      expect(count('milestones')).toBeGreaterThan(2_000);
    });

    it('the scan check itself notices a query that reads a whole table', () => {
      const plan = planOf(db, "SELECT id FROM activity_logs WHERE action_type = 'LOGIN'", []);
      expect(tableScans(plan)).toEqual(['SCAN activity_logs']);
    });

    it.each(HOT_QUERIES.map((q, i) => [`${q.name} #${i}`, q] as const))(
      '%s reads through an index and never sorts a whole result',
      (_title, query) => {
        const plan = planOf(db, sql[query.name].source, query.params);
        expect(tableScans(plan), plan.join('\n')).toEqual([]);
        expect(plan.filter((line) => line.includes('TEMP B-TREE FOR ORDER BY')), plan.join('\n')).toEqual([]);
        if (query.uses) expect(plan.join('\n')).toMatch(query.uses);
      },
    );

    it.each([
      ['name', /USING (COVERING )?INDEX idx_users_role_name/],
      ['last-active', /USING (COVERING )?INDEX idx_users_role_last_active/],
    ] as const)('the reader list sorted by %s walks an index in order and sorts nothing', (sort, uses) => {
      const { text, values } = readerListPageSql(DIALECT, { needle: null, cohort: null, status: undefined }, sort, 51, 0);
      const plan = planOf(db, text, values);
      expect(tableScans(plan), plan.join('\n')).toEqual([]);
      expect(plan.filter((line) => line.includes('TEMP B-TREE FOR ORDER BY')), plan.join('\n')).toEqual([]);
      expect(plan.join('\n')).toMatch(uses);
    });

    it('no other statement reads a whole table, apart from the accepted ones', () => {
      const scanning: Record<string, string[]> = {};
      for (const [name, statement] of Object.entries(sql) as [keyof Statements, Statements[keyof Statements]][]) {
        const scans = tableScans(planOf(db, statement.source, placeholderParams(statement.source)));
        const accepted = ACCEPTED_SCANS[name];
        const unexpected = scans.filter((line) => line !== accepted);
        if (unexpected.length > 0) scanning[name] = unexpected;
      }
      expect(scanning).toEqual({});
    });
  });
}

describe('query plans of analytics, exports and the access log (after ANALYZE)', () => {
  let db: Database;
  let insight: SqliteAnalytics;
  let exports: SqliteExports;
  let accessLog: SqliteAccessLog;
  beforeAll(() => {
    db = openDatabase({ path: ':memory:' });
    migrate(db, NOW);
    bulkLoad(db, {
      readers: 2_000,
      consultants: 5,
      events: 20_000,
      chapters: 12,
      spanMs: 365 * DAY,
      now: NOW,
      liveReaders: 50,
      passwordHash: 'not-a-real-hash',
      rowsPerTransaction: 5_000,
    });
    db.exec('ANALYZE');
    accessLog = new SqliteAccessLog(db, () => Promise.reject(new Error('plans only: no writes')));
    insight = new SqliteAnalytics(db);
    exports = new SqliteExports(db, accessLog);
  });
  afterAll(() => db.close());

  const ids = JSON.stringify(Array.from({ length: 300 }, (_, i) => 10 + i * 5));
  const CASES: readonly { name: string; sql: () => string; params: unknown; uses?: RegExp; sorts?: true }[] = [
    { name: 'activity per hour, all readers', sql: () => insight.sql.hour.all.source, params: { first: NOW - 1_000 * 3_600_000, end: NOW }, uses: /SEARCH activity_hours USING INTEGER PRIMARY KEY/ },
    { name: 'activity per day, all readers', sql: () => insight.sql.day.all.source, params: { first: NOW - 365 * DAY, end: NOW }, uses: /SEARCH activity_days USING INTEGER PRIMARY KEY/ },
    // A cohort's buckets are summed from its readers' rows, found by primary key per reader; the
    // GROUP BY sorts at most readers x buckets rows, so it is accepted.
    { name: 'activity per hour, a cohort', sql: () => insight.sql.hour.some.source, params: { first: NOW - 1_000 * 3_600_000, end: NOW, ids }, uses: /SEARCH activity_reader_hours USING PRIMARY KEY \(user_id=\? AND hour_start>\? AND hour_start<\?\)/, sorts: true },
    { name: 'activity per day, a cohort', sql: () => insight.sql.day.some.source, params: { first: NOW - 365 * DAY, end: NOW, ids }, uses: /SEARCH activity_reader_days USING PRIMARY KEY/, sorts: true },
    { name: 'grid readers, all', sql: () => insight.sql.gridReaders.source, params: { after: 100, ids: null, limit: 201 }, uses: /idx_users_role_id|INTEGER PRIMARY KEY/ },
    { name: 'grid cells of a page', sql: () => insight.sql.gridCells.source, params: [ids], uses: /SEARCH milestones USING INDEX sqlite_autoindex_milestones_1 \(user_id=\?\)/ },
    { name: 'progress export batch', sql: () => exports.sql.progress.source, params: { afterUser: 500, afterChapter: 'ch-03', ids: null, limit: 1_000 }, uses: /SEARCH m USING INDEX sqlite_autoindex_milestones_1 \(\(user_id,chapter_id\)>\(\?,\?\)\)/ },
    { name: 'activity export batch', sql: () => exports.sql.activity.source, params: { afterAt: NOW - 100 * DAY, afterId: 5, to: NOW, ids: null, limit: 1_000 }, uses: /SEARCH a USING INDEX idx_activity_created \(created_at>\? AND created_at<\?\)/ },
    { name: 'access log page', sql: () => accessLog.sql.page.source, params: { readerId: 30, at: NOW, id: 9, limit: 51 }, uses: /SEARCH a USING INDEX idx_access_log_reader_at \(reader_id=\? AND at<\?\)/ },
    { name: 'access log retention', sql: () => accessLog.sql.deleteBefore.source, params: [NOW, 1_000], uses: /idx_access_log_at/ },
  ];

  it.each(CASES.map((c) => [c.name, c] as const))('%s reads through an index', (_name, c) => {
    const plan = planOf(db, c.sql(), c.params);
    expect(tableScans(plan), plan.join('\n')).toEqual([]);
    if (!c.sorts) expect(plan.filter((line) => line.includes('TEMP B-TREE')), plan.join('\n')).toEqual([]);
    if (c.uses) expect(plan.join('\n')).toMatch(c.uses);
  });

  it('a cohort\'s funnel reads its readers\' milestones by user, never the whole table', () => {
    const plan = planOf(db, insight.sql.cohortMilestones.source, { ids });
    expect(tableScans(plan), plan.join('\n')).toEqual([]);
    expect(plan.join('\n')).toMatch(/SEARCH m USING INDEX sqlite_autoindex_milestones_1 \(user_id=\?\)/);
    const grid = planOf(db, insight.sql.gridCohortReaders.source, { ids, after: 0, limit: 201 });
    expect(tableScans(grid), grid.join('\n')).toEqual([]);
  });
});

describe('the plan of an xAPI statement query with related activities (after ANALYZE)', () => {
  let db: Database;
  beforeAll(() => {
    db = openDatabase({ path: ':memory:' });
    migrate(db, NOW);
    // 30,000 statements: every 10,000th voids an earlier one, so the referring branch has rows to read.
    loadSqliteXapiStatements(db, { statements: 30_000, readers: 200, activities: 300, spanMs: 30 * DAY, now: NOW });
  });
  afterAll(() => db.close());

  const moduleQuery: XapiStatementQuery = {
    agentKey: null, relatedAgents: false, verbId: null, activityId: `${SCALE_CONTENT}/module/3`, relatedActivities: true, registration: null,
    since: null, until: null, ascending: false, order: 'sequence', after: null, afterStored: null, limit: 101,
  };

  it("finds each StatementRef's target in the small partial index, not in the targets table's primary key", () => {
    expect(db.prepare('SELECT count(*) FROM xapi_statement_targets WHERE seq <> target_seq').pluck().get()).toBe(3);
    const { text, params } = xapiStatementQuery(moduleQuery);
    const plan = planOf(db, text, params);
    // SCAN d and SCAN r read the branches' own co-routines; no statement table is read whole.
    expect(plan.filter((line) => /^SCAN (xapi_\w+|s|t|ac)\b(?! USING)/.test(line)), plan.join('\n')).toEqual([]);
    expect(plan, plan.join('\n')).toContain('SEARCH t USING COVERING INDEX xapi_statement_targets_referring (seq=?)');
    expect(plan.filter((line) => /^(SEARCH|SCAN) t USING PRIMARY KEY/.test(line)), plan.join('\n')).toEqual([]);
  });
});
