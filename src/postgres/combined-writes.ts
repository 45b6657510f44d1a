import {
  metadataJson,
  type ActivityEvent,
  type ActivityInput,
  type Milestone,
  type MilestoneInput,
  type RecordedMilestone,
} from '../domain/index.js';
import { milestoneReviews } from './attention-review-writes.js';
import { activityAggregateCtes } from './activity-aggregates.js';
import type { MilestoneAggregates, MilestoneContribution } from './milestone-aggregates.js';
import { toActivityEvent, toMilestone, type ActivityRow, type MilestoneRow } from '../domain/storage/stored-rows.js';
import type { Statement } from './statements.js';
import type { CombinedWrite, WriteClient } from './write-queue.js';

/** One logActivities call: a user's events, stamped `at`. */
export interface ActivityWrite {
  readonly userId: number;
  readonly inputs: readonly ActivityInput[];
  readonly at: number;
}

/** One upsertMilestone call, or one upsertReviewedMilestone call (`review`). */
export interface MilestoneWrite {
  readonly userId: number;
  readonly input: MilestoneInput;
  readonly at: number;
  readonly review: boolean;
}

/** The milestone after an upsert, and whether its user's milestones count in the chapter aggregates (readers only). */
type UpsertedMilestoneRow = MilestoneRow & MilestoneContribution & { readonly user_id: number; readonly counted: boolean };

const UPSERT_SET = `ON CONFLICT (user_id, chapter_id) DO UPDATE
      SET status = excluded.status, score = excluded.score, updated_at = excluded.updated_at,
          started_at = coalesce(m.started_at, excluded.started_at),
          completed_at = CASE WHEN excluded.status <> 'completed' THEN NULL
                              WHEN m.status = 'completed' THEN m.completed_at
                              ELSE excluded.updated_at END
    RETURNING user_id, chapter_id, status, score, updated_at, started_at, completed_at`;

function named(name: string, text: string): Statement {
  return { name: `readpulse-combined-${name}`, text };
}

/**
 * The writes a batch runs together. Each statement takes arrays, so one prepared plan serves
 * every batch size, and a batch of N writes of a kind costs the same statements as a batch of 1.
 *
 * That one plan is generic and lives as long as the writer's connection, so each statement finds
 * the rows its writes name by key whatever the statistics say: a correlated subquery or a LATERAL
 * that the planner cannot turn into a join. Written as joins, a plan made while a table was small
 * or not yet analyzed (a new program, until autovacuum's next ANALYZE) hashed the whole table on
 * every batch: users for the roles, milestones for the locking read (ADR 0025;
 * test/postgres/write-plans.postgres-test.ts).
 */
const sql = {
  // Every user's events in queue order, and their additions to the activity aggregates, in one
  // statement: a batch of activity alone is this statement and nothing else (see oneStatement).
  // The ids are handed out in the input's order, so the rows sorted by id split back into the
  // writes by their counts. Each user's role is looked up once, in `t`: a reader's row carries
  // its transaction's id and so is a live event (migration 016), and counts in the aggregates;
  // another user's does neither. A missing user fails the whole statement (its foreign key), and
  // the batch then runs each write alone.
  insertActivities: named(
    'insert-activities',
    `WITH t AS (
        SELECT t.*, (SELECT u.role = 'reader' FROM users u WHERE u.id = t.user_id) AS reader
          FROM unnest($1::bigint[], $2::text[], $3::json[], $4::bigint[]) WITH ORDINALITY
            AS t(user_id, action_type, metadata, created_at, n)
      ), inserted AS (
        INSERT INTO activity_logs (user_id, action_type, metadata, created_at, xid)
          SELECT user_id, action_type, metadata, created_at, CASE WHEN reader THEN pg_current_xact_id() END
          FROM t ORDER BY n
          RETURNING id, action_type, metadata, created_at
      ), ${activityAggregateCtes('SELECT user_id, created_at, 1::bigint FROM t WHERE reader')}
      SELECT id, action_type, metadata, created_at FROM inserted`,
  ),
  // The milestones as they are, locked until the batch commits (so another instance cannot change
  // them between this read and the upsert), in key order (so two batches lock in one order), each
  // by its unique key (the LATERAL with FOR UPDATE is not flattened into a join). A lock taken in
  // the upsert's own statement would not do: a row the same statement updates is skipped by its
  // FOR UPDATE.
  milestonesBefore: named(
    'milestones-before',
    `SELECT m.user_id, m.chapter_id, m.status, m.score, m.started_at, m.completed_at
      FROM (SELECT * FROM unnest($1::bigint[], $2::text[]) AS k(user_id, chapter_id) ORDER BY user_id, chapter_id COLLATE "C") k
      CROSS JOIN LATERAL (
        SELECT m.* FROM milestones m WHERE m.user_id = k.user_id AND m.chapter_id = k.chapter_id FOR UPDATE
      ) m`,
  ),
  // started_at: the first record that is not a completion; completed_at: when it last became
  // completed (kept while it stays completed, so a re-score does not stretch the time).
  upsertMilestones: named(
    'upsert-milestones',
    `WITH up AS (
      INSERT INTO milestones AS m (user_id, chapter_id, status, score, updated_at, started_at, completed_at)
        SELECT t.user_id, t.chapter_id, t.status, t.score, t.at,
               CASE WHEN t.status <> 'completed' THEN t.at END, CASE WHEN t.status = 'completed' THEN t.at END
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[], $5::bigint[]) WITH ORDINALITY
          AS t(user_id, chapter_id, status, score, at, n)
        ORDER BY t.n
      ${UPSERT_SET}
    )
    SELECT up.*, coalesce((SELECT u.role = 'reader' FROM users u WHERE u.id = up.user_id), false) AS counted FROM up`,
  ),
};

function run<R extends object>(db: WriteClient, statement: Statement, values: readonly unknown[]) {
  return db.query<R>({ ...statement, values: [...values] });
}

/** logActivities in a batch: one statement for all its writes, their aggregates included. */
export function activityWrites(): CombinedWrite<ActivityWrite, ActivityEvent[]> {
  const metadataOf = (input: ActivityInput) => (input.metadata === null ? null : metadataJson(input.metadata));
  const runAll = async (db: WriteClient, writes: readonly ActivityWrite[]): Promise<ActivityEvent[][]> => {
    const users = writes.flatMap((w) => w.inputs.map(() => w.userId));
    const types = writes.flatMap((w) => w.inputs.map((i) => i.actionType));
    const metadata = writes.flatMap((w) => w.inputs.map(metadataOf));
    const times = writes.flatMap((w) => w.inputs.map(() => w.at));
    // RETURNING promises no order; the ids were handed out in the input's order.
    const rows = users.length === 0 ? [] : (await run<ActivityRow>(db, sql.insertActivities, [users, types, metadata, times])).rows;
    rows.sort((a, b) => a.id - b.id);
    let next = 0;
    return writes.map((w) => rows.slice(next, (next += w.inputs.length)).map(toActivityEvent));
  };
  return {
    oneStatement: true,
    runAll,
    runOne: async (db, write) => (await runAll(db, [write]))[0]!,
  };
}

/**
 * upsertMilestone and upsertReviewedMilestone in a batch: one locking read of the milestones as
 * they were and one upsert, for every write whose reader and chapter no earlier write of the batch
 * touched; a second write of the same milestone waits for the next round (a statement cannot change
 * a row twice). After each round come the reviews its writes asked for, together
 * (attention-review-writes.ts), each reading the milestone its write stored. Run alone (runOne,
 * when a write of the batch failed), a write is reviewed only if it succeeded.
 */
export function milestoneWrites(aggregates: MilestoneAggregates): CombinedWrite<MilestoneWrite, RecordedMilestone> {
  const keyOf = (userId: number, chapterId: string) => `${userId}\u0000${chapterId}`;
  const round = async (db: WriteClient, writes: readonly MilestoneWrite[]): Promise<Milestone[]> => {
    const users = writes.map((w) => w.userId);
    const chapters = writes.map((w) => w.input.chapterId);
    const values = [users, chapters, writes.map((w) => w.input.status), writes.map((w) => w.input.score), writes.map((w) => w.at)];
    // Sent together: the connection runs the upsert right after the locking read, in that order,
    // without waiting for this code between them (a read that fails aborts the transaction, and
    // the upsert then fails too).
    const [locked, upserted] = await Promise.all([
      run<MilestoneContribution & { user_id: number; chapter_id: string }>(db, sql.milestonesBefore, [users, chapters]),
      run<UpsertedMilestoneRow>(db, sql.upsertMilestones, values),
    ]);
    const before = new Map(locked.rows.map((row) => [keyOf(row.user_id, row.chapter_id), row]));
    const after = new Map(upserted.rows.map((row) => [keyOf(row.user_id, row.chapter_id), row]));
    return writes.map((w) => {
      const key = keyOf(w.userId, w.input.chapterId);
      const row = after.get(key)!;
      if (row.counted) aggregates.defer(db, w.input.chapterId, before.get(key) ?? null, row);
      return toMilestone(row);
    });
  };
  const reviewOf = (write: MilestoneWrite) => ({ readerId: write.userId, chapterId: write.input.chapterId, now: write.at });
  return {
    async runAll(db, writes) {
      const results: RecordedMilestone[] = new Array(writes.length);
      let remaining = writes.map((write, index) => ({ write, index }));
      while (remaining.length > 0) {
        const seen = new Set<string>();
        const now: typeof remaining = [];
        const later: typeof remaining = [];
        for (const entry of remaining) {
          const key = keyOf(entry.write.userId, entry.write.input.chapterId);
          (seen.has(key) ? later : now).push(entry);
          seen.add(key);
        }
        // A round's reviews go right behind its upsert, without waiting for its answer: the
        // connection runs them in that order, so each reads the milestone its write stored. They
        // end before the next round's writes: a second write of a milestone is reviewed after the
        // first one's review, as if they ran one after another.
        const reviewed = now.filter((e) => e.write.review);
        const [milestones, attention] = await Promise.all([
          round(
            db,
            now.map((e) => e.write),
          ),
          reviewed.length === 0 ? [] : milestoneReviews.runAll(db, reviewed.map((e) => reviewOf(e.write))),
        ]);
        const attentionOf = new Map(reviewed.map((entry, n) => [entry.index, attention[n]!]));
        now.forEach((entry, n) => (results[entry.index] = { milestone: milestones[n]!, attention: attentionOf.get(entry.index) ?? [] }));
        remaining = later;
      }
      return results;
    },
    async runOne(db, write) {
      const milestone = (await round(db, [write]))[0]!;
      return { milestone, attention: write.review ? await milestoneReviews.runOne(db, reviewOf(write)) : [] };
    },
  };
}
