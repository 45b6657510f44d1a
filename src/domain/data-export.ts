import type { AccessLogEntry } from './access-log.js';
import type { ActivityEvent, Milestone, MilestoneStatus } from './progress.js';
import type { ReaderFilter } from './analytics.js';
import type { User } from './user.js';

/** Rows per batch that the export streams yield: memory stays bounded by one batch. */
export const EXPORT_BATCH_ROWS = 1_000;

/** One milestone as the progress CSV lists it. */
export interface ProgressExportRow {
  readonly readerId: number;
  readonly email: string;
  readonly name: string;
  readonly chapterId: string;
  readonly status: MilestoneStatus;
  readonly score: number | null;
  readonly updatedAt: number;
}

/** One activity event as the activity CSV lists it; metadata is the stored JSON text or null. */
export interface ActivityExportRow {
  readonly eventId: number;
  readonly readerId: number;
  readonly email: string;
  readonly actionType: string;
  readonly metadata: string | null;
  readonly createdAt: number;
}

export interface ActivityExportQuery extends ReaderFilter {
  /** Epoch ms, inclusive; undefined for no lower bound. */
  readonly from?: number | undefined;
  /** Epoch ms, exclusive; undefined for no upper bound. */
  readonly to?: number | undefined;
}

/** Everything stored about one user, for GET /api/me/export. */
export interface UserDataExport {
  readonly user: User;
  readonly milestones: readonly Milestone[];
  /** Oldest first. */
  readonly activity: readonly ActivityEvent[];
  /** Newest first: the views of this user's data by consultants. */
  readonly accessLog: readonly AccessLogEntry[];
}

/**
 * Everything stored about one user with the activity as batches read one at a time, so the own
 * export (GET /api/me/export) streams in bounded memory however long the history.
 */
export interface UserDataStream extends Omit<UserDataExport, 'activity'> {
  /** Oldest first, in batches read only when asked for. */
  readonly activity: AsyncIterable<readonly ActivityEvent[]>;
}
