import { CHAPTER_COLUMNS, USER_COLUMNS } from '../domain/storage/stored-rows.js';

/** A named statement: pg prepares it once per connection and reuses the plan. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

const U = USER_COLUMNS.split(', ').map((c) => `u.${c}`).join(', ');

function define<T extends Record<string, string>>(texts: T): { readonly [K in keyof T]: Statement } {
  return Object.fromEntries(Object.entries(texts).map(([name, text]) => [name, { name: `readpulse-${name}`, text }])) as {
    [K in keyof T]: Statement;
  };
}

/** Every statement the store runs, the same queries as SQLite's statements.ts. */
export const statements = define({
  ping: 'SELECT 1',
  insertUser: `INSERT INTO users (email, name, password_hash, role, created_at, search_key)
    VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${USER_COLUMNS}`,
  userByEmail: `SELECT ${USER_COLUMNS} FROM users WHERE email = $1`,
  userById: `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`,
  readerById: `SELECT ${USER_COLUMNS} FROM users WHERE id = $1 AND role = 'reader'`,
  usersByIds: `SELECT ${USER_COLUMNS} FROM users WHERE id = ANY ($1::bigint[])`,
  updatePasswordHash: 'UPDATE users SET password_hash = $1 WHERE id = $2',
  deleteUser: 'DELETE FROM users WHERE id = $1',
  // Forward only: a late flush must never move activity back in time.
  touchUser: 'UPDATE users SET last_active_at = $1 WHERE id = $2 AND (last_active_at IS NULL OR last_active_at < $1)',
  // One statement for any number of coalesced heartbeats, run on its own rather than in the
  // batched writer's transaction (every instance beats for the same users and sessions, so their
  // row locks must last one statement, not a batch). Per user and per session only the latest
  // beat counts, forward only; a heartbeat whose session was revoked meanwhile is not activity.
  // Rows are locked in key order, users before sessions, so two instances' beats do not deadlock;
  // the final SELECT reads touched_users first, which is what runs the users' update first.
  recordHeartbeats: `WITH beats AS (
      SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS t(user_id, token_hash, at)
    ), due_users AS (
      SELECT u.id, b.at FROM users u
        JOIN (SELECT t.user_id, max(t.at) AS at FROM beats t
              WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.token_hash = t.token_hash AND s.user_id = t.user_id)
              GROUP BY t.user_id) b ON b.user_id = u.id
      WHERE u.last_active_at IS NULL OR u.last_active_at < b.at
      ORDER BY u.id FOR NO KEY UPDATE OF u
    ), touched_users AS (
      UPDATE users u SET last_active_at = d.at FROM due_users d WHERE u.id = d.id RETURNING u.id
    ), due_sessions AS (
      SELECT s.token_hash, b.at FROM sessions s
        JOIN (SELECT token_hash, max(at) AS at FROM beats GROUP BY token_hash) b ON b.token_hash = s.token_hash
      WHERE s.last_seen_at < b.at - $4::bigint
      ORDER BY s.token_hash FOR NO KEY UPDATE OF s
    ), touched_sessions AS (
      UPDATE sessions s SET last_seen_at = d.at FROM due_sessions d WHERE s.token_hash = d.token_hash RETURNING s.token_hash
    )
    SELECT (SELECT count(*) FROM touched_users)::int AS users, (SELECT count(*) FROM touched_sessions)::int AS sessions`,
  activeReadersPage: `SELECT ${USER_COLUMNS} FROM users
    WHERE role = 'reader' AND last_active_at >= $1
      AND (last_active_at > $2 OR (last_active_at = $2 AND id > $3))
    ORDER BY last_active_at, id LIMIT $4`,
  activeReaders: `SELECT ${USER_COLUMNS} FROM users WHERE role = 'reader' AND last_active_at > $1
    ORDER BY last_active_at DESC`,
  // strpos, not LIKE: no wildcards to escape, as SQLite's instr.
  readerPage: `SELECT ${USER_COLUMNS} FROM users
    WHERE role = 'reader' AND id > $1 AND ($2::text IS NULL OR strpos(search_key, $2::text) > 0)
    ORDER BY id LIMIT $3`,
  // One cohort's readers: walked through the membership's primary key, so a small cohort among
  // many readers costs its own size.
  cohortReaderPage: `SELECT ${U} FROM cohort_members cm JOIN users u ON u.id = cm.reader_id
    WHERE cm.cohort_id = $4 AND cm.reader_id > $1 AND u.role = 'reader'
      AND ($2::text IS NULL OR strpos(u.search_key, $2::text) > 0)
    ORDER BY cm.reader_id LIMIT $3`,
  readerTotal: `SELECT count(*) AS n FROM users WHERE role = 'reader' AND ($1::text IS NULL OR strpos(search_key, $1::text) > 0)`,
  cohortReaderTotal: `SELECT count(*) AS n FROM cohort_members cm JOIN users u ON u.id = cm.reader_id
    WHERE cm.cohort_id = $2 AND u.role = 'reader' AND ($1::text IS NULL OR strpos(u.search_key, $1::text) > 0)`,
  milestoneCounts: `SELECT user_id, status, count(*) AS n FROM milestones
    WHERE user_id = ANY ($1::bigint[]) GROUP BY user_id, status`,
  insertSession: `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at)
    VALUES ($1, $2, $3, $4, $5)`,
  sessionWithUser: `SELECT ${U}, s.token_hash, s.user_id, s.created_at AS session_created_at, s.last_seen_at, s.expires_at
    FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`,
  deleteSession: 'DELETE FROM sessions WHERE token_hash = $1',
  deleteUserSessions: 'DELETE FROM sessions WHERE user_id = $1 AND ($2::text IS NULL OR token_hash <> $2::text)',
  deleteExpiredSessions: 'DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2',
  milestonesOf: 'SELECT chapter_id, status, score, updated_at FROM milestones WHERE user_id = $1 ORDER BY chapter_id',
  // Retention: the oldest rows by idx_activity_created, in a bounded batch.
  // Ordered by (created_at, id) so that the delete and the aggregate count pick the same rows.
  deleteActivityBefore: `DELETE FROM activity_logs WHERE id IN
    (SELECT id FROM activity_logs WHERE created_at < $1 ORDER BY created_at, id LIMIT $2)`,
  // What deleteActivityBefore is about to delete, for the aggregates.
  activityBefore: `SELECT user_id AS "userId", created_at AS at FROM activity_logs
    WHERE created_at < $1 ORDER BY created_at, id LIMIT $2`,
  activityPage: `SELECT id, action_type, metadata, created_at FROM activity_logs
    WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
  stuckPage: `SELECT m.id AS milestone_id, m.chapter_id, m.updated_at AS since, ${U}
    FROM milestones m JOIN users u ON u.id = m.user_id
    WHERE m.status = 'stuck' AND (m.updated_at, m.id) > ($1, $2)
      AND ($4::bigint IS NULL OR EXISTS
            (SELECT 1 FROM cohort_members cm WHERE cm.cohort_id = $4::bigint AND cm.reader_id = m.user_id))
    ORDER BY m.updated_at, m.id LIMIT $3`,
  chapters: `SELECT ${CHAPTER_COLUMNS} FROM chapters ORDER BY position, id`,
  insertChapter: `INSERT INTO chapters (id, title, position, created_at, updated_at, activity_id)
    VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM chapters), $3, $3, $4)
    RETURNING ${CHAPTER_COLUMNS}`,
  // $4 / $6 say which of title and activity_id the change names; the other stays.
  updateChapter: `UPDATE chapters
    SET title = CASE WHEN $4 THEN $2 ELSE title END,
        activity_id = CASE WHEN $6 THEN $5 ELSE activity_id END,
        updated_at = $3
    WHERE id = $1 RETURNING ${CHAPTER_COLUMNS}`,
  chapterWithActivity: 'SELECT id FROM chapters WHERE activity_id = $1 AND id <> $2',
  moveChapters: `UPDATE chapters c SET position = t.n, updated_at = $2
    FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n) WHERE c.id = t.id`,
  lockChapters: 'LOCK TABLE chapters IN SHARE ROW EXCLUSIVE MODE',
});
