import type { Database } from './open-database.js';
import { ATTENTION_ITEM_COLUMNS, USER_COLUMNS } from '../domain/storage/stored-rows.js';

export type { AttentionRow } from '../domain/storage/stored-rows.js';

const ITEM = ATTENTION_ITEM_COLUMNS;
const IN_COHORT =
  '(@cohort IS NULL OR EXISTS (SELECT 1 FROM cohort_members cm WHERE cm.cohort_id = @cohort AND cm.reader_id = attention_items.reader_id))';

/** The attention queue's statements, prepared once per connection. */
export function prepareAttentionStatements(db: Database) {
  return {
    rules: db.prepare('SELECT stuck_minutes, inactive_days, low_score FROM attention_rules WHERE id = 1'),
    setRules: db.prepare('UPDATE attention_rules SET stuck_minutes = ?, inactive_days = ?, low_score = ? WHERE id = 1'),
    byId: db.prepare(`SELECT ${ITEM} FROM attention_items WHERE id = ?`),
    page: db.prepare(
      `SELECT ${ITEM} FROM attention_items
       WHERE state = @state AND (since, id) > (@since, @id) AND ${IN_COHORT}
         AND (@reason IS NULL OR reason = @reason) AND (@reader IS NULL OR reader_id = @reader)
       ORDER BY since, id LIMIT @limit`,
    ),
    counts: db.prepare(
      `SELECT state, count(*) AS n FROM attention_items WHERE state <> 'resolved' AND ${IN_COHORT} GROUP BY state`,
    ),
    // The partial unique index makes a second open item for the same cause a no-op.
    open: db.prepare(
      `INSERT INTO attention_items (reader_id, reason, chapter_id, since, state, opened_at)
       VALUES (?, ?, ?, ?, 'open', ?) ON CONFLICT DO NOTHING RETURNING ${ITEM}`,
    ),
    resolveCause: db.prepare(
      `UPDATE attention_items SET state = 'resolved', resolved_at = ?, resolved_by = NULL
       WHERE reader_id = ? AND reason = ? AND chapter_id = ? AND state <> 'resolved' RETURNING ${ITEM}`,
    ),
    resolveById: db.prepare(
      `UPDATE attention_items SET state = 'resolved', resolved_at = ?, resolved_by = NULL
       WHERE id = ? AND state <> 'resolved' RETURNING ${ITEM}`,
    ),
    // A claim whose holder's account was deleted (claimed_by set null) is free to claim again.
    // Each of these changes state only from the state it expects, so of two racing consultants
    // exactly one statement matches; the loser sees zero rows and the item as the winner left it.
    claim: db.prepare(
      `UPDATE attention_items SET state = 'claimed', claimed_by = @by, claimed_at = @now
       WHERE id = @id AND (state = 'open' OR (state = 'claimed' AND claimed_by IS NULL)) RETURNING ${ITEM}`,
    ),
    release: db.prepare(
      `UPDATE attention_items SET state = 'open', claimed_by = NULL, claimed_at = NULL
       WHERE id = @id AND state = 'claimed' AND claimed_by = @by RETURNING ${ITEM}`,
    ),
    resolve: db.prepare(
      `UPDATE attention_items SET state = 'resolved', resolved_by = @by, resolved_at = @now, note = @note
       WHERE id = @id AND state <> 'resolved' AND (claimed_by IS NULL OR claimed_by = @by) RETURNING ${ITEM}`,
    ),
    milestone: db.prepare('SELECT status, score, updated_at FROM milestones WHERE user_id = ? AND chapter_id = ?'),
    isReader: db.prepare("SELECT 1 FROM users WHERE id = ? AND role = 'reader'").pluck(),
    isProgramChapter: db.prepare('SELECT EXISTS (SELECT 1 FROM chapters WHERE id = ?)').pluck(),
    hasMilestones: db.prepare('SELECT 1 FROM milestones WHERE user_id = ? LIMIT 1').pluck(),
    usersByIds: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id IN (SELECT value FROM json_each(?))`),
    sweepCursor: db.prepare('SELECT cursor_time, cursor_id FROM attention_sweep WHERE rule = ?'),
    moveSweepCursor: db.prepare('UPDATE attention_sweep SET cursor_time = ?, cursor_id = ? WHERE rule = ?'),
    // The sweep reads only rows that crossed a threshold since its last run, by index
    // (idx_milestones_status_updated, idx_users_role_last_active), at most @limit of them.
    stuckCrossed: db.prepare(
      `SELECT m.id, m.user_id, m.chapter_id, m.updated_at, u.role,
              EXISTS (SELECT 1 FROM chapters c WHERE c.id = m.chapter_id) AS in_program
       FROM milestones m JOIN users u ON u.id = m.user_id
       WHERE m.status = 'stuck' AND (m.updated_at, m.id) > (@time, @id) AND m.updated_at <= @cutoff
       ORDER BY m.updated_at, m.id LIMIT @limit`,
    ),
    inactiveCrossed: db.prepare(
      `SELECT id, last_active_at FROM users
       WHERE role = 'reader' AND (last_active_at, id) > (@time, @id) AND last_active_at <= @cutoff
       ORDER BY last_active_at, id LIMIT @limit`,
    ),
    liveInactive: db.prepare(
      `SELECT i.id, i.since, u.last_active_at FROM attention_items i JOIN users u ON u.id = i.reader_id
       WHERE i.reason = 'inactive' AND i.state <> 'resolved' AND i.id > ? ORDER BY i.id LIMIT ?`,
    ),
  };
}

export type AttentionStatements = ReturnType<typeof prepareAttentionStatements>;
