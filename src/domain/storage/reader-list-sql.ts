import type { ReaderSort, ReaderStatus } from '../user.js';
import { USER_COLUMNS } from './stored-rows.js';

/** What differs between the engines in the reader list's SQL. */
export interface ReaderListDialect {
  /** The placeholder of the next parameter: `?` on SQLite, `$n` on PostgreSQL. */
  readonly placeholder: (index: number) => string;
  /** A substring test on a lower-cased column. */
  readonly contains: (column: string, needle: string) => string;
  /** Names in binary order on both engines, so both list readers alike. */
  readonly nameOrder: string;
  /** Most recently active first, never-active readers last, the later id first among equals. */
  readonly lastActiveOrder: string;
}

export interface ReaderListFilter {
  /** Lower-cased search text, or null. */
  readonly needle: string | null;
  /** A cohort id checked to exist, or null. */
  readonly cohort: number | null;
  readonly status: ReaderStatus | undefined;
}

const U = USER_COLUMNS.split(', ').map((c) => `u.${c}`).join(', ');

/**
 * The reader list's WHERE for a search, a cohort and a status, with its parameters. Every test
 * reaches milestones through their (user_id, chapter_id) key and members through the cohort's.
 */
function where(d: ReaderListDialect, f: ReaderListFilter, values: unknown[]): string {
  const param = (value: unknown) => {
    values.push(value);
    return d.placeholder(values.length);
  };
  const parts = ["u.role = 'reader'"];
  if (f.cohort !== null) parts.push(`u.id IN (SELECT cm.reader_id FROM cohort_members cm WHERE cm.cohort_id = ${param(f.cohort)})`);
  if (f.needle !== null) parts.push(d.contains('u.search_key', param(f.needle)));
  if (f.status === 'stuck') parts.push("EXISTS (SELECT 1 FROM milestones m WHERE m.user_id = u.id AND m.status = 'stuck')");
  if (f.status === 'not-started') parts.push('NOT EXISTS (SELECT 1 FROM milestones m WHERE m.user_id = u.id)');
  if (f.status === 'completed-all') {
    parts.push(
      'EXISTS (SELECT 1 FROM chapters) AND NOT EXISTS (SELECT 1 FROM chapters c WHERE NOT EXISTS ' +
        "(SELECT 1 FROM milestones m WHERE m.user_id = u.id AND m.chapter_id = c.id AND m.status = 'completed'))",
    );
  }
  return parts.join(' AND ');
}

function orderBy(d: ReaderListDialect, sort: ReaderSort): string {
  switch (sort) {
    case 'id':
      return 'u.id';
    case 'name':
      return `${d.nameOrder}, u.id`;
    case 'last-active':
      return d.lastActiveOrder;
    case 'completed':
      return "(SELECT count(*) FROM milestones m WHERE m.user_id = u.id AND m.status = 'completed') DESC, u.id";
  }
}

/** One page of the filtered, sorted list: `limit` rows after skipping `offset`. */
export function readerListPageSql(d: ReaderListDialect, f: ReaderListFilter, sort: ReaderSort, limit: number, offset: number): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const condition = where(d, f, values);
  values.push(limit, offset);
  const text = `SELECT ${U} FROM users u WHERE ${condition} ORDER BY ${orderBy(d, sort)} LIMIT ${d.placeholder(values.length - 1)} OFFSET ${d.placeholder(values.length)}`;
  return { text, values };
}

/** How many readers the filtered list holds. */
export function readerListCountSql(d: ReaderListDialect, f: ReaderListFilter): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const condition = where(d, f, values);
  return { text: `SELECT count(*) AS n FROM users u WHERE ${condition}`, values };
}
