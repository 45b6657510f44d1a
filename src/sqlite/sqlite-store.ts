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
import { ActivityAggregates, type ActivityDelta } from './activity-aggregates.js';
import { ExportQueries } from './export-queries.js';
import { InsightQueries } from './insight-queries.js';
import { MilestoneAggregates } from './milestone-aggregates.js';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrate.js';
import { BUSY_TIMEOUT_MS, openDatabase, type Database, type DatabaseOptions } from './open-database.js';
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
import { WriteQueue, type WriteQueueOptions } from './write-queue.js';
import { prepareStatements, type Statements } from './statements.js';
import { SqliteAttention } from './sqlite-attention.js';
import { SqliteCohorts } from './sqlite-cohorts.js';
import { SqliteInvites } from './sqlite-invites.js';

export interface SqliteStoreOptions extends DatabaseOptions {
  readonly clock: Clock;
  readonly writeQueue?: Partial<WriteQueueOptions>;
  /**
   * A heartbeat moves a session's stored last_seen_at only when it is at least this much newer:
   * idle expiry needs minutes, not seconds, so a busy session is not rewritten every flush.
   * 0 (the default) writes every heartbeat.
   */
  readonly sessionSeenResolutionMs?: number;
}

export type { SessionRevocation } from '../domain/index.js';

const DEFAULT_WRITE_QUEUE: WriteQueueOptions = { maxPending: 10_000, maxBatch: 500 };
/** Opens (creating and migrating) the database at `options.path` and returns a Store on it. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const db = openDatabase(options);
  const applied = migrate(db, options.clock.now());
  return new SqliteStore(db, options.clock, { ...DEFAULT_WRITE_QUEUE, ...options.writeQueue }, applied, options.sessionSeenResolutionMs);
}

/**
 * The Store on one SQLite connection. Reads run directly (better-sqlite3 is synchronous and WAL
 * lets them proceed beside other processes' writes); every write goes through the group-commit
 * queue, so this process never contends with itself for the write lock.
 */
export class SqliteStore implements Store {
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
  private readonly sql: Statements;
  private readonly writes: WriteQueue;
  private readonly cohortsQueries: SqliteCohorts;
  private readonly invitesQueries: SqliteInvites;
  private readonly attentionQueries: SqliteAttention;
  private readonly aggregates: ActivityAggregates;
  private readonly milestoneAggregates: MilestoneAggregates;
  private readonly insight: InsightQueries;
  private readonly accessLogQueries: AccessLogQueries;
  private readonly exportsQueries: ExportQueries;
  private closed = false;
  private readonly revocationListeners: ((revoked: SessionRevocation) => void)[] = [];

  constructor(
    readonly db: Database,
    private readonly clock: Clock,
    writeQueueOptions: WriteQueueOptions,
    /** Migrations this open applied (empty when the schema was current). */
    readonly appliedMigrations: readonly string[] = [],
    private readonly sessionSeenResolutionMs = 0,
  ) {
    this.sql = prepareStatements(db);
    // Activity aggregates are updated once per group commit, just before it commits.
    this.writes = new WriteQueue(db, { ...writeQueueOptions, beforeCommit: () => this.aggregates.applyDeferred() });
    const write = <T>(work: () => T, conflictMessage?: string): Promise<T> => this.write(work, conflictMessage);
    this.cohortsQueries = new SqliteCohorts(db, write);
    this.invitesQueries = new SqliteInvites(db, write);
    this.attentionQueries = new SqliteAttention(db, clock, write);
    this.aggregates = new ActivityAggregates(db);
    this.milestoneAggregates = new MilestoneAggregates(db);
    this.insight = new InsightQueries(db);
    this.accessLogQueries = new AccessLogQueries(db);
    this.exportsQueries = new ExportQueries(db, this.accessLogQueries);
  }

  /** Writes waiting for the next group commit. */
  get pendingWrites(): number {
    return this.writes.depth;
  }

  async createUser(input: NewUser): Promise<User> {
    requireStorableText('name', input.name);
    requireStorableText('email', input.email);
    const email = normalizeEmail(input.email);
    const now = this.clock.now();
    return this.write(() => {
      const searchKey = `${email} ${input.name}`.toLowerCase();
      const row = this.sql.insertUser.get(email, input.name, input.passwordHash, input.role, now, searchKey) as UserRow;
      return toUser(row);
    });
  }

  async getUserByEmail(email: string): Promise<UserCredentials | null> {
    const row = this.sql.userByEmail.get(normalizeEmail(email)) as UserRow | undefined;
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  async getUserById(id: number): Promise<User | null> {
    const row = this.sql.userById.get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async setPasswordHash(userId: number, passwordHash: string): Promise<void> {
    await this.write(() => {
      if (this.sql.updatePasswordHash.run(passwordHash, userId).changes === 0) throw userNotFound();
    });
  }

  /** Calls the listener after each session or user deletion made through this store. */
  onSessionsRevoked(listener: (revoked: SessionRevocation) => void): void {
    this.revocationListeners.push(listener);
  }

  private revoked(revocation: SessionRevocation): void {
    for (const listener of this.revocationListeners) listener(revocation);
  }

  async deleteUser(userId: number): Promise<void> {
    await this.write(() => {
      // The aggregates are sums over users: take this user's share out before the rows go.
      // (Activity of theirs earlier in this batch is deferred, and skipped at commit: no user.)
      this.aggregates.removeUser(userId);
      this.milestoneAggregates.removeUser(userId);
      if (this.sql.deleteUser.run(userId).changes === 0) throw userNotFound();
    });
    this.revoked({ userId });
  }

  async createSession(session: Session): Promise<void> {
    await this.write(() => {
      this.sql.insertSession.run(
        session.tokenHash,
        session.userId,
        session.createdAt,
        session.lastSeenAt,
        session.expiresAt,
      );
    }, 'That session exists already.');
  }

  async findSession(tokenHash: string): Promise<SessionWithUser | null> {
    const row = this.sql.sessionWithUser.get(tokenHash) as
      | (UserRow & Omit<SessionRow, 'created_at'> & { session_created_at: number })
      | undefined;
    if (!row) return null;
    return { session: toSession({ ...row, created_at: row.session_created_at }), user: toUser(row) };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.write(() => this.sql.deleteSession.run(tokenHash));
    this.revoked({ tokenHash });
  }

  async deleteUserSessions(userId: number, exceptTokenHash?: string): Promise<number> {
    const removed = await this.write(() => this.sql.deleteUserSessions.run({ userId, except: exceptTokenHash ?? null }).changes);
    this.revoked({ userId });
    return removed;
  }

  async deleteExpiredSessions(now: number, idleTimeoutMs: number): Promise<number> {
    return this.write(() => this.sql.deleteExpiredSessions.run(now, now - idleTimeoutMs).changes);
  }

  async updateHeartbeat(userId: number, at: number): Promise<void> {
    await this.write(() => this.sql.touchUser.run(at, userId, at));
  }

  async recordHeartbeats(heartbeats: readonly Heartbeat[]): Promise<void> {
    if (heartbeats.length === 0) return;
    await this.write(() => {
      for (const beat of heartbeats) {
        this.sql.touchUserOnSession.run(beat);
        // Moves last_seen_at only when it is at least the resolution older (strictly older at 0).
        this.sql.touchSession.run(beat.at, beat.tokenHash, beat.at - Math.max(0, this.sessionSeenResolutionMs - 1));
      }
    });
  }

  async upsertMilestone(userId: number, input: MilestoneInput): Promise<Milestone> {
    const now = this.clock.now();
    return this.write(() => {
      const counted = this.milestoneAggregates.counts(userId);
      const old = counted ? this.milestoneAggregates.before(userId, input.chapterId) : null;
      const row = this.sql.upsertMilestone.get({ userId, chapterId: input.chapterId, status: input.status, score: input.score, now }) as MilestoneRow & {
        started_at: number | null;
        completed_at: number | null;
      };
      if (counted) this.milestoneAggregates.replace(input.chapterId, old, row);
      return toMilestone(row);
    });
  }

  async getMyMilestones(userId: number): Promise<Milestone[]> {
    return (this.sql.milestonesOf.all(userId) as MilestoneRow[]).map(toMilestone);
  }

  async logActivity(userId: number, input: ActivityInput): Promise<ActivityEvent> {
    const [event] = await this.logActivities(userId, [input]);
    return event!;
  }

  async logActivities(userId: number, inputs: readonly ActivityInput[]): Promise<ActivityEvent[]> {
    const now = this.clock.now();
    const rows = inputs.map((input) => [input.actionType, input.metadata === null ? null : metadataJson(input.metadata)] as const);
    // One write job is one savepoint: if any insert fails, the whole batch rolls back alone.
    return this.write(() => {
      const events = rows.map(([actionType, metadata]) =>
        toActivityEvent(this.sql.insertActivity.get(userId, actionType, metadata, now) as ActivityRow),
      );
      this.aggregates.defer({ userId, at: now, events: events.length });
      return events;
    });
  }

  async listActivity(userId: number, page: PageRequest): Promise<Page<ActivityEvent>> {
    const [before] = page.cursor === undefined ? [Number.MAX_SAFE_INTEGER] : decodeCursor(page.cursor);
    const rows = this.sql.activityPage.all(userId, before, page.limit + 1) as ActivityRow[];
    return pageFrom(rows.map(toActivityEvent), page.limit, (event) => encodeCursor(event.id));
  }

  async deleteActivityBefore(cutoff: number, limit: number): Promise<number> {
    checkRetentionLimit(limit);
    return this.write(() => {
      const removed = this.sql.activityBefore.all(cutoff, limit) as { userId: number; at: number }[];
      // Sums: applied now or with this batch's deferred additions, the result is the same.
      this.aggregates.apply(removed.map((d): ActivityDelta => ({ ...d, events: -1 })));
      return this.sql.deleteActivityBefore.run(cutoff, limit).changes;
    });
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

  async getUsersByIds(ids: readonly number[]): Promise<User[]> {
    if (ids.length === 0) return [];
    return (this.sql.usersByIds.all(JSON.stringify(ids)) as UserRow[]).map(toUser);
  }

  async getReader(readerId: number): Promise<User> {
    const row = this.sql.readerById.get(readerId) as UserRow | undefined;
    if (!row) throw new AppError('not_found', 'No reader has that id.');
    return toUser(row);
  }

  async getReaderMilestones(readerId: number): Promise<Milestone[]> {
    await this.getReader(readerId);
    return this.getMyMilestones(readerId);
  }

  async listReaders(query: { search?: string | undefined; cohortId?: number | undefined } & PageRequest): Promise<Page<ReaderSummary>> {
    const [after] = query.cursor === undefined ? [0] : decodeCursor(query.cursor);
    const cohort = this.cohortFilter(query.cohortId);
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

  async listStuckReaders(page: { cohortId?: number | undefined } & PageRequest): Promise<Page<StuckReader>> {
    const [since, id] = page.cursor === undefined ? [0, 0] : decodeCursor(page.cursor, 2);
    const cohort = this.cohortFilter(page.cohortId);
    const rows = this.sql.stuckPage.all({ since, id, cohort, limit: page.limit + 1 }) as (UserRow & {
      milestone_id: number;
      chapter_id: string;
      since: number;
    })[];
    const items = rows.map((row) => ({ reader: toUser(row), chapterId: row.chapter_id, since: row.since, key: row.milestone_id }));
    const result = pageFrom(items, page.limit, (last) => encodeCursor(last.since, last.key));
    return { items: result.items.map(({ key: _key, ...stuck }) => stuck), nextCursor: result.nextCursor };
  }

  async listChapters(): Promise<Chapter[]> {
    return this.sql.chapters.all() as Chapter[];
  }

  async createChapter(input: { id: string; title: string }): Promise<Chapter> {
    requireStorableText('title', input.title);
    const now = this.clock.now();
    return this.write(() => this.sql.insertChapter.get({ ...input, now }) as Chapter, 'A chapter with that id exists already.');
  }

  async updateChapter(id: string, input: { title: string }): Promise<Chapter> {
    requireStorableText('title', input.title);
    const now = this.clock.now();
    return this.write(() => {
      const chapter = this.sql.renameChapter.get({ id, title: input.title, now }) as Chapter | undefined;
      if (!chapter) throw new AppError('not_found', 'No chapter has that id.');
      return chapter;
    });
  }

  async reorderChapters(ids: readonly string[]): Promise<Chapter[]> {
    const now = this.clock.now();
    return this.write(() => {
      const current = (this.sql.chapters.all() as Chapter[]).map((c) => c.id);
      const given = new Set(ids);
      if (given.size !== ids.length || ids.length !== current.length || !current.every((id) => given.has(id))) {
        throw new AppError('invalid_request', 'ids must name every chapter exactly once.');
      }
      ids.forEach((id, index) => this.sql.moveChapter.run({ id, position: index + 1, now }));
      return this.sql.chapters.all() as Chapter[];
    });
  }

  createCohort = (name: string): Promise<Cohort> => this.cohortsQueries.create(name, this.clock.now());
  listCohorts = (): Promise<Cohort[]> => this.cohortsQueries.list();
  getCohort = async (cohortId: number): Promise<Cohort> => this.cohortsQueries.get(cohortId);
  renameCohort = (cohortId: number, name: string): Promise<Cohort> => this.cohortsQueries.rename(cohortId, name);
  deleteCohort = (cohortId: number): Promise<void> => this.cohortsQueries.remove(cohortId);
  addReaderToCohort = (cohortId: number, readerId: number): Promise<void> =>
    this.cohortsQueries.addReader(cohortId, readerId, this.clock.now());
  removeReaderFromCohort = (cohortId: number, readerId: number): Promise<void> => this.cohortsQueries.removeReader(cohortId, readerId);
  listCohortReaderIds = (cohortId: number): Promise<number[]> => this.cohortsQueries.readerIds(cohortId);
  listReaderCohortIds = (readerId: number): Promise<number[]> => this.cohortsQueries.cohortsOf(readerId);

  createInvite = (input: NewInvite): Promise<Invite> => this.invitesQueries.create(input, this.clock.now());
  listInvites = (page: PageRequest): Promise<Page<Invite>> => this.invitesQueries.list(page);
  revokeInvite = (ref: { readonly codePrefix: string } | { readonly codeHash: string }): Promise<void> => this.invitesQueries.revoke(ref);
  registerWithInvite = (input: Omit<NewUser, 'role'>, codeHash: string): Promise<{ user: User; cohortId: number | null }> =>
    this.invitesQueries.register(input, codeHash, this.clock.now());

  getAttentionRules = (): Promise<AttentionRules> => this.attentionQueries.rules();
  setAttentionRules = (change: Partial<AttentionRules>): Promise<AttentionRules> => this.attentionQueries.setRules(change);
  listAttention = async (
    query: { state: AttentionState; cohortId?: number | undefined } & PageRequest,
  ): Promise<Page<AttentionItem>> => this.attentionQueries.list({ ...query, cohortId: this.cohortFilter(query.cohortId) });
  countAttention = async (cohortId?: number): Promise<{ open: number; claimed: number }> =>
    this.attentionQueries.counts(this.cohortFilter(cohortId));
  getAttentionItem = (itemId: number): Promise<AttentionItem> => this.attentionQueries.get(itemId);
  claimAttention = (itemId: number, consultantId: number): Promise<AttentionItem> => this.attentionQueries.claim(itemId, consultantId);
  releaseAttention = (itemId: number, consultantId: number): Promise<AttentionItem> => this.attentionQueries.release(itemId, consultantId);
  resolveAttention = (itemId: number, consultantId: number, note: string | null): Promise<AttentionItem> =>
    this.attentionQueries.resolve(itemId, consultantId, note);
  reviewMilestoneAttention = (readerId: number, chapterId: string): Promise<AttentionItem[]> =>
    this.attentionQueries.reviewMilestone(readerId, chapterId);
  reviewReturnAttention = (readerId: number): Promise<AttentionItem[]> => this.attentionQueries.reviewReturn(readerId);
  sweepAttention = (limit: number): Promise<AttentionSweepResult> => this.attentionQueries.sweep(limit);
  async getChapterFunnel(filter: ReaderFilter): Promise<ChapterFunnel[]> {
    return this.insight.chapterFunnel(filter);
  }

  async getActivityBuckets(query: ActivityBucketQuery): Promise<ActivityBucket[]> {
    return this.insight.activityBuckets(query);
  }

  async getProgressGrid(query: ReaderFilter & PageRequest): Promise<ProgressGrid> {
    return this.insight.progressGrid(query);
  }

  streamProgressExport(filter: ReaderFilter, batchRows?: number): AsyncIterable<readonly ProgressExportRow[]> {
    return this.exportsQueries.progress(filter, batchRows);
  }

  streamActivityExport(query: ActivityExportQuery, batchRows?: number): AsyncIterable<readonly ActivityExportRow[]> {
    return this.exportsQueries.activity(query, batchRows);
  }

  async getUserDataExport(userId: number): Promise<UserDataExport> {
    return this.exportsQueries.userData(userId);
  }

  async recordAccess(records: readonly AccessRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.write(() => this.accessLogQueries.record(records));
  }

  async listAccessLog(readerId: number, page: PageRequest): Promise<Page<AccessLogEntry>> {
    if (!this.sql.userById.get(readerId)) throw userNotFound();
    return this.accessLogQueries.page(readerId, page);
  }

  async deleteAccessLogBefore(cutoff: number, limit: number): Promise<number> {
    checkRetentionLimit(limit);
    return this.write(() => this.accessLogQueries.deleteBefore(cutoff, limit));
  }

  async ping(): Promise<void> {
    this.sql.ping.get();
  }

  /** Throws `conflict` if `path` exists: a backup never overwrites. */
  async backup(path: string): Promise<void> {
    if (existsSync(path)) throw new AppError('conflict', `${path} exists already.`);
    mkdirSync(dirname(path), { recursive: true });
    // VACUUM INTO reads one consistent snapshot in a single read transaction, which WAL lets run
    // beside writers; an online-backup copy would restart whenever another process writes.
    this.db.prepare('VACUUM INTO ?').run(path);
  }

  /** Checkpoints the WAL, truncating it when no reader holds it. For the periodic policy. */
  checkpoint(): { busy: boolean; walPages: number } {
    // TRUNCATE waits for other processes' readers inside the busy handler, synchronously: with
    // the usual 5 s timeout a long backup would freeze the event loop. Try once; retry next time.
    this.db.pragma('busy_timeout = 0');
    try {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number }[];
      return { busy: (result?.busy ?? 0) !== 0, walPages: result?.log ?? 0 };
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.writes.flush();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }

  /** A cohort filter's SQL parameter: null for none; throws `not_found` for an unknown cohort. */
  private cohortFilter(cohortId: number | undefined): number | null {
    if (cohortId === undefined) return null;
    this.cohortsQueries.requireExists(cohortId);
    return cohortId;
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

  /** Queues a write for the next group commit; `conflictMessage` words a uniqueness violation. */
  private async write<T>(work: () => T, conflictMessage = 'That email is already registered.'): Promise<T> {
    if (this.closed) throw new AppError('unavailable', 'The database is closed.');
    try {
      return await this.writes.run(work);
    } catch (error) {
      throw translateSqliteError(error, conflictMessage);
    }
  }
}

/** Turns constraint violations into the domain's codes; everything else stays internal. */
function translateSqliteError(error: unknown, conflictMessage: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new AppError('conflict', conflictMessage, { cause: error });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return userNotFound();
  // The disk (or max_page_count) is full: nothing was stored, and writes work again once space
  // is freed. Not the caller's fault and not a crash: 503, saying so.
  if (code === 'SQLITE_FULL') {
    return new AppError('unavailable', 'The database storage is full. Try again once space is freed.', {
      retryAfterSeconds: 30,
      cause: error,
    });
  }
  // The schema's CHECKs back the HTTP validation up; reaching one is bad input, not a crash.
  if (code === 'SQLITE_CONSTRAINT_CHECK' || code === 'SQLITE_CONSTRAINT_NOTNULL') {
    return new AppError('invalid_request', 'The data is not valid.', { cause: error });
  }
  return error;
}
