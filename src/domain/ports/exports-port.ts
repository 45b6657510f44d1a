import type { ReaderFilter } from '../analytics.js';
import type { ActivityExportQuery, ActivityExportRow, ProgressExportRow, UserDataExport, UserDataStream } from '../data-export.js';

/**
 * Data out: the consultant exports, streamed in batches, and a user's own data.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface ExportsPort {
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
   * The same as getUserDataExport with the activity streamed: batches of at most `batchRows`
   * (default EXPORT_BATCH_ROWS) by keyset, each read only when asked for. Throws `not_found` for
   * an unknown user; events written while the batches are read may or may not show.
   */
  streamUserDataExport(userId: number, batchRows?: number): Promise<UserDataStream>;
}
