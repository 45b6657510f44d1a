import {
  bucketRange,
  BUCKET_MS,
  medianOfHistogram,
  type ActivityBucket,
  type ActivityBucketQuery,
  type ChapterFunnel,
  type MilestoneStatus,
  type ReaderFilter,
  type Role,
} from '../../../src/domain/index.js';

/** What the test has written, kept in plain memory: the brute-force side of the analytics checks. */
export interface ModelMilestone {
  status: MilestoneStatus;
  score: number | null;
  startedAt: number | null;
  completedAt: number | null;
}

export class InsightModel {
  readonly users = new Map<number, Role>();
  readonly chapters: { id: string; title: string }[] = [];
  readonly milestones = new Map<number, Map<string, ModelMilestone>>();
  /** Events still stored: user id and time. */
  events: { userId: number; at: number }[] = [];

  upsert(userId: number, chapterId: string, status: MilestoneStatus, score: number | null, now: number): void {
    const mine = this.milestones.get(userId) ?? new Map<string, ModelMilestone>();
    const old = mine.get(chapterId);
    const startedAt = old?.startedAt ?? (status !== 'completed' ? now : null);
    const completedAt = status !== 'completed' ? null : old?.status === 'completed' ? old.completedAt : now;
    mine.set(chapterId, { status, score, startedAt, completedAt });
    this.milestones.set(userId, mine);
  }

  deleteUser(userId: number): void {
    this.users.delete(userId);
    this.milestones.delete(userId);
    this.events = this.events.filter((e) => e.userId !== userId);
  }

  /** Retention as the contract defines it: the `limit` oldest events before `cutoff` go. */
  deleteBefore(cutoff: number, limit: number): void {
    // Events are appended with non-decreasing times in these tests, so the oldest by (time, id)
    // are the first ones before the cutoff.
    let removed = 0;
    this.events = this.events.filter((e) => {
      if (removed < limit && e.at < cutoff) {
        removed += 1;
        return false;
      }
      return true;
    });
  }

  private readers(filter: ReaderFilter): number[] {
    const all = [...this.users].filter(([, role]) => role === 'reader').map(([id]) => id);
    if (filter.readerIds === undefined) return all;
    const wanted = new Set(filter.readerIds);
    return all.filter((id) => wanted.has(id));
  }

  funnel(filter: ReaderFilter): ChapterFunnel[] {
    const readers = this.readers(filter);
    return this.chapters.map((chapter) => {
      const ms = readers.map((id) => this.milestones.get(id)?.get(chapter.id)).filter((m) => m !== undefined);
      const count = (status: MilestoneStatus) => ms.filter((m) => m.status === status).length;
      const done = ms.filter((m) => m.status === 'completed');
      const hist = (values: number[]) => values.map((value) => ({ value, n: 1 }));
      return {
        chapterId: chapter.id,
        title: chapter.title,
        notStarted: readers.length - ms.length,
        started: count('started'),
        completed: count('completed'),
        stuck: count('stuck'),
        medianScore: medianOfHistogram(hist(done.flatMap((m) => (m.score === null ? [] : [m.score])))),
        medianMinutesToComplete: medianOfHistogram(
          hist(
            done.flatMap((m) =>
              m.startedAt === null || m.completedAt === null ? [] : [Math.floor((m.completedAt - m.startedAt) / 60_000)],
            ),
          ),
        ),
      };
    });
  }

  buckets(query: ActivityBucketQuery): ActivityBucket[] {
    const readers = new Set(this.readers(query));
    const { first, count } = bucketRange(query);
    const size = BUCKET_MS[query.bucket];
    return Array.from({ length: count }, (_, i) => {
      const start = first + i * size;
      const inside = this.events.filter((e) => readers.has(e.userId) && e.at >= start && e.at < start + size);
      return { start, events: inside.length, activeReaders: new Set(inside.map((e) => e.userId)).size };
    });
  }
}
