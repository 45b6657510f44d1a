import type { StuckReader } from '../chapter.js';
import type { Page, PageRequest } from '../page.js';
import type { Milestone } from '../progress.js';
import type { ReaderListQuery, ReaderSummary, User } from '../user.js';

/**
 * What consultants read about readers: who is active, one reader, lists and the stuck list.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface ReadersPort {
  /** Readers whose lastActiveAt is after `since`, most recent first. */
  getAllActiveUsers(since: number): Promise<User[]>;

  /**
   * Up to `limit` readers whose lastActiveAt is after `since`, least recent first, after the
   * reader `after` (its lastActiveAt and id; null for the first page): the same readers as
   * getAllActiveUsers, in pages, so reading 10,000 of them never blocks for long.
   */
  getActiveReadersPage(since: number, after: { readonly lastActiveAt: number; readonly id: number } | null, limit: number): Promise<User[]>;

  /** The reader with this id. Throws `not_found` if there is no reader with that id. */
  getReader(readerId: number): Promise<User>;

  /** A reader's milestones, ordered by chapterId. Throws `not_found` as getReader. */
  getReaderMilestones(readerId: number): Promise<Milestone[]>;

  /**
   * Readers ordered by id (or by `sort`: name, last activity, completed chapters, id breaking
   * ties), optionally those whose email or name contains `search` (case-insensitive), those in
   * cohort `cohortId` and those of a `status`, each with milestone counts. Throws
   * `invalid_request` for a bad cursor and `not_found` for an unknown cohort.
   */
  listReaders(query: ReaderListQuery & PageRequest): Promise<Page<ReaderSummary>>;

  /**
   * How many readers listReaders would list over all its pages (same search and cohort). Throws
   * `not_found` for an unknown cohort.
   */
  countReaders(query: ReaderListQuery): Promise<number>;

  /**
   * Readers with a chapter marked stuck, longest stuck first, optionally only cohort `cohortId`'s.
   * Throws `invalid_request` for a bad cursor and `not_found` for an unknown cohort.
   */
  listStuckReaders(page: { cohortId?: number | undefined } & PageRequest): Promise<Page<StuckReader>>;
}
