import { minutesToCompleteBucket } from '../domain/index.js';
import type { Sql } from './pg-sql.js';

/** What one reader's milestone adds to its chapter's counts. */
export interface MilestoneContribution {
  readonly status: string;
  readonly score: number | null;
  readonly started_at: number | null;
  readonly completed_at: number | null;
}

/** Minutes to complete as SQL, the ladder of minutesToCompleteBucket (as migration 005). */
const MINUTES = '((m.completed_at - m.started_at) / 60000)';
const MINUTES_BUCKET = `CASE WHEN ${MINUTES} < 100 THEN ${MINUTES} WHEN ${MINUTES} < 1000 THEN ${MINUTES} / 10 * 10
  WHEN ${MINUTES} < 10000 THEN ${MINUTES} / 100 * 100 WHEN ${MINUTES} < 100000 THEN ${MINUTES} / 1000 * 1000
  WHEN ${MINUTES} < 1000000 THEN ${MINUTES} / 10000 * 10000 ELSE ${MINUTES} / 100000 * 100000 END`;

const COUNTS = [
  { table: 'chapter_status_counts', column: 'status', type: 'text' },
  { table: 'chapter_score_counts', column: 'score', type: 'integer' },
  { table: 'chapter_minute_counts', column: 'minutes', type: 'bigint' },
] as const;

/**
 * Keeps chapter_status_counts, chapter_score_counts and chapter_minute_counts equal to what the
 * readers' milestones hold, as SQLite's MilestoneAggregates: inside the caller's write, a milestone
 * write takes the old row's share out and puts the new one's in.
 */
export class MilestoneAggregates {
  /** Whether the user's milestones count (readers only). */
  async counts(sql: Sql, userId: number): Promise<boolean> {
    return (await sql.get("SELECT 1 FROM users WHERE id = ? AND role = 'reader'", [userId])) !== undefined;
  }

  /** The milestone as stored now, locked until the write commits; null if there is none. */
  async before(sql: Sql, userId: number, chapterId: string): Promise<MilestoneContribution | null> {
    return (
      (await sql.get<MilestoneContribution>(
        'SELECT status, score, started_at, completed_at FROM milestones WHERE user_id = ? AND chapter_id = ? FOR UPDATE',
        [userId, chapterId],
      )) ?? null
    );
  }

  /** Replaces `old`'s share of the chapter's counts with `next`'s. */
  async replace(sql: Sql, chapterId: string, old: MilestoneContribution | null, next: MilestoneContribution | null): Promise<void> {
    if (old) await this.add(sql, chapterId, old, -1);
    if (next) await this.add(sql, chapterId, next, 1);
    if (old) for (const { table } of COUNTS) await sql.run(`DELETE FROM ${table} WHERE chapter_id = ? AND n <= 0`, [chapterId]);
  }

  /** Takes every milestone of a user out (before the user is deleted). */
  async removeUser(sql: Sql, userId: number): Promise<void> {
    if (!(await this.counts(sql, userId))) return;
    const rows = await sql.all<MilestoneContribution & { chapter_id: string }>(
      'SELECT chapter_id, status, score, started_at, completed_at FROM milestones WHERE user_id = ?',
      [userId],
    );
    for (const row of rows) await this.replace(sql, row.chapter_id, row, null);
  }

  private async add(sql: Sql, chapterId: string, c: MilestoneContribution, sign: 1 | -1): Promise<void> {
    await this.bump(sql, 0, chapterId, c.status, sign);
    if (c.status !== 'completed') return;
    if (c.score !== null) await this.bump(sql, 1, chapterId, c.score, sign);
    if (c.started_at !== null && c.completed_at !== null) {
      await this.bump(sql, 2, chapterId, minutesToCompleteBucket(c.completed_at - c.started_at), sign);
    }
  }

  private async bump(sql: Sql, which: 0 | 1 | 2, chapterId: string, value: string | number, n: number): Promise<void> {
    const { table, column, type } = COUNTS[which];
    await sql.run(
      `INSERT INTO ${table} AS t (chapter_id, ${column}, n) VALUES (@chapterId, @value::${type}, @n::bigint)
       ON CONFLICT (chapter_id, ${column}) DO UPDATE SET n = t.n + excluded.n`,
      { chapterId, value, n },
    );
  }
}

/** Recomputes the chapter counts from milestones, as migration 005 first did; for bulk loads and copies. */
export const REBUILD_MILESTONE_AGGREGATES = `
  DELETE FROM chapter_status_counts; DELETE FROM chapter_score_counts; DELETE FROM chapter_minute_counts;
  INSERT INTO chapter_status_counts (chapter_id, status, n)
    SELECT m.chapter_id, m.status, count(*) FROM milestones m JOIN users u ON u.id = m.user_id AND u.role = 'reader'
    GROUP BY m.chapter_id, m.status;
  INSERT INTO chapter_score_counts (chapter_id, score, n)
    SELECT m.chapter_id, m.score, count(*) FROM milestones m JOIN users u ON u.id = m.user_id AND u.role = 'reader'
    WHERE m.status = 'completed' AND m.score IS NOT NULL GROUP BY m.chapter_id, m.score;
  INSERT INTO chapter_minute_counts (chapter_id, minutes, n)
    SELECT m.chapter_id, ${MINUTES_BUCKET}, count(*)
    FROM milestones m JOIN users u ON u.id = m.user_id AND u.role = 'reader'
    WHERE m.status = 'completed' AND m.started_at IS NOT NULL AND m.completed_at IS NOT NULL
    GROUP BY 1, 2;`;
