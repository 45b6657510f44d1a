import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareAttentionStatements, type AttentionStatements } from '../../src/sqlite/attention-statements.js';
import { bulkLoad } from '../../src/sqlite/bulk-load.js';
import { migrate } from '../../src/sqlite/migrate.js';
import { openDatabase, type Database } from '../../src/sqlite/open-database.js';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');
const DAY = 86_400_000;

/** The attention sweep and queue must reach their rows by index, so a run costs its limit, not the table. */
const SWEEP_QUERIES: readonly { name: keyof AttentionStatements; params: unknown; uses: RegExp }[] = [
  { name: 'stuckCrossed', params: { time: 0, id: 0, cutoff: NOW - 3_600_000, limit: 500 }, uses: /USING INDEX idx_milestones_status_updated/ },
  { name: 'inactiveCrossed', params: { time: 0, id: 0, cutoff: NOW - 7 * DAY, limit: 500 }, uses: /USING (COVERING )?INDEX idx_users_role_last_active/ },
  { name: 'liveInactive', params: [0, 500], uses: /USING (COVERING )?INDEX idx_attention_live_reason/ },
  { name: 'page', params: { state: 'open', since: 0, id: 0, cohort: null, reason: null, reader: null, limit: 51 }, uses: /USING INDEX idx_attention_state_since/ },
  { name: 'page', params: { state: 'open', since: 0, id: 0, cohort: 1, reason: 'stuck', reader: null, limit: 51 }, uses: /USING INDEX idx_attention_state_since/ },
  { name: 'resolveCause', params: [NOW, 1, 'stuck', 'ch01'], uses: /USING INDEX idx_attention_live/ },
];

function planOf(db: Database, sql: string, params: unknown): string[] {
  const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const rows = (Array.isArray(params) ? statement.all(...params) : statement.all(params)) as { detail: string }[];
  return rows.map((row) => row.detail);
}

describe('attention query plans on a bulk-loaded database', () => {
  let db: Database;
  let sql: AttentionStatements;
  beforeAll(() => {
    db = openDatabase({ path: ':memory:' });
    migrate(db, NOW);
    bulkLoad(db, {
      readers: 2_000,
      consultants: 5,
      events: 2_000,
      chapters: 12,
      spanMs: 60 * DAY,
      now: NOW,
      liveReaders: 50,
      passwordHash: 'not-a-real-hash',
      rowsPerTransaction: 5_000,
    });
    db.exec('ANALYZE');
    sql = prepareAttentionStatements(db);
  });
  afterAll(() => db.close());

  it.each(SWEEP_QUERIES.map((q, i) => [`${q.name} #${i}`, q] as const))('%s reads through its index and never sorts', (_title, query) => {
    const plan = planOf(db, sql[query.name].source, query.params);
    expect(plan.filter((line) => /^SCAN /.test(line) && !/ USING (COVERING )?INDEX /.test(line) && !/json_each/.test(line)), plan.join('\n')).toEqual([]);
    expect(plan.filter((line) => line.includes('TEMP B-TREE')), plan.join('\n')).toEqual([]);
    expect(plan.join('\n')).toMatch(query.uses);
  });
});
