import type { MilestoneStatus } from './progress.js';
import type { User } from './user.js';

/**
 * Which readers an analytics query or export covers: `readerIds` undefined means every reader;
 * an array means only those ids (the cohort seam: the HTTP layer resolves `?cohort=` to ids).
 * Ids of consultants or unknown users in the array are ignored, never counted.
 */
export interface ReaderFilter {
  readonly readerIds?: readonly number[] | undefined;
}

/** One chapter's funnel over the filtered readers. */
export interface ChapterFunnel {
  readonly chapterId: string;
  readonly title: string;
  /** Readers with no milestone for the chapter. */
  readonly notStarted: number;
  readonly started: number;
  readonly completed: number;
  readonly stuck: number;
  /** Median score of the completed milestones that have a score; null when there are none. */
  readonly medianScore: number | null;
  /**
   * Median minutes from a milestone's first record that was not a completion to its completion
   * (each time counted as minutesToCompleteBucket gives it: whole minutes below 100, two significant
   * digits above), over the completed milestones that have both times; null when
   * there are none (e.g. every reader recorded the chapter as completed straight away).
   */
  readonly medianMinutesToComplete: number | null;
}

export const ACTIVITY_BUCKET_SIZES = ['hour', 'day'] as const;
export type ActivityBucketSize = (typeof ACTIVITY_BUCKET_SIZES)[number];
export const BUCKET_MS: Readonly<Record<ActivityBucketSize, number>> = { hour: 3_600_000, day: 86_400_000 };
/** The most buckets one activity query may span. */
export const MAX_ACTIVITY_BUCKETS = 1_000;

export interface ActivityBucketQuery extends ReaderFilter {
  /** Epoch ms; rounded down to the bucket boundary (UTC). */
  readonly from: number;
  /** Epoch ms, exclusive; rounded up to the bucket boundary (UTC). */
  readonly to: number;
  readonly bucket: ActivityBucketSize;
}

/** Activity in [start, start + bucket size): events stored and distinct readers who made them. */
export interface ActivityBucket {
  /** Epoch ms of the bucket's start. */
  readonly start: number;
  readonly events: number;
  readonly activeReaders: number;
}

/** One reader's cell for one chapter of the grid: all null when there is no milestone. */
export interface GridCell {
  readonly status: MilestoneStatus | null;
  readonly score: number | null;
  /** Epoch milliseconds of the milestone's last change. */
  readonly updatedAt: number | null;
}

export interface GridRow {
  readonly reader: User;
  /** One cell per chapter of `ProgressGrid.chapters`, in that order. */
  readonly cells: readonly GridCell[];
}

/** A page of the readers x chapters grid: readers by id, chapters in program order. */
export interface ProgressGrid {
  readonly chapters: readonly string[];
  readonly readers: readonly GridRow[];
  readonly nextCursor: string | null;
}

/**
 * Number of buckets [from, to) spans once rounded to bucket boundaries.
 * Exported so every Store and the HTTP layer agree on the limit.
 */
export function bucketRange(query: Pick<ActivityBucketQuery, 'from' | 'to' | 'bucket'>): { first: number; end: number; count: number } {
  const size = BUCKET_MS[query.bucket];
  const first = Math.floor(query.from / size) * size;
  const end = Math.ceil(query.to / size) * size;
  return { first, end, count: Math.max(0, (end - first) / size) };
}

/** The median of the values a histogram counts (as each engine's GROUP BY returns them): the mean of the middle two for an even total. */
export function medianOfHistogram(bins: readonly { value: number; n: number }[] | undefined): number | null {
  if (!bins || bins.length === 0) return null;
  const sorted = [...bins].sort((a, b) => a.value - b.value);
  const total = sorted.reduce((sum, bin) => sum + bin.n, 0);
  const valueAt = (index: number): number => {
    let seen = 0;
    for (const bin of sorted) {
      seen += bin.n;
      if (index < seen) return bin.value;
    }
    return sorted[sorted.length - 1]!.value;
  };
  const mid = Math.floor(total / 2);
  return total % 2 === 1 ? valueAt(mid) : (valueAt(mid - 1) + valueAt(mid)) / 2;
}

/**
 * Minutes to complete as the funnel counts them: whole minutes (rounded down) below 100, then
 * rounded down to two significant digits (123 -> 120, 4567 -> 4500), so a histogram per chapter has
 * a few hundred bins at most and its median is within 10 % of the exact one. Each rung: minutes
 * below `below` are rounded down to a multiple of `step`. The engines' SQL renders the same
 * ladder (minutesLadderSql); migration 005 holds the copy it was first written as.
 */
export const MINUTES_LADDER: readonly { readonly below: number; readonly step: number }[] = [
  { below: 100, step: 1 },
  { below: 1_000, step: 10 },
  { below: 10_000, step: 100 },
  { below: 100_000, step: 1_000 },
  { below: 1_000_000, step: 10_000 },
  { below: Number.POSITIVE_INFINITY, step: 100_000 },
];

export function minutesToCompleteBucket(elapsedMs: number): number {
  const m = Math.floor(elapsedMs / 60_000);
  const { step } = MINUTES_LADDER.find((rung) => m < rung.below)!;
  return Math.floor(m / step) * step;
}

/** MINUTES_LADDER as a SQL expression over `minutes`, an integer expression of whole minutes. */
export function minutesLadderSql(minutes: string): string {
  const rungs = MINUTES_LADDER.map(({ below, step }) => {
    const rounded = step === 1 ? minutes : `${minutes} / ${step} * ${step}`;
    return Number.isFinite(below) ? `WHEN ${minutes} < ${below} THEN ${rounded}` : `ELSE ${rounded}`;
  });
  return `CASE ${rungs.join(' ')} END`;
}

/** The class in hand at a glance: what the dashboard's summary shows, counted by the store. */
export interface ClassSummary {
  /** Readers covered. */
  readonly readers: number;
  /** Readers whose last activity is at or after `activeTodaySince`. */
  readonly activeToday: number;
  /** Readers whose last activity is at or after `activeWeekSince`. */
  readonly activeThisWeek: number;
  /** Completed milestones on the program's chapters over readers x chapters, 0..100 with one decimal; null without readers or chapters. */
  readonly percentCompleted: number | null;
  /** Median score of the completed milestones (on the program's chapters) that have one; null when none. */
  readonly medianScore: number | null;
  /** Readers stuck on at least one of the program's chapters. */
  readonly stuckReaders: number;
}

export interface ClassSummaryQuery extends ReaderFilter {
  /** Epoch ms: the start of "today" for the one asking (their midnight). */
  readonly activeTodaySince: number;
  /** Epoch ms: the start of "this week" (usually 7 days ago). */
  readonly activeWeekSince: number;
}

/** The summary from what the engines count in SQL. */
export function classSummaryOf(counts: {
  readonly readers: number;
  readonly activeToday: number;
  readonly activeThisWeek: number;
  readonly chapters: number;
  readonly completed: number;
  readonly stuckReaders: number;
  readonly scores: readonly { value: number; n: number }[];
}): ClassSummary {
  const slots = counts.readers * counts.chapters;
  return {
    readers: counts.readers,
    activeToday: counts.activeToday,
    activeThisWeek: counts.activeThisWeek,
    percentCompleted: slots === 0 ? null : Math.round((counts.completed / slots) * 1000) / 10,
    medianScore: medianOfHistogram(counts.scores),
    stuckReaders: counts.stuckReaders,
  };
}
