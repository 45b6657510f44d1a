import { AppError } from './app-error.js';
import { bucketRange, medianOfHistogram, minutesToCompleteBucket, MAX_ACTIVITY_BUCKETS, type ActivityBucket, type ActivityBucketQuery, type ChapterFunnel, type GridCell, type ProgressGrid } from './analytics.js';
import { encodeCursor } from './page.js';
import type { MilestoneStatus } from './progress.js';
import type { User } from './user.js';

/*
 * The arithmetic of the analytics reads, apart from how each engine finds the rows: the engines
 * read counts or milestones and hand them here, so both answer the same way by construction.
 */

type Bins = { value: number; n: number }[];

/**
 * A chapter funnel being counted: from the program's count tables (addStatus, addScore,
 * addMinutes), or from a cohort's milestones one by one (addMilestone).
 */
export class FunnelTally {
  private readonly statuses = new Map<string, Record<MilestoneStatus, number>>();
  private readonly scores = new Map<string, Bins>();
  private readonly minutes = new Map<string, Bins>();

  addStatus(chapterId: string, status: MilestoneStatus, n: number): void {
    const entry = this.statuses.get(chapterId) ?? { started: 0, completed: 0, stuck: 0 };
    this.statuses.set(chapterId, entry);
    entry[status] += n;
  }

  addScore(chapterId: string, score: number, n: number): void {
    add(this.scores, chapterId, score, n);
  }

  addMinutes(chapterId: string, minutes: number, n: number): void {
    add(this.minutes, chapterId, minutes, n);
  }

  /** One reader's milestone: its status, and its score and minutes to complete once completed. */
  addMilestone(m: { chapterId: string; status: MilestoneStatus; score: number | null; startedAt: number | null; completedAt: number | null }): void {
    this.addStatus(m.chapterId, m.status, 1);
    if (m.status !== 'completed') return;
    if (m.score !== null) this.addScore(m.chapterId, m.score, 1);
    if (m.startedAt !== null && m.completedAt !== null) this.addMinutes(m.chapterId, minutesToCompleteBucket(m.completedAt - m.startedAt), 1);
  }

  /** The funnel of each chapter, in the order given, over `readers` readers. */
  funnel(chapters: readonly { id: string; title: string }[], readers: number): ChapterFunnel[] {
    return chapters.map((chapter) => {
      const c = this.statuses.get(chapter.id) ?? { started: 0, completed: 0, stuck: 0 };
      return {
        chapterId: chapter.id,
        title: chapter.title,
        notStarted: readers - c.started - c.completed - c.stuck,
        started: c.started,
        completed: c.completed,
        stuck: c.stuck,
        medianScore: medianOfHistogram(this.scores.get(chapter.id)),
        medianMinutesToComplete: medianOfHistogram(this.minutes.get(chapter.id)),
      };
    });
  }
}

function add(histograms: Map<string, Bins>, chapterId: string, value: number, n: number): void {
  const bins = histograms.get(chapterId) ?? [];
  histograms.set(chapterId, bins);
  bins.push({ value, n });
}

/** The bucket range of an activity query; throws `invalid_request` for an empty or too long one. */
export function checkedBucketRange(query: ActivityBucketQuery): { first: number; end: number; count: number } {
  if (!(query.from < query.to)) throw new AppError('invalid_request', 'from must be before to.');
  const range = bucketRange(query);
  if (range.count > MAX_ACTIVITY_BUCKETS) {
    throw new AppError('invalid_request', `The range spans ${range.count} buckets; at most ${MAX_ACTIVITY_BUCKETS} are allowed.`);
  }
  return range;
}

/** Every bucket of the range, from the stored ones (buckets with no activity are absent there). */
export function activityBucketsOf(
  range: { first: number; end: number; count: number },
  stored: readonly { start: number; events: number; readers: number }[],
): ActivityBucket[] {
  const found = new Map(stored.map((row) => [row.start, row]));
  const size = (range.end - range.first) / Math.max(1, range.count);
  return Array.from({ length: range.count }, (_, i) => {
    const start = range.first + i * size;
    const row = found.get(start);
    return { start, events: row?.events ?? 0, activeReaders: row?.readers ?? 0 };
  });
}

/**
 * A grid page: `readers` as read (up to `limit + 1`, by id, the extra one saying there is more)
 * and the milestones of those on the page.
 */
export function progressGridOf(
  chapters: readonly string[],
  readers: readonly User[],
  limit: number,
  milestones: readonly { userId: number; chapterId: string; status: MilestoneStatus; score: number | null; updatedAt: number }[],
): ProgressGrid {
  const page = readers.slice(0, limit);
  const cells = new Map<number, Map<string, GridCell>>();
  for (const m of milestones) {
    const mine = cells.get(m.userId) ?? new Map<string, GridCell>();
    mine.set(m.chapterId, { status: m.status, score: m.score, updatedAt: m.updatedAt });
    cells.set(m.userId, mine);
  }
  const empty: GridCell = { status: null, score: null, updatedAt: null };
  return {
    chapters,
    readers: page.map((reader) => ({ reader, cells: chapters.map((id) => cells.get(reader.id)?.get(id) ?? empty) })),
    nextCursor: readers.length > limit ? encodeCursor(page[page.length - 1]!.id) : null,
  };
}
