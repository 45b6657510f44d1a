import { readerNotFound, decodeCursor, encodeCursor, pageFrom, type Milestone, type Page, type PageRequest, type ReaderListQuery, type ReaderSummary, type ReadersPort, type StuckReader, type User } from '../domain/index.js';
import { readerListCountSql, readerListPageSql, type ReaderListDialect } from '../domain/storage/reader-list-sql.js';
import type { PostgresAccess } from './postgres-access.js';
import type { PostgresCohorts } from './postgres-cohorts.js';
import { toMilestone, toUser, type MilestoneRow, type UserRow } from '../domain/storage/stored-rows.js';
import { statements as sql, type Statement } from './statements.js';
import { createHash } from 'node:crypto';

/** A sorted or filtered list's statement, named after its text so each shape is prepared once per connection. */
function listStatement(text: string): Statement {
  return { name: `readpulse-reader-list-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`, text };
}

const DIALECT: ReaderListDialect = {
  placeholder: (index) => `$${index}`,
  contains: (column, needle) => `strpos(${column}, ${needle}::text) > 0`,
  nameOrder: 'u.name COLLATE "C"',
  lastActiveOrder: 'u.last_active_at DESC NULLS LAST, u.id DESC',
};

/** What consultants read about readers on PostgreSQL. Reads only. */
export class PostgresReaders implements ReadersPort {
  constructor(
    private readonly db: PostgresAccess,
    private readonly cohorts: Pick<PostgresCohorts, 'filter'>,
  ) {}

  async getAllActiveUsers(since: number): Promise<User[]> {
    return (await this.db.read<UserRow>(sql.activeReaders, [since])).map(toUser);
  }

  async getActiveReadersPage(since: number, after: { lastActiveAt: number; id: number } | null, limit: number): Promise<User[]> {
    const afterAt = after?.lastActiveAt ?? since;
    const afterId = after === null ? Number.MAX_SAFE_INTEGER : after.id;
    const from = Math.max(since + 1, afterAt);
    return (await this.db.read<UserRow>(sql.activeReadersPage, [from, afterAt, afterId, limit])).map(toUser);
  }

  async getReader(readerId: number): Promise<User> {
    const [row] = await this.db.read<UserRow>(sql.readerById, [readerId]);
    if (!row) throw readerNotFound();
    return toUser(row);
  }

  async getReaderMilestones(readerId: number): Promise<Milestone[]> {
    await this.getReader(readerId);
    return (await this.db.read<MilestoneRow>(sql.milestonesOf, [readerId])).map(toMilestone);
  }

  async listReaders(query: ReaderListQuery & PageRequest): Promise<Page<ReaderSummary>> {
    if ((query.sort ?? 'id') !== 'id' || query.status !== undefined) return this.sortedReaders(query);
    const cohort = await this.cohorts.filter(query.cohortId);
    const [after] = query.cursor === undefined ? [0] : decodeCursor(query.cursor);
    const needle = query.search ? query.search.toLowerCase() : null;
    // PostgreSQL text cannot hold a NUL, so no stored name or email contains one.
    if (needle !== null && needle.includes('\u0000')) return { items: [], nextCursor: null };
    const rows =
      cohort === null
        ? await this.db.read<UserRow>(sql.readerPage, [after, needle, query.limit + 1])
        : await this.db.read<UserRow>(sql.cohortReaderPage, [after, needle, query.limit + 1, cohort]);
    const users = rows.map(toUser);
    const counts = await this.countMilestones(users.slice(0, query.limit).map((u) => u.id));
    const readers = users.map((user) => ({ ...user, counts: counts.get(user.id) ?? { started: 0, completed: 0, stuck: 0 } }));
    return pageFrom(readers, query.limit, (reader) => encodeCursor(reader.id));
  }

  async countReaders(query: ReaderListQuery): Promise<number> {
    const cohort = await this.cohorts.filter(query.cohortId);
    const needle = query.search ? query.search.toLowerCase() : null;
    if (needle !== null && needle.includes('\u0000')) return 0;
    if (query.status !== undefined) {
      const { text, values } = readerListCountSql(DIALECT, { needle, cohort, status: query.status });
      const [counted] = await this.db.read<{ n: number }>(listStatement(text), values);
      return Number(counted!.n);
    }
    const [row] =
      cohort === null
        ? await this.db.read<{ n: number }>(sql.readerTotal, [needle])
        : await this.db.read<{ n: number }>(sql.cohortReaderTotal, [needle, cohort]);
    return Number(row!.n);
  }

  async listStuckReaders(page: { cohortId?: number | undefined } & PageRequest): Promise<Page<StuckReader>> {
    const cohort = await this.cohorts.filter(page.cohortId);
    const [since, id] = page.cursor === undefined ? [0, 0] : decodeCursor(page.cursor, 2);
    const rows = await this.db.read<UserRow & { milestone_id: number; chapter_id: string; since: number }>(sql.stuckPage, [
      since,
      id,
      page.limit + 1,
      cohort,
    ]);
    const items = rows.map((row) => ({ reader: toUser(row), chapterId: row.chapter_id, since: row.since, key: row.milestone_id }));
    const result = pageFrom(items, page.limit, (last) => encodeCursor(last.since, last.key));
    return { items: result.items.map(({ key: _key, ...stuck }) => stuck), nextCursor: result.nextCursor };
  }

  /** A page of the list in another order than by id, or filtered by status: the cursor is the position. */
  private async sortedReaders(query: ReaderListQuery & PageRequest): Promise<Page<ReaderSummary>> {
    const cohort = await this.cohorts.filter(query.cohortId);
    const [offset] = query.cursor === undefined ? [0] : decodeCursor(query.cursor, 2);
    const needle = query.search ? query.search.toLowerCase() : null;
    if (needle !== null && needle.includes('\u0000')) return { items: [], nextCursor: null };
    const { text, values } = readerListPageSql(DIALECT, { needle, cohort, status: query.status }, query.sort ?? 'id', query.limit + 1, offset!);
    const users = (await this.db.read<UserRow>(listStatement(text), values)).map(toUser);
    const counts = await this.countMilestones(users.slice(0, query.limit).map((u) => u.id));
    const readers = users.map((user) => ({ ...user, counts: counts.get(user.id) ?? { started: 0, completed: 0, stuck: 0 } }));
    return pageFrom(readers, query.limit, () => encodeCursor(offset! + query.limit, 1));
  }

  private async countMilestones(userIds: readonly number[]): Promise<Map<number, ReaderSummary['counts']>> {
    const counts = new Map<number, { started: number; completed: number; stuck: number }>();
    if (userIds.length === 0) return counts;
    const rows = await this.db.read<{ user_id: number; status: 'started' | 'completed' | 'stuck'; n: number }>(sql.milestoneCounts, [userIds]);
    for (const row of rows) {
      const entry = counts.get(row.user_id) ?? { started: 0, completed: 0, stuck: 0 };
      entry[row.status] = row.n;
      counts.set(row.user_id, entry);
    }
    return counts;
  }
}
