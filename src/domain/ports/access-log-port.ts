import type { AccessLogEntry, AccessRecord } from '../access-log.js';
import type { Page, PageRequest } from '../page.js';

/**
 * Who viewed a reader's data, kept coalesced.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface AccessLogPort {
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
}
