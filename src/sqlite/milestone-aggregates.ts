import { minutesToCompleteBucket } from '../domain/index.js';
import { REBUILD_MILESTONE_AGGREGATES } from '../domain/storage/aggregate-rebuild.js';
import type { Database } from './open-database.js';

/** What one reader's milestone adds to its chapter's counts. */
interface Contribution {
  readonly status: string;
  readonly score: number | null;
  readonly started_at: number | null;
  readonly completed_at: number | null;
}

/**
 * Keeps chapter_status_counts, chapter_score_counts and chapter_minute_counts equal to what the
 * readers' milestones hold, inside the caller's write transaction: a milestone write takes the old
 * row's share out and puts the new one's in, so the program funnel reads a few rows per chapter.
 */
export class MilestoneAggregates {
  private readonly sql;

  constructor(db: Database) {
    this.sql = {
      isReader: db.prepare("SELECT 1 FROM users WHERE id = ? AND role = 'reader'").pluck(),
      current: db.prepare('SELECT status, score, started_at, completed_at FROM milestones WHERE user_id = ? AND chapter_id = ?'),
      ofUser: db.prepare('SELECT chapter_id, status, score, started_at, completed_at FROM milestones WHERE user_id = ?'),
      status: db.prepare(
        `INSERT INTO chapter_status_counts (chapter_id, status, n) VALUES (?, ?, ?)
         ON CONFLICT (chapter_id, status) DO UPDATE SET n = n + excluded.n`,
      ),
      score: db.prepare(
        `INSERT INTO chapter_score_counts (chapter_id, score, n) VALUES (?, ?, ?)
         ON CONFLICT (chapter_id, score) DO UPDATE SET n = n + excluded.n`,
      ),
      minutes: db.prepare(
        `INSERT INTO chapter_minute_counts (chapter_id, minutes, n) VALUES (?, ?, ?)
         ON CONFLICT (chapter_id, minutes) DO UPDATE SET n = n + excluded.n`,
      ),
      dropEmpty: [
        db.prepare('DELETE FROM chapter_status_counts WHERE chapter_id = ? AND n <= 0'),
        db.prepare('DELETE FROM chapter_score_counts WHERE chapter_id = ? AND n <= 0'),
        db.prepare('DELETE FROM chapter_minute_counts WHERE chapter_id = ? AND n <= 0'),
      ],
    };
  }

  /** Whether the user's milestones count (readers only). */
  counts(userId: number): boolean {
    return this.sql.isReader.get(userId) !== undefined;
  }

  /** The milestone as stored now, before a write replaces it; null if there is none. */
  before(userId: number, chapterId: string): Contribution | null {
    return (this.sql.current.get(userId, chapterId) as Contribution | undefined) ?? null;
  }

  /** Replaces `old`'s share of the chapter's counts with `next`'s. */
  replace(chapterId: string, old: Contribution | null, next: Contribution | null): void {
    if (old) this.add(chapterId, old, -1);
    if (next) this.add(chapterId, next, 1);
    if (old) for (const drop of this.sql.dropEmpty) drop.run(chapterId);
  }

  /** Takes every milestone of a user out (before the user is deleted). */
  removeUser(userId: number): void {
    if (!this.counts(userId)) return;
    for (const row of this.sql.ofUser.all(userId) as (Contribution & { chapter_id: string })[]) this.replace(row.chapter_id, row, null);
  }

  private add(chapterId: string, c: Contribution, sign: 1 | -1): void {
    this.sql.status.run(chapterId, c.status, sign);
    if (c.status !== 'completed') return;
    if (c.score !== null) this.sql.score.run(chapterId, c.score, sign);
    if (c.started_at !== null && c.completed_at !== null) {
      this.sql.minutes.run(chapterId, minutesToCompleteBucket(c.completed_at - c.started_at), sign);
    }
  }
}

/** Recomputes the chapter counts from milestones, as migration 005 first did; for bulk loads. */
export function rebuildMilestoneAggregates(db: Database): void {
  db.exec(REBUILD_MILESTONE_AGGREGATES);
}
