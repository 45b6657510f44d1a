import { readerNotFound, decodeCursor, encodeCursor, pageFrom, type Milestone, type Page, type PageRequest, type ReaderSummary, type ReadersPort, type StuckReader, type User } from '../domain/index.js';
import type { PostgresAccess } from './postgres-access.js';
import type { PostgresCohorts } from './postgres-cohorts.js';
import { toMilestone, toUser, type MilestoneRow, type UserRow } from '../domain/storage/stored-rows.js';
import { statements as sql } from './statements.js';

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

  async listReaders(query: { search?: string | undefined; cohortId?: number | undefined } & PageRequest): Promise<Page<ReaderSummary>> {
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

  async countReaders(query: { search?: string | undefined; cohortId?: number | undefined }): Promise<number> {
    const cohort = await this.cohorts.filter(query.cohortId);
    const needle = query.search ? query.search.toLowerCase() : null;
    if (needle !== null && needle.includes('\u0000')) return 0;
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
