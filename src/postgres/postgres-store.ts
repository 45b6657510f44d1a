import {
  AppError,
  checkRetentionLimit,
  decodeCursor,
  encodeCursor,
  metadataJson,
  normalizeEmail,
  pageFrom,
  requireStorableText,
  userNotFound,
  type AccessLogEntry,
  type AccessRecord,
  type ActivityBucket,
  type ActivityBucketQuery,
  type ActivityEvent,
  type ActivityExportQuery,
  type ActivityExportRow,
  type ActivityInput,
  type AttentionItem,
  type AttentionRules,
  type AttentionState,
  type AttentionSweepResult,
  type Chapter,
  type ChapterFunnel,
  type Clock,
  type Cohort,
  type Heartbeat,
  type Invite,
  type Milestone,
  type MilestoneInput,
  type NewInvite,
  type NewUser,
  type Page,
  type PageRequest,
  type ProgressExportRow,
  type ProgressGrid,
  type ReaderFilter,
  type ReaderSummary,
  type Session,
  type SessionRevocation,
  type SessionWithUser,
  type Store,
  type UsersPort,
  type SessionsPort,
  type ProgressPort,
  type ActivityPort,
  type ReadersPort,
  type ChaptersPort,
  type CohortsPort,
  type InvitesPort,
  type AttentionPort,
  type AnalyticsPort,
  type ExportsPort,
  type AccessLogPort,
  type OperationsPort,
  type StuckReader,
  type User,
  type UserCredentials,
  type UserDataExport,
} from '../domain/index.js';
import { AccessLogQueries } from './access-log-queries.js';
import { ActivityAggregates } from './activity-aggregates.js';
import { ExportQueries } from './export-queries.js';
import { InsightQueries } from './insight-queries.js';
import { migrate } from './migrate.js';
import { MilestoneAggregates, type MilestoneContribution } from './milestone-aggregates.js';
import { sqlOn, type Sql } from './pg-sql.js';
import { PostgresAttention } from './postgres-attention.js';
import { PostgresCohorts } from './postgres-cohorts.js';
import { PostgresInvites } from './postgres-invites.js';
import { openPool, type Pool } from './open-pool.js';
import { dumpDatabase } from './pg-dump.js';
import { translatePostgresError } from './postgres-errors.js';
import {
  toActivityEvent,
  toMilestone,
  toSession,
  toUser,
  type ActivityRow,
  type MilestoneRow,
  type SessionRow,
  type UserRow,
} from './rows.js';
import { statements as sql, type Statement } from './statements.js';
import { WriteQueue, type WriteClient, type WriteQueueOptions } from './write-queue.js';

export interface PostgresStoreOptions {
  /** postgres:// or postgresql:// URL of the database. */
  readonly url: string;
  readonly clock: Clock;
  readonly maxConnections?: number;
  readonly writeQueue?: Partial<WriteQueueOptions>;
  /** Called when an idle pooled connection fails; the pool replaces it. */
  readonly onIdleError?: (error: Error) => void;
  /**
   * A heartbeat moves a session's stored last_seen_at only when it is at least this much newer,
   * as on SQLite; 0 (the default) writes every heartbeat.
   */
  readonly sessionSeenResolutionMs?: number;
}

const DEFAULT_WRITE_QUEUE: WriteQueueOptions = { maxPending: 10_000, maxBatch: 500 };
/** Opens a pool on `options.url`, applies pending migrations and returns a Store on it. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = openPool({
    url: options.url,
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    ...(options.onIdleError ? { onIdleError: options.onIdleError } : {}),
  });
  try {
    const applied = await migrate(pool, options.clock.now());
    return new PostgresStore(
      pool,
      options.url,
      options.clock,
      { ...DEFAULT_WRITE_QUEUE, ...options.writeQueue },
      applied,
      options.sessionSeenResolutionMs,
    );
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/**
 * The Store on a PostgreSQL pool. Reads run on any pooled connection; every write goes through
 * the batched writer, so concurrent requests share transactions as they do on SQLite.
 */
/** upsertMilestone's row: the milestone now, and whether it counts in the chapter aggregates. */
type UpsertedMilestoneRow = MilestoneRow & MilestoneContribution & { readonly counted: boolean };

export class PostgresStore implements Store {
  // The ports: this class still implements each of them (split per port next).
  get users(): UsersPort {
    return this;
  }
  get sessions(): SessionsPort {
    return this;
  }
  get progress(): ProgressPort {
    return this;
  }
  get activity(): ActivityPort {
    return this;
  }
  get readers(): ReadersPort {
    return this;
  }
  get chapters(): ChaptersPort {
    return this;
  }
  get cohorts(): CohortsPort {
    return this;
  }
  get invites(): InvitesPort {
    return this;
  }
  get attention(): AttentionPort {
    return this;
  }
  get analytics(): AnalyticsPort {
    return this;
  }
  get exports(): ExportsPort {
    return this;
  }
  get accessLog(): AccessLogPort {
    return this;
  }
  get operations(): OperationsPort {
    return this;
  }
  private readonly writes: WriteQueue;
  private closed = false;
  private readonly revocationListeners: ((revoked: SessionRevocation) => void)[] = [];
  private readonly reads: Sql;
  private readonly cohortsQueries: PostgresCohorts;
  private readonly invitesQueries: PostgresInvites;
  private readonly attentionQueries: PostgresAttention;
  private readonly aggregates = new ActivityAggregates();
  private readonly milestoneAggregates = new MilestoneAggregates();
  private readonly insight: InsightQueries;
  private readonly accessLogQueries = new AccessLogQueries();
  private readonly exportsQueries: ExportQueries;

  constructor(
    readonly pool: Pool,
    private readonly url: string,
    private readonly clock: Clock,
    writeQueueOptions: WriteQueueOptions,
    /** Migrations this open applied (empty when the schema was current). */
    readonly appliedMigrations: readonly string[] = [],
    private readonly sessionSeenResolutionMs = 0,
  ) {
    // Activity aggregates are updated once per batch, just before it commits.
    this.writes = new WriteQueue(pool, {
      ...writeQueueOptions,
      onBegin: () => {
        this.aggregates.discardDeferred();
        this.milestoneAggregates.discardDeferred();
      },
      beforeCommit: async (client) => {
        await this.aggregates.applyDeferred(client);
        await this.milestoneAggregates.applyDeferred(client);
      },
    });
    this.reads = sqlOn(pool);
    const write = <T>(work: (sql: Sql) => Promise<T>, conflictMessage?: string): Promise<T> =>
      this.write((db) => work(sqlOn(db)), conflictMessage);
    this.cohortsQueries = new PostgresCohorts(this.reads, write);
    this.invitesQueries = new PostgresInvites(this.reads, write);
    this.attentionQueries = new PostgresAttention(this.reads, clock, write);
    this.insight = new InsightQueries(this.reads);
    this.exportsQueries = new ExportQueries(this.reads, this.accessLogQueries);
  }

  /** Calls the listener after each session or user deletion made through this store. */
  onSessionsRevoked(listener: (revoked: SessionRevocation) => void): void {
    this.revocationListeners.push(listener);
  }

  private revoked(revocation: SessionRevocation): void {
    for (const listener of this.revocationListeners) listener(revocation);
  }

  /** Writes waiting for the next batch. */
  get pendingWrites(): number {
    return this.writes.depth;
  }

  async createUser(input: NewUser): Promise<User> {
    requireStorableText('name', input.name);
    requireStorableText('email', input.email);
    const email = normalizeEmail(input.email);
    const now = this.clock.now();
    const searchKey = `${email} ${input.name}`.toLowerCase();
    return this.write(async (db) => {
      const { rows } = await run<UserRow>(db, sql.insertUser, [email, input.name, input.passwordHash, input.role, now, searchKey]);
      return toUser(rows[0]!);
    });
  }

  async getUserByEmail(email: string): Promise<UserCredentials | null> {
    const [row] = await this.read<UserRow>(sql.userByEmail, [normalizeEmail(email)]);
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  async getUserById(id: number): Promise<User | null> {
    const [row] = await this.read<UserRow>(sql.userById, [id]);
    return row ? toUser(row) : null;
  }

  async setPasswordHash(userId: number, passwordHash: string): Promise<void> {
    await this.write(async (db) => {
      if ((await run(db, sql.updatePasswordHash, [passwordHash, userId])).rowCount === 0) throw userNotFound();
    });
  }

  async deleteUser(userId: number): Promise<void> {
    await this.write(async (db) => {
      // The aggregates are sums over users: take this user's share out before the rows go.
      await this.aggregates.removeUser(sqlOn(db), userId);
      const milestones = await this.milestoneAggregates.contributionsOf(sqlOn(db), userId);
      if ((await run(db, sql.deleteUser, [userId])).rowCount === 0) throw userNotFound();
      // Last, so a deletion that failed defers nothing.
      for (const row of milestones) this.milestoneAggregates.defer(row.chapter_id, row, null);
    });
    this.revoked({ userId });
  }

  async createSession(session: Session): Promise<void> {
    const values = [session.tokenHash, session.userId, session.createdAt, session.lastSeenAt, session.expiresAt];
    await this.write((db) => run(db, sql.insertSession, values), 'That session exists already.');
  }

  async findSession(tokenHash: string): Promise<SessionWithUser | null> {
    const [row] = await this.read<UserRow & Omit<SessionRow, 'created_at'> & { session_created_at: number }>(
      sql.sessionWithUser,
      [tokenHash],
    );
    if (!row) return null;
    return { session: toSession({ ...row, created_at: row.session_created_at }), user: toUser(row) };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.write((db) => run(db, sql.deleteSession, [tokenHash]));
    this.revoked({ tokenHash });
  }

  async deleteUserSessions(userId: number, exceptTokenHash?: string): Promise<number> {
    const removed = await this.write(
      async (db) => (await run(db, sql.deleteUserSessions, [userId, exceptTokenHash ?? null])).rowCount ?? 0,
    );
    this.revoked({ userId });
    return removed;
  }

  async deleteExpiredSessions(now: number, idleTimeoutMs: number): Promise<number> {
    return this.write(async (db) => (await run(db, sql.deleteExpiredSessions, [now, now - idleTimeoutMs])).rowCount ?? 0);
  }

  async updateHeartbeat(userId: number, at: number): Promise<void> {
    await this.write((db) => run(db, sql.touchUser, [at, userId]));
  }

  async recordHeartbeats(heartbeats: readonly Heartbeat[]): Promise<void> {
    if (heartbeats.length === 0) return;
    const userIds = heartbeats.map((b) => b.userId);
    const tokens = heartbeats.map((b) => b.tokenHash);
    const times = heartbeats.map((b) => b.at);
    // Moves last_seen_at only when it is at least the resolution older (strictly older at 0).
    const slack = Math.max(0, this.sessionSeenResolutionMs - 1);
    await this.write(async (db) => {
      await run(db, sql.touchUsersOnSessions, [userIds, tokens, times]);
      await run(db, sql.touchSessions, [tokens, times, slack]);
    });
  }

  async upsertMilestone(userId: number, input: MilestoneInput): Promise<Milestone> {
    const now = this.clock.now();
    return this.write(async (db) => {
      const { rows: before } = await run<MilestoneContribution>(db, sql.milestoneBefore, [userId, input.chapterId]);
      const { rows } = await run<UpsertedMilestoneRow>(db, sql.upsertMilestone, [userId, input.chapterId, input.status, input.score, now]);
      const row = rows[0]!;
      if (row.counted) this.milestoneAggregates.defer(input.chapterId, before[0] ?? null, row);
      return toMilestone(row);
    });
  }

  async getMyMilestones(userId: number): Promise<Milestone[]> {
    return (await this.read<MilestoneRow>(sql.milestonesOf, [userId])).map(toMilestone);
  }

  async logActivity(userId: number, input: ActivityInput): Promise<ActivityEvent> {
    const [event] = await this.logActivities(userId, [input]);
    return event!;
  }

  async logActivities(userId: number, inputs: readonly ActivityInput[]): Promise<ActivityEvent[]> {
    const now = this.clock.now();
    const actionTypes = inputs.map((input) => input.actionType);
    const metadata = inputs.map((input) => (input.metadata === null ? null : metadataJson(input.metadata)));
    return this.write(async (db) => {
      const { rows } = await run<ActivityRow>(db, sql.insertActivities, [userId, actionTypes, metadata, now]);
      this.aggregates.defer({ userId, at: now, events: rows.length });
      // RETURNING promises no order; the ids were handed out in the input's order.
      return rows.sort((a, b) => a.id - b.id).map(toActivityEvent);
    });
  }

  async listActivity(userId: number, page: PageRequest): Promise<Page<ActivityEvent>> {
    const [before] = page.cursor === undefined ? [Number.MAX_SAFE_INTEGER] : decodeCursor(page.cursor);
    const rows = await this.read<ActivityRow>(sql.activityPage, [userId, before, page.limit + 1]);
    return pageFrom(rows.map(toActivityEvent), page.limit, (event) => encodeCursor(event.id));
  }

  async deleteActivityBefore(cutoff: number, limit: number): Promise<number> {
    checkRetentionLimit(limit);
    return this.write(async (db) => {
      const removed = (await run<{ userId: number; at: number }>(db, sql.activityBefore, [cutoff, limit])).rows;
      await this.aggregates.apply(
        sqlOn(db),
        removed.map((d) => ({ ...d, events: -1 })),
      );
      return (await run(db, sql.deleteActivityBefore, [cutoff, limit])).rowCount ?? 0;
    });
  }

  async getAllActiveUsers(since: number): Promise<User[]> {
    return (await this.read<UserRow>(sql.activeReaders, [since])).map(toUser);
  }

  async getActiveReadersPage(since: number, after: { lastActiveAt: number; id: number } | null, limit: number): Promise<User[]> {
    const afterAt = after?.lastActiveAt ?? since;
    const afterId = after === null ? Number.MAX_SAFE_INTEGER : after.id;
    const from = Math.max(since + 1, afterAt);
    return (await this.read<UserRow>(sql.activeReadersPage, [from, afterAt, afterId, limit])).map(toUser);
  }

  async getUsersByIds(ids: readonly number[]): Promise<User[]> {
    if (ids.length === 0) return [];
    return (await this.read<UserRow>(sql.usersByIds, [ids])).map(toUser);
  }

  async getReader(readerId: number): Promise<User> {
    const [row] = await this.read<UserRow>(sql.readerById, [readerId]);
    if (!row) throw new AppError('not_found', 'No reader has that id.');
    return toUser(row);
  }

  async getReaderMilestones(readerId: number): Promise<Milestone[]> {
    await this.getReader(readerId);
    return this.getMyMilestones(readerId);
  }

  async listReaders(query: { search?: string | undefined; cohortId?: number | undefined } & PageRequest): Promise<Page<ReaderSummary>> {
    const cohort = await this.cohortFilter(query.cohortId);
    const [after] = query.cursor === undefined ? [0] : decodeCursor(query.cursor);
    const needle = query.search ? query.search.toLowerCase() : null;
    // PostgreSQL text cannot hold a NUL, so no stored name or email contains one.
    if (needle !== null && needle.includes('\u0000')) return { items: [], nextCursor: null };
    const rows =
      cohort === null
        ? await this.read<UserRow>(sql.readerPage, [after, needle, query.limit + 1])
        : await this.read<UserRow>(sql.cohortReaderPage, [after, needle, query.limit + 1, cohort]);
    const users = rows.map(toUser);
    const counts = await this.countMilestones(users.slice(0, query.limit).map((u) => u.id));
    const readers = users.map((user) => ({ ...user, counts: counts.get(user.id) ?? { started: 0, completed: 0, stuck: 0 } }));
    return pageFrom(readers, query.limit, (reader) => encodeCursor(reader.id));
  }

  async listStuckReaders(page: { cohortId?: number | undefined } & PageRequest): Promise<Page<StuckReader>> {
    const cohort = await this.cohortFilter(page.cohortId);
    const [since, id] = page.cursor === undefined ? [0, 0] : decodeCursor(page.cursor, 2);
    const rows = await this.read<UserRow & { milestone_id: number; chapter_id: string; since: number }>(sql.stuckPage, [
      since,
      id,
      page.limit + 1,
      cohort,
    ]);
    const items = rows.map((row) => ({ reader: toUser(row), chapterId: row.chapter_id, since: row.since, key: row.milestone_id }));
    const result = pageFrom(items, page.limit, (last) => encodeCursor(last.since, last.key));
    return { items: result.items.map(({ key: _key, ...stuck }) => stuck), nextCursor: result.nextCursor };
  }

  async listChapters(): Promise<Chapter[]> {
    return this.read<Chapter>(sql.chapters, []);
  }

  async createChapter(input: { id: string; title: string }): Promise<Chapter> {
    requireStorableText('title', input.title);
    const now = this.clock.now();
    return this.write(async (db) => {
      // Another instance may append at the same time: the lock keeps positions distinct.
      await run(db, sql.lockChapters, []);
      return (await run<Chapter>(db, sql.insertChapter, [input.id, input.title, now])).rows[0]!;
    }, 'A chapter with that id exists already.');
  }

  async updateChapter(id: string, input: { title: string }): Promise<Chapter> {
    requireStorableText('title', input.title);
    const now = this.clock.now();
    return this.write(async (db) => {
      const [chapter] = (await run<Chapter>(db, sql.renameChapter, [id, input.title, now])).rows;
      if (!chapter) throw new AppError('not_found', 'No chapter has that id.');
      return chapter;
    });
  }

  async reorderChapters(ids: readonly string[]): Promise<Chapter[]> {
    const now = this.clock.now();
    return this.write(async (db) => {
      await run(db, sql.lockChapters, []);
      const current = (await run<Chapter>(db, sql.chapters, [])).rows.map((c) => c.id);
      const given = new Set(ids);
      if (given.size !== ids.length || ids.length !== current.length || !current.every((id) => given.has(id))) {
        throw new AppError('invalid_request', 'ids must name every chapter exactly once.');
      }
      await run(db, sql.moveChapters, [ids, now]);
      return (await run<Chapter>(db, sql.chapters, [])).rows;
    });
  }

  createCohort = (name: string): Promise<Cohort> => this.reading(() => this.cohortsQueries.create(name, this.clock.now()));
  listCohorts = (): Promise<Cohort[]> => this.reading(() => this.cohortsQueries.list());
  getCohort = (cohortId: number): Promise<Cohort> => this.reading(() => this.cohortsQueries.get(cohortId));
  renameCohort = (cohortId: number, name: string): Promise<Cohort> => this.reading(() => this.cohortsQueries.rename(cohortId, name));
  deleteCohort = (cohortId: number): Promise<void> => this.reading(() => this.cohortsQueries.remove(cohortId));
  addReaderToCohort = (cohortId: number, readerId: number): Promise<void> =>
    this.reading(() => this.cohortsQueries.addReader(cohortId, readerId, this.clock.now()));
  removeReaderFromCohort = (cohortId: number, readerId: number): Promise<void> =>
    this.reading(() => this.cohortsQueries.removeReader(cohortId, readerId));
  listCohortReaderIds = (cohortId: number): Promise<number[]> => this.reading(() => this.cohortsQueries.readerIds(cohortId));
  listReaderCohortIds = (readerId: number): Promise<number[]> => this.reading(() => this.cohortsQueries.cohortsOf(readerId));

  createInvite = (input: NewInvite): Promise<Invite> => this.reading(() => this.invitesQueries.create(input, this.clock.now()));
  listInvites = (page: PageRequest): Promise<Page<Invite>> => this.reading(() => this.invitesQueries.list(page));
  revokeInvite = (ref: { readonly codePrefix: string } | { readonly codeHash: string }): Promise<void> =>
    this.reading(() => this.invitesQueries.revoke(ref));
  registerWithInvite = (input: Omit<NewUser, 'role'>, codeHash: string): Promise<{ user: User; cohortId: number | null }> =>
    this.reading(() => this.invitesQueries.register(input, codeHash, this.clock.now()));

  getAttentionRules = (): Promise<AttentionRules> => this.reading(() => this.attentionQueries.rules());
  setAttentionRules = (change: Partial<AttentionRules>): Promise<AttentionRules> => this.reading(() => this.attentionQueries.setRules(change));
  listAttention = (query: { state: AttentionState; cohortId?: number | undefined } & PageRequest): Promise<Page<AttentionItem>> =>
    this.reading(async () => this.attentionQueries.list({ ...query, cohortId: await this.cohortFilter(query.cohortId) }));
  countAttention = (cohortId?: number): Promise<{ open: number; claimed: number }> =>
    this.reading(async () => this.attentionQueries.counts(await this.cohortFilter(cohortId)));
  getAttentionItem = (itemId: number): Promise<AttentionItem> => this.reading(() => this.attentionQueries.get(itemId));
  claimAttention = (itemId: number, consultantId: number): Promise<AttentionItem> =>
    this.reading(() => this.attentionQueries.claim(itemId, consultantId));
  releaseAttention = (itemId: number, consultantId: number): Promise<AttentionItem> =>
    this.reading(() => this.attentionQueries.release(itemId, consultantId));
  resolveAttention = (itemId: number, consultantId: number, note: string | null): Promise<AttentionItem> =>
    this.reading(() => this.attentionQueries.resolve(itemId, consultantId, note));
  reviewMilestoneAttention = (readerId: number, chapterId: string): Promise<AttentionItem[]> =>
    this.reading(() => this.attentionQueries.reviewMilestone(readerId, chapterId));
  reviewReturnAttention = (readerId: number): Promise<AttentionItem[]> => this.reading(() => this.attentionQueries.reviewReturn(readerId));
  sweepAttention = (limit: number): Promise<AttentionSweepResult> => this.reading(() => this.attentionQueries.sweep(limit));

  getChapterFunnel(filter: ReaderFilter): Promise<ChapterFunnel[]> {
    return this.reading(() => this.insight.chapterFunnel(filter));
  }

  getActivityBuckets(query: ActivityBucketQuery): Promise<ActivityBucket[]> {
    return this.reading(() => this.insight.activityBuckets(query));
  }

  getProgressGrid(query: ReaderFilter & PageRequest): Promise<ProgressGrid> {
    return this.reading(() => this.insight.progressGrid(query));
  }

  streamProgressExport(filter: ReaderFilter, batchRows?: number): AsyncIterable<readonly ProgressExportRow[]> {
    return this.translated(this.exportsQueries.progress(filter, batchRows));
  }

  streamActivityExport(query: ActivityExportQuery, batchRows?: number): AsyncIterable<readonly ActivityExportRow[]> {
    return this.translated(this.exportsQueries.activity(query, batchRows));
  }

  getUserDataExport(userId: number): Promise<UserDataExport> {
    return this.reading(() => this.exportsQueries.userData(userId));
  }

  async recordAccess(records: readonly AccessRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.write((db) => this.accessLogQueries.record(sqlOn(db), records));
  }

  async listAccessLog(readerId: number, page: PageRequest): Promise<Page<AccessLogEntry>> {
    if (!(await this.getUserById(readerId))) throw userNotFound();
    return this.reading(() => this.accessLogQueries.page(this.reads, readerId, page));
  }

  async deleteAccessLogBefore(cutoff: number, limit: number): Promise<number> {
    checkRetentionLimit(limit);
    return this.write((db) => this.accessLogQueries.deleteBefore(sqlOn(db), cutoff, limit));
  }

  async ping(): Promise<void> {
    if (this.closed) throw new AppError('unavailable', 'The database is closed.');
    await this.read(sql.ping, []);
  }

  /** Runs pg_dump into `path`. Throws `conflict` if `path` exists, `unavailable` without pg_dump. */
  async backup(path: string): Promise<void> {
    await dumpDatabase(this.url, path);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.flush();
    await this.pool.end();
  }

  private async countMilestones(userIds: readonly number[]): Promise<Map<number, ReaderSummary['counts']>> {
    const counts = new Map<number, { started: number; completed: number; stuck: number }>();
    if (userIds.length === 0) return counts;
    const rows = await this.read<{ user_id: number; status: 'started' | 'completed' | 'stuck'; n: number }>(
      sql.milestoneCounts,
      [userIds],
    );
    for (const row of rows) {
      const entry = counts.get(row.user_id) ?? { started: 0, completed: 0, stuck: 0 };
      entry[row.status] = row.n;
      counts.set(row.user_id, entry);
    }
    return counts;
  }

  /** A cohort filter's parameter: null for none; throws `not_found` for an unknown cohort. */
  private async cohortFilter(cohortId: number | undefined): Promise<number | null> {
    if (cohortId === undefined) return null;
    await this.reading(() => this.cohortsQueries.requireExists(cohortId));
    return cohortId;
  }

  /** Runs a read (or a part's own write) with the store's closed check and error translation. */
  private async reading<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new AppError('unavailable', 'The database is closed.');
    try {
      return await work();
    } catch (error) {
      throw translatePostgresError(error, 'That already exists.', userNotFound);
    }
  }

  private async *translated<T>(rows: AsyncIterable<T>): AsyncGenerator<T> {
    if (this.closed) throw new AppError('unavailable', 'The database is closed.');
    try {
      yield* rows;
    } catch (error) {
      throw translatePostgresError(error, 'That already exists.', userNotFound);
    }
  }

  private async read<R>(statement: Statement, values: readonly unknown[]): Promise<R[]> {
    if (this.closed) throw new AppError('unavailable', 'The database is closed.');
    try {
      return (await this.pool.query<R & object>({ ...statement, values: [...values] })).rows;
    } catch (error) {
      throw translatePostgresError(error, 'That already exists.', userNotFound);
    }
  }

  /** Queues a write for the next batch; `conflictMessage` words a uniqueness violation. */
  private async write<T>(work: (db: WriteClient) => Promise<T>, conflictMessage = 'That email is already registered.'): Promise<T> {
    if (this.closed) throw new AppError('unavailable', 'The database is closed.');
    try {
      return await this.writes.run(work);
    } catch (error) {
      throw translatePostgresError(error, conflictMessage, userNotFound);
    }
  }
}

function run<R extends object = object>(db: WriteClient, statement: Statement, values: readonly unknown[]) {
  return db.query<R>({ ...statement, values: [...values] });
}
