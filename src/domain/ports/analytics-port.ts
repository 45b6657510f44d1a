import type { ActivityBucket, ActivityBucketQuery, ChapterFunnel, ClassSummary, ClassSummaryQuery, ProgressGrid, ReaderFilter } from '../analytics.js';
import type { PageRequest } from '../page.js';

/**
 * Program analytics, read from the aggregates the writes keep.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface AnalyticsPort {
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
   * The filtered readers at a glance, counted in SQL (the program's count tables for every reader,
   * the readers' milestones by id for a cohort): the same figures as the whole progress grid gives.
   */
  getClassSummary(query: ClassSummaryQuery): Promise<ClassSummary>;
}
