import type { ActivityBucketSize } from '../analytics.js';

/** A change of one reader's event count in one bucket of each size (positive adds, negative removes). */
export interface ActivityDelta {
  readonly userId: number;
  /** Any time inside the bucket, epoch ms. */
  readonly at: number;
  readonly events: number;
}

/** Where each bucket size's counts are kept, per reader and in total: the same tables on both engines. */
export const ACTIVITY_BUCKET_TABLES: readonly { size: ActivityBucketSize; perReader: string; total: string; column: string }[] = [
  { size: 'hour', perReader: 'activity_reader_hours', total: 'activity_hours', column: 'hour_start' },
  { size: 'day', perReader: 'activity_reader_days', total: 'activity_days', column: 'day_start' },
];
