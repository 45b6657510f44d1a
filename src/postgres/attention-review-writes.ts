import { milestoneReviewPlan, REVIEW_ORDER, type AttentionItem } from '../domain/index.js';
import { ATTENTION_ITEM_COLUMNS, attentionUserIds, NO_CHAPTER, toAttentionItems, USER_COLUMNS, type AttentionRow, type UserRow } from '../domain/storage/stored-rows.js';
import { run } from './postgres-access.js';
import type { Statement } from './statements.js';
import type { CombinedWrite, WriteClient } from './write-queue.js';

/** One reviewMilestoneAttention call: the reader whose milestone on the chapter changed, at `now`. */
export interface MilestoneReview {
  readonly readerId: number;
  readonly chapterId: string;
  readonly now: number;
}

function named(name: string, text: string): Statement {
  return { name: `readpulse-review-${name}`, text };
}

const sql = {
  // What each review decides on: the milestone as it is now, the low-score rule and whether the
  // chapter is in the program; one row per review whose user is a reader. Users and milestones are
  // found by key whatever the statistics say (see combined-writes.ts).
  facts: named(
    'facts',
    `SELECT k.n::int AS n, m.status, m.score, m.updated_at, (SELECT low_score FROM attention_rules WHERE id = 1) AS low_score,
            EXISTS (SELECT 1 FROM chapters c WHERE c.id = k.chapter_id) AS in_program,
            EXISTS (SELECT 1 FROM attention_items a
              WHERE a.reader_id = k.reader AND a.state <> 'resolved'
                AND a.chapter_id IN (k.chapter_id, $3::text) AND a.reason IN ('stuck', 'low_score', 'inactive')) AS has_live_items
      FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS k(reader, chapter_id, n)
      LEFT JOIN LATERAL (
        SELECT m.status, m.score, m.updated_at FROM milestones m WHERE m.user_id = k.reader AND m.chapter_id = k.chapter_id LIMIT 1
      ) m ON true
      WHERE (SELECT u.role FROM users u WHERE u.id = k.reader) = 'reader'`,
  ),
  // Every cause that went: a stuck or low-score item on the reviewed chapter, and any inactivity
  // item of the reader (a milestone is activity). An item several reviews match changes once.
  resolve: named(
    'resolve',
    `UPDATE attention_items SET state = 'resolved', resolved_at = k.at, resolved_by = NULL
      FROM unnest($1::bigint[], $2::text[], $3::boolean[], $4::boolean[], $5::bigint[]) AS k(reader, chapter, stuck_went, low_went, at)
      WHERE attention_items.reader_id = k.reader AND attention_items.state <> 'resolved' AND (
        (attention_items.reason = 'stuck' AND attention_items.chapter_id = k.chapter AND k.stuck_went)
        OR (attention_items.reason = 'low_score' AND attention_items.chapter_id = k.chapter AND k.low_went)
        OR (attention_items.reason = 'inactive' AND attention_items.chapter_id = $6::text))
      RETURNING ${ATTENTION_ITEM_COLUMNS.split(', ').map((c) => `attention_items.${c}`).join(', ')}`,
  ),
  // A low score opens an item at once, unless one is open already (the unique open-item index).
  open: named(
    'open',
    `INSERT INTO attention_items (reader_id, reason, chapter_id, since, state, opened_at)
      SELECT t.reader, 'low_score', t.chapter, t.since, 'open', t.at
      FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS t(reader, chapter, since, at, n)
      ORDER BY t.n
      ON CONFLICT DO NOTHING RETURNING ${ATTENTION_ITEM_COLUMNS}`,
  ),
  // A reader came back: their open inactivity item resolves (ReturnReview), for every reader of a
  // batch at once. Each reader appears once (returnReviews keeps the first review of each).
  resolveReturned: named(
    'resolve-returned',
    `UPDATE attention_items SET state = 'resolved', resolved_at = k.at, resolved_by = NULL
      FROM unnest($1::bigint[], $2::bigint[]) AS k(reader, at)
      WHERE attention_items.reader_id = k.reader AND attention_items.reason = 'inactive'
        AND attention_items.chapter_id = $3::text AND attention_items.state <> 'resolved'
      RETURNING ${ATTENTION_ITEM_COLUMNS.split(', ').map((c) => `attention_items.${c}`).join(', ')}`,
  ),
  users: named('users', `SELECT ${USER_COLUMNS} FROM users WHERE id = ANY ($1::bigint[])`),
};

interface Facts {
  readonly n: number;
  readonly status: string | null;
  readonly score: number | null;
  readonly updated_at: number | null;
  readonly low_score: number;
  readonly in_program: boolean;
  /** Whether the reader has an unresolved item the review could resolve (on the chapter, or inactive). */
  readonly has_live_items: boolean;
}

/**
 * reviewMilestoneAttention in a batch (ADR 0022): however many reviews a batch holds, one read of
 * what they decide on, one update of the causes that went, one insert of the items that came and
 * one read of the users the items name. Each review gets the items it changed, in the order the
 * causes are reviewed (stuck, low score, inactive), as if the reviews ran one after another in
 * queue order: an item that several reviews would resolve goes to the first of them. Two reviews
 * of the same reader and chapter run in successive rounds, as the milestone writes do.
 */
export const milestoneReviews: CombinedWrite<MilestoneReview, AttentionItem[]> = {
  async runAll(db, reviews) {
    const results: AttentionItem[][] = new Array(reviews.length);
    let remaining = reviews.map((review, index) => ({ review, index }));
    while (remaining.length > 0) {
      const seen = new Set<string>();
      const now: typeof remaining = [];
      const later: typeof remaining = [];
      for (const entry of remaining) {
        const key = `${entry.review.readerId}\u0000${entry.review.chapterId}`;
        (seen.has(key) ? later : now).push(entry);
        seen.add(key);
      }
      const items = await reviewRound(db, now.map((e) => e.review));
      now.forEach((entry, n) => (results[entry.index] = items[n]!));
      remaining = later;
    }
    return results;
  },
  async runOne(db, review) {
    return (await reviewRound(db, [review]))[0]!;
  },
};

/** One reviewReturnAttention call: the reader who came back, at `now`. */
export interface ReturnReview {
  readonly readerId: number;
  readonly now: number;
}

/**
 * reviewReturnAttention in a batch: one update resolving the open inactivity items of every
 * reader the batch reviews, and one read of the users those items name (none when nothing
 * changed, the common case). A reader reviewed twice in a batch gets the item at the first review,
 * as if the reviews ran one after another in queue order.
 */
export const returnReviews: CombinedWrite<ReturnReview, AttentionItem[]> = {
  async runAll(db, reviews) {
    const first = new Map<number, number>();
    reviews.forEach((review, i) => {
      if (!first.has(review.readerId)) first.set(review.readerId, i);
    });
    const readers = [...first.keys()];
    const { rows } = await run<AttentionRow>(db, sql.resolveReturned, [readers, readers.map((id) => reviews[first.get(id)!]!.now), NO_CHAPTER]);
    const results: AttentionItem[][] = reviews.map(() => []);
    if (rows.length === 0) return results;
    const users = (await run<UserRow>(db, sql.users, [attentionUserIds(rows)])).rows;
    for (const row of rows) results[first.get(row.reader_id)!]!.push(...toAttentionItems([row], users));
    return results;
  },
  async runOne(db, review) {
    return (await returnReviews.runAll(db, [review]))[0]!;
  },
};

/** Reviews of distinct (reader, chapter) pairs, in one go. */
async function reviewRound(db: WriteClient, reviews: readonly MilestoneReview[]): Promise<AttentionItem[][]> {
  const readers = reviews.map((r) => r.readerId);
  const chapters = reviews.map((r) => r.chapterId);
  const facts = new Map((await run<Facts>(db, sql.facts, [readers, chapters, NO_CHAPTER])).rows.map((row) => [row.n - 1, row]));
  // A review of a user who is no reader (or no longer exists) changes nothing.
  const plans = reviews.map((_, i) => {
    const found = facts.get(i);
    return found ? { found, ...milestoneReviewPlan(found, { lowScore: found.low_score }, found.in_program) } : null;
  });
  const reviewed = reviews.flatMap((review, i) => (plans[i] ? [{ review, plan: plans[i]!, i }] : []));
  if (reviewed.length === 0) return reviews.map(() => []);
  // Most reviews find nothing to resolve: only those whose reader has a live item send an update.
  const resolvable = reviewed.filter((r) => r.plan.found.has_live_items);
  const opening = reviewed.filter((r) => r.plan.openLowScore);
  const none = Promise.resolve({ rows: [] as AttentionRow[] });
  // The update and the insert touch different items (a review opens a low-score item or resolves
  // one, never both), and go to the connection together, the insert queued behind the update.
  const resolving =
    resolvable.length === 0
      ? none
      : run<AttentionRow>(db, sql.resolve, [
          resolvable.map((r) => r.review.readerId),
          resolvable.map((r) => r.review.chapterId),
          resolvable.map((r) => r.plan.resolveStuck),
          resolvable.map((r) => !r.plan.openLowScore),
          resolvable.map((r) => r.review.now),
          NO_CHAPTER,
        ]);
  const openingItems =
    opening.length === 0
      ? none
      : run<AttentionRow>(db, sql.open, [
          opening.map((r) => r.review.readerId),
          opening.map((r) => r.review.chapterId),
          opening.map((r) => r.plan.found.updated_at),
          opening.map((r) => r.review.now),
        ]);
  const [{ rows: resolved }, { rows: opened }] = await Promise.all([resolving, openingItems]);
  const changed = [...resolved, ...opened];
  const users = changed.length === 0 ? [] : (await run<UserRow>(db, sql.users, [attentionUserIds(changed)])).rows;
  // Each changed row goes to the first review that would have changed it.
  const rowsOf: AttentionRow[][] = reviews.map(() => []);
  for (const row of resolved) {
    const owner = reviewed.find(
      ({ review, plan }) =>
        review.readerId === row.reader_id &&
        (row.reason === 'inactive' ||
          (row.chapter_id === review.chapterId && (row.reason === 'stuck' ? plan.resolveStuck : !plan.openLowScore))),
    );
    if (owner) rowsOf[owner.i]!.push(row);
  }
  for (const rows of rowsOf) rows.sort((a, b) => REVIEW_ORDER.indexOf(a.reason) - REVIEW_ORDER.indexOf(b.reason));
  for (const row of opened) {
    const owner = opening.find(({ review }) => review.readerId === row.reader_id && review.chapterId === row.chapter_id);
    if (!owner) continue;
    const mine = rowsOf[owner.i]!;
    // In the order the causes are reviewed: stuck, low score, inactive.
    mine.splice(mine.filter((r) => r.reason === 'stuck').length, 0, row);
  }
  return rowsOf.map((rows) => (rows.length === 0 ? [] : toAttentionItems(rows, users)));
}
