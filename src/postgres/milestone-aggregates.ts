import { minutesToCompleteBucket } from '../domain/index.js';
import type { Sql } from './pg-sql.js';
import type { WriteClient } from './write-queue.js';

/** What one reader's milestone adds to its chapter's counts. */
export interface MilestoneContribution {
  readonly status: string;
  readonly score: number | null;
  readonly started_at: number | null;
  readonly completed_at: number | null;
}

const COUNTS = [
  { table: 'chapter_status_counts', column: 'status', type: 'text' },
  { table: 'chapter_score_counts', column: 'score', type: 'integer' },
  { table: 'chapter_minute_counts', column: 'minutes', type: 'bigint' },
] as const;

/** The statements that apply one batch's changes to one count table: $1 chapters, $2 values, $3 changes. */
const DEFERRED_STATEMENTS = COUNTS.map(({ table, column, type }) => ({
  upsert: {
    name: `readpulse-milestone-aggregates-${table}`,
    text: `INSERT INTO ${table} AS t (chapter_id, ${column}, n)
      SELECT c, v, sum(n)::bigint FROM unnest($1::text[], $2::${type}[], $3::bigint[]) AS x (c, v, n)
      GROUP BY c, v HAVING sum(n) <> 0 ORDER BY c, v
      ON CONFLICT (chapter_id, ${column}) DO UPDATE SET n = t.n + excluded.n`,
  },
  dropEmpty: { name: `readpulse-milestone-aggregates-${table}-empty`, text: `DELETE FROM ${table} WHERE chapter_id = ANY($1::text[]) AND n <= 0` },
}));

interface CountChange {
  readonly chapterId: string;
  readonly value: string | number;
  readonly n: number;
}

/**
 * Keeps chapter_status_counts, chapter_score_counts and chapter_minute_counts equal to what the
 * readers' milestones hold, as SQLite's MilestoneAggregates, but once per batch: each write
 * defers the old row's share out and the new one's in as its last step, and the write queue
 * applies the batch's sums just before COMMIT, then drops the counts that reached zero. Sums
 * commute, so the order of the batch's writes does not matter.
 */
export class MilestoneAggregates {
  /** The changes of each open write transaction (by its connection), one list per count table. */
  private readonly deferred = new WeakMap<WriteClient, CountChange[][]>();

  /** Every milestone of a user that counts (none for a consultant), before the user is deleted. */
  async contributionsOf(sql: Sql, userId: number): Promise<(MilestoneContribution & { chapter_id: string })[]> {
    if (!(await sql.get("SELECT 1 FROM users WHERE id = ? AND role = 'reader'", [userId]))) return [];
    return sql.all<MilestoneContribution & { chapter_id: string }>(
      'SELECT chapter_id, status, score, started_at, completed_at FROM milestones WHERE user_id = ?',
      [userId],
    );
  }

  /** Defers replacing `old`'s share of the chapter's counts with `next`'s. */
  defer(client: WriteClient, chapterId: string, old: MilestoneContribution | null, next: MilestoneContribution | null): void {
    let deferred = this.deferred.get(client);
    if (!deferred) this.deferred.set(client, (deferred = COUNTS.map(() => [])));
    if (old) add(deferred, chapterId, old, -1);
    if (next) add(deferred, chapterId, next, 1);
  }

  /** Forgets what was deferred on `client`: its transaction starts again or was rolled back. */
  discardDeferred(client: WriteClient): void {
    this.deferred.delete(client);
  }

  /** Applies the batch's changes: per table one upsert of the sums and one sweep of empty counts. */
  async applyDeferred(client: WriteClient): Promise<void> {
    const deferred = this.deferred.get(client) ?? [];
    this.discardDeferred(client);
    for (const [i, changes] of deferred.entries()) {
      if (changes.length === 0) continue;
      const chapters = changes.map((c) => c.chapterId);
      const { upsert, dropEmpty } = DEFERRED_STATEMENTS[i]!;
      await client.query({ ...upsert, values: [chapters, changes.map((c) => c.value), changes.map((c) => c.n)] });
      if (changes.some((c) => c.n < 0)) await client.query({ ...dropEmpty, values: [[...new Set(chapters)]] });
    }
  }

}

/** Adds a milestone's share (n = 1) or takes it out (n = -1) of the changes to its chapter's counts. */
function add(deferred: CountChange[][], chapterId: string, c: MilestoneContribution, n: 1 | -1): void {
  deferred[0]!.push({ chapterId, value: c.status, n });
  if (c.status !== 'completed') return;
  if (c.score !== null) deferred[1]!.push({ chapterId, value: c.score, n });
  if (c.started_at !== null && c.completed_at !== null) {
    deferred[2]!.push({ chapterId, value: minutesToCompleteBucket(c.completed_at - c.started_at), n });
  }
}

export { REBUILD_MILESTONE_AGGREGATES } from '../domain/storage/aggregate-rebuild.js';
