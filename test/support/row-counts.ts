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
export async function rowCounts(t: Pick<TestApp, 'db'>): Promise<Record<(typeof WRITABLE_TABLES)[number], number>> {
  const counts = await Promise.all(WRITABLE_TABLES.map((table) => t.db.count(`SELECT count(*) AS n FROM ${table}`)));
  return Object.fromEntries(WRITABLE_TABLES.map((table, i) => [table, counts[i]])) as Record<(typeof WRITABLE_TABLES)[number], number>;
}
