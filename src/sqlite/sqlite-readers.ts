import { readerNotFound, decodeCursor, encodeCursor, pageFrom, type Milestone, type Page, type PageRequest, type ReaderListQuery, type ReaderSummary, type ReadersPort, type StuckReader, type User } from '../domain/index.js';
import { readerListCountSql, readerListPageSql, type ReaderListDialect, type ReaderListFilter } from '../domain/storage/reader-list-sql.js';
import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './open-database.js';
import { toMilestone, toUser, type MilestoneRow, type UserRow } from '../domain/storage/stored-rows.js';
import type { SqliteCohorts } from './sqlite-cohorts.js';
import type { Statements } from './statements.js';

/** The reader list's SQL on SQLite (exported for the query-plan test). */
export const DIALECT: ReaderListDialect = {
  placeholder: () => '?',
  contains: (column, needle) => `instr(${column}, ${needle}) > 0`,
  nameOrder: 'u.name',
  lastActiveOrder: 'u.last_active_at DESC, u.id DESC',
};

/** What consultants read about readers on SQLite. Reads only. */
export class SqliteReaders implements ReadersPort {
  /** The sorted and filtered lists' statements, prepared once per shape (a few dozen at most). */
  private readonly listStatements = new Map<string, BetterSqlite3.Statement<unknown[]>>();

  constructor(
    private readonly sql: Statements,
    private readonly cohorts: Pick<SqliteCohorts, 'filter'>,
    private readonly db: Database,
  ) {}

  private prepared(text: string): BetterSqlite3.Statement<unknown[]> {
    let statement = this.listStatements.get(text);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[]>(text);
      this.listStatements.set(text, statement);
    }
    return statement;
  }

  private listFilter(query: ReaderListQuery): ReaderListFilter {
    return { needle: query.search ? query.search.toLowerCase() : null, cohort: this.cohorts.filter(query.cohortId), status: query.status };
  }

  async getActiveReadersPage(since: number, after: { lastActiveAt: number; id: number } | null, limit: number): Promise<User[]> {
    const afterAt = after?.lastActiveAt ?? since;
    const afterId = after === null ? Number.MAX_SAFE_INTEGER : after.id;
    const from = Math.max(since + 1, afterAt);
    return (this.sql.activeReadersPage.all({ from, afterAt, afterId, limit }) as UserRow[]).map(toUser);
  }

  async getAllActiveUsers(since: number): Promise<User[]> {
    return (this.sql.activeReaders.all(since) as UserRow[]).map(toUser);
  }

  async getReader(readerId: number): Promise<User> {
    const row = this.sql.readerById.get(readerId) as UserRow | undefined;
    if (!row) throw readerNotFound();
    return toUser(row);
  }

  async getReaderMilestones(readerId: number): Promise<Milestone[]> {
    await this.getReader(readerId);
    return (this.sql.milestonesOf.all(readerId) as MilestoneRow[]).map(toMilestone);
  }

  async listReaders(query: ReaderListQuery & PageRequest): Promise<Page<ReaderSummary>> {
    if ((query.sort ?? 'id') !== 'id' || query.status !== undefined) return this.sortedReaders(query);
    const [after] = query.cursor === undefined ? [0] : decodeCursor(query.cursor);
    const cohort = this.cohorts.filter(query.cohortId);
    // instr, not LIKE: no wildcards to escape, and it compares bytes, so even a NUL matches literally.
    const needle = query.search ? query.search.toLowerCase() : null;
    const statement = cohort === null ? this.sql.readerPage : this.sql.cohortReaderPage;
    const rows = (cohort === null ? statement.all({ after, needle, limit: query.limit + 1 }) : statement.all({ after, needle, cohort, limit: query.limit + 1 })) as UserRow[];
    const users = rows.map(toUser);
    const counts = this.countMilestones(users.slice(0, query.limit).map((u) => u.id));
    const readers = users.map((user) => ({
      ...user,
      counts: counts.get(user.id) ?? { started: 0, completed: 0, stuck: 0 },
    }));
    return pageFrom(readers, query.limit, (reader) => encodeCursor(reader.id));
  }

  async countReaders(query: ReaderListQuery): Promise<number> {
    if (query.status !== undefined) {
      const { text, values } = readerListCountSql(DIALECT, this.listFilter(query));
      return (this.prepared(text).get(...values) as { n: number }).n;
    }
    const cohort = this.cohorts.filter(query.cohortId);
    const needle = query.search ? query.search.toLowerCase() : null;
    return (cohort === null ? this.sql.readerTotal.get({ needle }) : this.sql.cohortReaderTotal.get({ needle, cohort })) as number;
  }

  async listStuckReaders(page: { cohortId?: number | undefined } & PageRequest): Promise<Page<StuckReader>> {
    const [since, id] = page.cursor === undefined ? [0, 0] : decodeCursor(page.cursor, 2);
    const cohort = this.cohorts.filter(page.cohortId);
    const rows = this.sql.stuckPage.all({ since, id, cohort, limit: page.limit + 1 }) as (UserRow & {
      milestone_id: number;
      chapter_id: string;
      since: number;
    })[];
    const items = rows.map((row) => ({ reader: toUser(row), chapterId: row.chapter_id, since: row.since, key: row.milestone_id }));
    const result = pageFrom(items, page.limit, (last) => encodeCursor(last.since, last.key));
    return { items: result.items.map(({ key: _key, ...stuck }) => stuck), nextCursor: result.nextCursor };
  }

  /** A page of the list in another order than by id, or filtered by status: the cursor is the position. */
  private async sortedReaders(query: ReaderListQuery & PageRequest): Promise<Page<ReaderSummary>> {
    const [offset] = query.cursor === undefined ? [0] : decodeCursor(query.cursor, 2);
    const { text, values } = readerListPageSql(DIALECT, this.listFilter(query), query.sort ?? 'id', query.limit + 1, offset!);
    const users = (this.prepared(text).all(...values) as UserRow[]).map(toUser);
    const counts = this.countMilestones(users.slice(0, query.limit).map((u) => u.id));
    const readers = users.map((user) => ({ ...user, counts: counts.get(user.id) ?? { started: 0, completed: 0, stuck: 0 } }));
    return pageFrom(readers, query.limit, () => encodeCursor(offset! + query.limit, 1));
  }

  private countMilestones(userIds: readonly number[]): Map<number, ReaderSummary['counts']> {
    const counts = new Map<number, { started: number; completed: number; stuck: number }>();
    if (userIds.length === 0) return counts;
    const rows = this.sql.milestoneCounts.all(JSON.stringify(userIds)) as {
      user_id: number;
      status: 'started' | 'completed' | 'stuck';
      n: number;
    }[];
    for (const row of rows) {
      const entry = counts.get(row.user_id) ?? { started: 0, completed: 0, stuck: 0 };
      entry[row.status] = row.n;
      counts.set(row.user_id, entry);
    }
    return counts;
  }
}
