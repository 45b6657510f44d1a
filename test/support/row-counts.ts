import type { TestApp } from './test-app.js';

/** Every table a request can write to. */
export const WRITABLE_TABLES = [
  'users',
  'sessions',
  'milestones',
  'activity_logs',
  'chapters',
  'access_log',
  'activity_reader_hours',
  'activity_reader_days',
  'activity_hours',
  'activity_days',
] as const;

/** How many rows each writable table holds: a rejected request must leave these unchanged. */
export function rowCounts(t: Pick<TestApp, 'store'>): Record<(typeof WRITABLE_TABLES)[number], number> {
  const count = (table: string) => (t.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return Object.fromEntries(WRITABLE_TABLES.map((table) => [table, count(table)])) as Record<(typeof WRITABLE_TABLES)[number], number>;
}
