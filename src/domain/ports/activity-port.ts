import type { Page, PageRequest } from '../page.js';
import type { ActivityEvent, ActivityInput } from '../progress.js';

/**
 * Readers' activity events: appended, paged, and deleted by retention.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface ActivityPort {
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
}
