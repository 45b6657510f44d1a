import type { Database } from './open-database.js';
import { CHAPTER_COLUMNS, USER_COLUMNS } from '../domain/storage/stored-rows.js';

/** Every statement the store runs, prepared once per connection. */
export function prepareStatements(db: Database) {
  return {
    ping: db.prepare('SELECT 1'),
    insertUser: db.prepare(
      `INSERT INTO users (email, name, password_hash, role, created_at, search_key) VALUES (?, ?, ?, ?, ?, ?)
       RETURNING ${USER_COLUMNS}`,
    ),
    userByEmail: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`),
    userById: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`),
    readerById: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ? AND role = 'reader'`),
    usersByIds: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id IN (SELECT value FROM json_each(?))`),
    updatePasswordHash: db.prepare('UPDATE users SET password_hash = ? WHERE id = ?'),
    deleteUser: db.prepare('DELETE FROM users WHERE id = ?'),
    // Forward only: a late flush must never move activity back in time.
    touchUser: db.prepare(
      'UPDATE users SET last_active_at = ? WHERE id = ? AND (last_active_at IS NULL OR last_active_at < ?)',
    ),
    // A heartbeat whose session was revoked meanwhile is not activity.
    touchUserOnSession: db.prepare(
      `UPDATE users SET last_active_at = @at
       WHERE id = @userId AND (last_active_at IS NULL OR last_active_at < @at)
         AND EXISTS (SELECT 1 FROM sessions WHERE token_hash = @tokenHash AND user_id = @userId)`,
    ),
    touchSession: db.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?'),
    // Keyset pages in index order (role, last_active_at, then rowid): @from is the later of the
    // window's start and the previous page's last time, so the scan starts there.
    activeReadersPage: db.prepare(
      `SELECT ${USER_COLUMNS} FROM users
       WHERE role = 'reader' AND last_active_at >= @from
         AND (last_active_at > @afterAt OR (last_active_at = @afterAt AND id > @afterId))
       ORDER BY last_active_at, id LIMIT @limit`,
    ),
    activeReaders: db.prepare(
      `SELECT ${USER_COLUMNS} FROM users WHERE role = 'reader' AND last_active_at > ?
       ORDER BY last_active_at DESC`,
    ),
    readerPage: db.prepare(
      `SELECT ${USER_COLUMNS} FROM users
       WHERE role = 'reader' AND id > @after
         AND (@needle IS NULL OR instr(search_key, @needle) > 0)
       ORDER BY id LIMIT @limit`,
    ),
    // One cohort's readers: walked through the membership's primary key, so a small cohort among
    // many readers costs its own size.
    cohortReaderPage: db.prepare(
      `SELECT ${USER_COLUMNS.split(', ').map((c) => `u.${c}`).join(', ')} FROM cohort_members cm JOIN users u ON u.id = cm.reader_id
       WHERE cm.cohort_id = @cohort AND cm.reader_id > @after AND u.role = 'reader'
         AND (@needle IS NULL OR instr(u.search_key, @needle) > 0)
       ORDER BY cm.reader_id LIMIT @limit`,
    ),
    // Through the readers' part of (role, id), as the list's pages go: a planner that knows nearly
    // every user is a reader would otherwise read the consultants' rows too.
    readerTotal: db.prepare(
      "SELECT count(*) FROM users INDEXED BY idx_users_role_id WHERE role = 'reader' AND (@needle IS NULL OR instr(search_key, @needle) > 0)",
    ).pluck(),
    cohortReaderTotal: db.prepare(
      `SELECT count(*) FROM cohort_members cm JOIN users u ON u.id = cm.reader_id
       WHERE cm.cohort_id = @cohort AND u.role = 'reader' AND (@needle IS NULL OR instr(u.search_key, @needle) > 0)`,
    ).pluck(),
    milestoneCounts: db.prepare(
      `SELECT user_id, status, COUNT(*) AS n FROM milestones
       WHERE user_id IN (SELECT value FROM json_each(?)) GROUP BY user_id, status`,
    ),
    insertSession: db.prepare(
      'INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    ),
    // The user's columns come first so the row reads as a UserRow; the session's follow.
    sessionWithUser: db.prepare(
      `SELECT u.id, u.email, u.name, u.password_hash, u.role, u.created_at, u.last_active_at,
              s.token_hash, s.user_id, s.created_at AS session_created_at, s.last_seen_at, s.expires_at
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
    ),
    deleteSession: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
    deleteUserSessions: db.prepare('DELETE FROM sessions WHERE user_id = @userId AND (@except IS NULL OR token_hash <> @except)'),
    deleteExpiredSessions: db.prepare('DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?'),
    // started_at: the first record that is not a completion; completed_at: when it last became
    // completed (kept while it stays completed, so a re-score does not stretch the time).
    upsertMilestone: db.prepare(
      `INSERT INTO milestones (user_id, chapter_id, status, score, updated_at, started_at, completed_at)
       VALUES (@userId, @chapterId, @status, @score, @now,
               CASE WHEN @status <> 'completed' THEN @now END, CASE WHEN @status = 'completed' THEN @now END)
       ON CONFLICT (user_id, chapter_id) DO UPDATE
         SET status = excluded.status, score = excluded.score, updated_at = excluded.updated_at,
             started_at = coalesce(milestones.started_at, excluded.started_at),
             completed_at = CASE WHEN excluded.status <> 'completed' THEN NULL
                                 WHEN milestones.status = 'completed' THEN milestones.completed_at
                                 ELSE excluded.updated_at END
       RETURNING chapter_id, status, score, updated_at, started_at, completed_at`,
    ),
    milestonesOf: db.prepare(
      'SELECT chapter_id, status, score, updated_at FROM milestones WHERE user_id = ? ORDER BY chapter_id',
    ),
    insertActivity: db.prepare(
      `INSERT INTO activity_logs (user_id, action_type, metadata, created_at) VALUES (?, ?, ?, ?)
       RETURNING id, action_type, metadata, created_at`,
    ),
    // Retention: the oldest rows by idx_activity_created, deleted by rowid in a bounded batch so
    // one statement never holds the write lock for long.
    // Ordered by (created_at, id) so that the delete and the aggregate count below pick the same rows.
    deleteActivityBefore: db.prepare(
      `DELETE FROM activity_logs WHERE id IN
         (SELECT id FROM activity_logs WHERE created_at < ? ORDER BY created_at, id LIMIT ?)`,
    ),
    // What deleteActivityBefore is about to delete, for the aggregates.
    activityBefore: db.prepare(
      'SELECT user_id AS userId, created_at AS at FROM activity_logs WHERE created_at < ? ORDER BY created_at, id LIMIT ?',
    ),
    activityPage: db.prepare(
      `SELECT id, action_type, metadata, created_at FROM activity_logs
       WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    ),
    stuckPage: db.prepare(
      `SELECT m.id AS milestone_id, m.chapter_id, m.updated_at AS since, ${USER_COLUMNS.split(', ').map((c) => `u.${c}`).join(', ')}
       FROM milestones m JOIN users u ON u.id = m.user_id
       WHERE m.status = 'stuck' AND (m.updated_at, m.id) > (@since, @id)
         AND (@cohort IS NULL OR EXISTS
               (SELECT 1 FROM cohort_members cm WHERE cm.cohort_id = @cohort AND cm.reader_id = m.user_id))
       ORDER BY m.updated_at, m.id LIMIT @limit`,
    ),
    chapters: db.prepare(`SELECT ${CHAPTER_COLUMNS} FROM chapters ORDER BY position, id`),
    chapterById: db.prepare(`SELECT ${CHAPTER_COLUMNS} FROM chapters WHERE id = ?`),
    insertChapter: db.prepare(
      `INSERT INTO chapters (id, title, position, created_at, updated_at, activity_id)
       VALUES (@id, @title, (SELECT coalesce(max(position), 0) + 1 FROM chapters), @now, @now, @activityId)
       RETURNING ${CHAPTER_COLUMNS}`,
    ),
    // @setTitle / @setActivity say which of the two the change names; the other stays.
    updateChapter: db.prepare(
      `UPDATE chapters
       SET title = CASE WHEN @setTitle = 1 THEN @title ELSE title END,
           activity_id = CASE WHEN @setActivity = 1 THEN @activityId ELSE activity_id END,
           updated_at = @now
       WHERE id = @id RETURNING ${CHAPTER_COLUMNS}`,
    ),
    /** The chapter other than @id that carries @activityId, if any. */
    chapterWithActivity: db.prepare('SELECT id FROM chapters WHERE activity_id = @activityId AND id <> @id').pluck(),
    moveChapter: db.prepare('UPDATE chapters SET position = @position, updated_at = @now WHERE id = @id'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
