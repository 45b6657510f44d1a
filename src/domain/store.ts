import type { AttentionItem, AttentionRules, AttentionState, AttentionSweepResult } from './attention.js';
import type { Cohort } from './cohort.js';
import type { Invite, NewInvite } from './invite.js';
import type { AccessLogEntry, AccessRecord } from './access-log.js';
import type { ActivityBucket, ActivityBucketQuery, ChapterFunnel, ProgressGrid, ReaderFilter } from './analytics.js';
import type { Chapter, StuckReader } from './chapter.js';
import type { ActivityExportQuery, ActivityExportRow, ProgressExportRow, UserDataExport } from './data-export.js';
import type { Page, PageRequest } from './page.js';
import type { ActivityEvent, ActivityInput, Milestone, MilestoneInput } from './progress.js';
import type { Heartbeat, Session, SessionWithUser } from './session.js';
import type { NewUser, ReaderSummary, User, UserCredentials } from './user.js';

/**
 * Everything ReadPulse keeps. Free of any database's types so that another backend (PostgreSQL
 * next) can implement it and pass the same contract suite (test/store/store-contract.ts).
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 * Reader-scoped methods take the user id as their first argument and never reach other users.
 */
export interface Store {
  /** Creates a user. Throws `conflict` if the email is taken. */
  createUser(input: NewUser): Promise<User>;
  /** The user with this (normalized) email and their password hash, or null. */
  getUserByEmail(email: string): Promise<UserCredentials | null>;
  /** The user with this id, or null. */
  getUserById(id: number): Promise<User | null>;
  /** Replaces a user's password hash. Throws `not_found` if the user does not exist. */
  setPasswordHash(userId: number, passwordHash: string): Promise<void>;
  /**
   * Removes a user and every row of theirs: sessions, milestones, activity, its share of the
   * activity aggregates and access-log entries naming them as reader or consultant.
   * Throws `not_found`.
   */
  deleteUser(userId: number): Promise<void>;

  /** Stores a new session. Throws `not_found` if the user does not exist. */
  createSession(session: Session): Promise<void>;
  /** The session with this token hash and its user, or null. Does not check expiry. */
  findSession(tokenHash: string): Promise<SessionWithUser | null>;
  /** Revokes one session; revoking an unknown one is not an error. */
  deleteSession(tokenHash: string): Promise<void>;
  /** Revokes all of a user's sessions except, optionally, one. Returns how many were revoked. */
  deleteUserSessions(userId: number, exceptTokenHash?: string): Promise<number>;
  /** Removes sessions that expired before `now`. Returns how many. */
  deleteExpiredSessions(now: number, idleTimeoutMs: number): Promise<number>;

  /** Moves one user's lastActiveAt forward (never backward). The plan's single heartbeat. */
  updateHeartbeat(userId: number, at: number): Promise<void>;
  /**
   * Applies many coalesced heartbeats in one transaction: each user's lastActiveAt and each
   * session's lastSeenAt move forward, never backward; unknown users or sessions are ignored.
   */
  recordHeartbeats(heartbeats: readonly Heartbeat[]): Promise<void>;

  /** Creates or replaces the user's milestone for a chapter. Throws `not_found` for an unknown user. */
  upsertMilestone(userId: number, input: MilestoneInput): Promise<Milestone>;
  /** The signed-in user's milestones, ordered by chapterId. */
  getMyMilestones(userId: number): Promise<Milestone[]>;
  /** Appends an activity event. Throws `not_found` for an unknown user. */
  logActivity(userId: number, input: ActivityInput): Promise<ActivityEvent>;
  /**
   * Appends several events in order, all or nothing: if one cannot be stored, none is.
   * Throws `not_found` for an unknown user.
   */
  logActivities(userId: number, inputs: readonly ActivityInput[]): Promise<ActivityEvent[]>;
  /** A user's activity, newest first. Throws `invalid_request` for a bad cursor. */
  listActivity(userId: number, page: PageRequest): Promise<Page<ActivityEvent>>;
  /**
   * Retention: deletes up to `limit` activity events (any user's) created before `cutoff`
   * (epoch ms), oldest first, and returns how many it deleted; fewer than `limit` means none is
   * left. Throws `invalid_request` unless `limit` is a whole number from 1 to 100,000, and
   * `unavailable` when the write queue is full or the store is closed.
   */
  deleteActivityBefore(cutoff: number, limit: number): Promise<number>;

  /** Readers whose lastActiveAt is after `since`, most recent first. */
  getAllActiveUsers(since: number): Promise<User[]>;
  /**
   * Up to `limit` readers whose lastActiveAt is after `since`, least recent first, after the
   * reader `after` (its lastActiveAt and id; null for the first page): the same readers as
   * getAllActiveUsers, in pages, so reading 10,000 of them never blocks for long.
   */
  getActiveReadersPage(since: number, after: { readonly lastActiveAt: number; readonly id: number } | null, limit: number): Promise<User[]>;
  /** The users with these ids (any role), in no particular order; unknown ids are skipped. */
  getUsersByIds(ids: readonly number[]): Promise<User[]>;
  /** The reader with this id. Throws `not_found` if there is no reader with that id. */
  getReader(readerId: number): Promise<User>;
  /** A reader's milestones, ordered by chapterId. Throws `not_found` as getReader. */
  getReaderMilestones(readerId: number): Promise<Milestone[]>;
  /**
   * Readers ordered by id, optionally those whose email or name contains `search`
   * (case-insensitive) and those in cohort `cohortId`, each with milestone counts. Throws
   * `invalid_request` for a bad cursor and `not_found` for an unknown cohort.
   */
  listReaders(query: { search?: string | undefined; cohortId?: number | undefined } & PageRequest): Promise<Page<ReaderSummary>>;

  /**
   * Readers with a chapter marked stuck, longest stuck first, optionally only cohort `cohortId`'s.
   * Throws `invalid_request` for a bad cursor and `not_found` for an unknown cohort.
   */
  listStuckReaders(page: { cohortId?: number | undefined } & PageRequest): Promise<Page<StuckReader>>;

  /** Creates a cohort with no readers. Throws `conflict` if the name is taken. */
  createCohort(name: string): Promise<Cohort>;
  /** Every cohort, by name. */
  listCohorts(): Promise<Cohort[]>;
  /** The cohort with this id. Throws `not_found`. */
  getCohort(cohortId: number): Promise<Cohort>;
  /** Renames a cohort. Throws `not_found` for an unknown id and `conflict` if the name is taken. */
  renameCohort(cohortId: number, name: string): Promise<Cohort>;
  /** Deletes a cohort; its readers stay, and invites into it keep working without a cohort. Throws `not_found`. */
  deleteCohort(cohortId: number): Promise<void>;
  /** Puts a reader in a cohort; idempotent. Throws `not_found` for an unknown cohort or reader. */
  addReaderToCohort(cohortId: number, readerId: number): Promise<void>;
  /** Takes a reader out of a cohort; idempotent. Throws `not_found` for an unknown cohort. */
  removeReaderFromCohort(cohortId: number, readerId: number): Promise<void>;
  /** The ids of a cohort's readers, ascending. Throws `not_found` for an unknown cohort. */
  listCohortReaderIds(cohortId: number): Promise<number[]>;
  /** The ids of the cohorts a user is in, ascending; none for an unknown user. */
  listReaderCohortIds(readerId: number): Promise<number[]>;

  /**
   * Stores an invite (only the code's hash and prefix). Throws `not_found` for an unknown cohort
   * or creator and `conflict` if the hash or prefix exists already.
   */
  createInvite(input: NewInvite): Promise<Invite>;
  /** Invites, newest first, used-up and expired ones included. Throws `invalid_request` for a bad cursor. */
  listInvites(page: PageRequest): Promise<Page<Invite>>;
  /** Revokes an invite at once, named by its prefix or its code's hash. Throws `not_found`. */
  revokeInvite(ref: { readonly codePrefix: string } | { readonly codeHash: string }): Promise<void>;
  /**
   * Registers a reader with the invite whose code hashes to `codeHash`, in one transaction: spends
   * one use (exactly, however many register at once), creates the reader and puts them in the
   * invite's cohort. Throws `forbidden` with one message whether the invite is unknown, used up,
   * expired or revoked, and `conflict` if the email is taken (the use is not spent).
   */
  registerWithInvite(input: Omit<NewUser, 'role'>, codeHash: string): Promise<{ user: User; cohortId: number | null }>;

  /** The rules that open attention items. */
  getAttentionRules(): Promise<AttentionRules>;
  /** Changes some rules and returns them all. Throws `invalid_request` for a value out of range. */
  setAttentionRules(change: Partial<AttentionRules>): Promise<AttentionRules>;
  /**
   * Attention items in one state, oldest (by `since`) first, optionally only cohort `cohortId`'s
   * readers'. Throws `invalid_request` for a bad cursor and `not_found` for an unknown cohort.
   */
  listAttention(query: { state: AttentionState; cohortId?: number | undefined } & PageRequest): Promise<Page<AttentionItem>>;
  /** How many items are open and claimed, optionally in one cohort. Throws `not_found` for an unknown cohort. */
  countAttention(cohortId?: number): Promise<{ open: number; claimed: number }>;
  /** One attention item. Throws `not_found`. */
  getAttentionItem(itemId: number): Promise<AttentionItem>;
  /**
   * Claims an open item for a consultant; claiming one's own claim again returns it. Of two
   * consultants claiming at once exactly one wins. Throws `not_found`, and `conflict` when another
   * consultant holds it or it is resolved.
   */
  claimAttention(itemId: number, consultantId: number): Promise<AttentionItem>;
  /** Makes a claimed item open again. Throws `not_found`, and `forbidden` unless the consultant holds it. */
  releaseAttention(itemId: number, consultantId: number): Promise<AttentionItem>;
  /**
   * Resolves an item with an optional note. Throws `not_found`, and `conflict` when it is resolved
   * already or another consultant holds it.
   */
  resolveAttention(itemId: number, consultantId: number, note: string | null): Promise<AttentionItem>;
  /**
   * Re-reads a reader's milestone for `chapterId` after it changed: opens a `low_score` item at
   * once when the rules say so, and resolves the items whose cause went (the chapter is no longer
   * stuck, the score is back above the line, the reader is active). Returns the items it changed;
   * none for an unknown user or a consultant.
   */
  reviewMilestoneAttention(readerId: number, chapterId: string): Promise<AttentionItem[]>;
  /** A reader is active again: resolves their open `inactive` item. Returns the items it changed. */
  reviewReturnAttention(readerId: number): Promise<AttentionItem[]>;
  /**
   * One bounded run of the periodic rules: opens `stuck` and `inactive` items for what crossed a
   * threshold since the last run and resolves `inactive` items whose reader came back, reading at
   * most `limit` rows per rule. Throws `invalid_request` unless `limit` is 1..10,000.
   */
  sweepAttention(limit: number): Promise<AttentionSweepResult>;

  /** The reading program's chapters in order. */
  listChapters(): Promise<Chapter[]>;
  /** Adds a chapter at the end of the program. Throws `conflict` if the id exists. */
  createChapter(input: { id: string; title: string }): Promise<Chapter>;
  /** Renames a chapter. Throws `not_found` for an unknown id. */
  updateChapter(id: string, input: { title: string }): Promise<Chapter>;
  /**
   * Puts the chapters in the given order. Throws `invalid_request` unless `ids` names every
   * chapter exactly once.
   */
  reorderChapters(ids: readonly string[]): Promise<Chapter[]>;

  /**
   * Per chapter of the program, in program order: how many of the filtered readers have not
   * started, started, completed or are stuck on it, with median score and minutes to complete.
   * Consultants are never counted; milestones on chapters outside the catalog are ignored.
   */
  getChapterFunnel(filter: ReaderFilter): Promise<ChapterFunnel[]>;
  /**
   * Every bucket from `from` (rounded down) to `to` (rounded up), oldest first, empty ones
   * included, with events stored in it and distinct readers who made them (consultants' activity
   * is not counted). Throws `invalid_request` when `from` >= `to` or the range spans more than
   * MAX_ACTIVITY_BUCKETS buckets.
   */
  getActivityBuckets(query: ActivityBucketQuery): Promise<ActivityBucket[]>;
  /**
   * A page of the readers x chapters grid, readers by id. Throws `invalid_request` for a bad cursor.
   */
  getProgressGrid(query: ReaderFilter & PageRequest): Promise<ProgressGrid>;
  /**
   * The filtered readers' milestones ordered by reader id then chapter id, yielded in batches of
   * at most `batchRows` (default EXPORT_BATCH_ROWS); each batch is read only when asked for, so
   * memory stays constant however many rows there are. Rows written meanwhile may or may not show.
   */
  streamProgressExport(filter: ReaderFilter, batchRows?: number): AsyncIterable<readonly ProgressExportRow[]>;
  /**
   * The filtered readers' activity in [from, to) ordered by event id, in batches as
   * streamProgressExport. Consultants' own activity is not exported.
   */
  streamActivityExport(query: ActivityExportQuery, batchRows?: number): AsyncIterable<readonly ActivityExportRow[]>;
  /** Everything stored about one user (any role). Throws `not_found` for an unknown user. */
  getUserDataExport(userId: number): Promise<UserDataExport>;

  /**
   * Stores consultants' views of readers in one transaction, coalesced: one entry per consultant,
   * reader and kind per ACCESS_COALESCE_MS window (aligned to the epoch), whose time is the latest
   * view. Records naming an unknown user are skipped. Throws `unavailable` when the write queue is
   * full or the store is closed.
   */
  recordAccess(records: readonly AccessRecord[]): Promise<void>;
  /**
   * Who viewed this user's data, newest first (a consultant's own log is empty). Throws
   * `not_found` for an unknown user and
   * `invalid_request` for a bad cursor.
   */
  listAccessLog(readerId: number, page: PageRequest): Promise<Page<AccessLogEntry>>;
  /**
   * Retention: deletes up to `limit` access-log entries older than `cutoff`, oldest first, and
   * returns how many. Throws `invalid_request` as deleteActivityBefore.
   */
  deleteAccessLogBefore(cutoff: number, limit: number): Promise<number>;

  /** Resolves when the database answers; throws otherwise. */
  ping(): Promise<void>;
  /** Writes a consistent copy of the live database to `path`. */
  backup(path: string): Promise<void>;
  /** Flushes pending writes and closes the database. */
  close(): Promise<void>;
}
