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

/**
 * The two statements that apply one batch's changes to every count table: the sums (per table
 * i, parameters 3i+1..3i+3: chapters, values, changes; rows in key order, so two batches in
 * flight lock them in one order), then the counts that reached zero (parameter i+1: the
 * chapters whose counts went down). Two, not one: a statement cannot see its own changes.
 */
const DEFERRED_UPSERT = {
  name: 'readpulse-milestone-aggregates',
  text: `WITH ${COUNTS.map(
    ({ table, column, type }, i) => `up_${i} AS (
      INSERT INTO ${table} AS t (chapter_id, ${column}, n)
        SELECT c, v, sum(n)::bigint FROM unnest($${3 * i + 1}::text[], $${3 * i + 2}::${type}[], $${3 * i + 3}::bigint[]) AS x (c, v, n)
        GROUP BY c, v HAVING sum(n) <> 0 ORDER BY c, v
      ON CONFLICT (chapter_id, ${column}) DO UPDATE SET n = t.n + excluded.n
      RETURNING 1
    )`,
  ).join(', ')}
    SELECT ${COUNTS.map((_, i) => `(SELECT count(*) FROM up_${i})`).join(' + ')} AS counts`,
};
const DEFERRED_DROP = {
  name: 'readpulse-milestone-aggregates-empty',
  text: `WITH ${COUNTS.map(
    ({ table }, i) => `gone_${i} AS (DELETE FROM ${table} WHERE chapter_id = ANY($${i + 1}::text[]) AND n <= 0 RETURNING 1)`,
  ).join(', ')}
    SELECT ${COUNTS.map((_, i) => `(SELECT count(*) FROM gone_${i})`).join(' + ')} AS counts`,
};

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

  /** Applies the batch's changes: one upsert of the sums for every table, then one sweep of empty counts if any went down. */
  async applyDeferred(client: WriteClient): Promise<void> {
    const deferred = this.deferred.get(client);
    this.discardDeferred(client);
    if (!deferred || deferred.every((changes) => changes.length === 0)) return;
    // Both are sent at once (the sweep queued behind the upsert on the connection), before the
    // first await, so the caller's COMMIT can follow them without a turn of the event loop.
    const sent = [
      client.query({
        ...DEFERRED_UPSERT,
        values: deferred.flatMap((changes) => [changes.map((c) => c.chapterId), changes.map((c) => c.value), changes.map((c) => c.n)]),
      }),
    ];
    if (deferred.some((changes) => changes.some((c) => c.n < 0))) {
      sent.push(
        client.query({
          ...DEFERRED_DROP,
          values: deferred.map((changes) => [...new Set(changes.filter((c) => c.n < 0).map((c) => c.chapterId))]),
        }),
      );
    }
    await Promise.all(sent);
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
