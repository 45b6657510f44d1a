-- The plan's four tables. Every time is INTEGER epoch milliseconds (UTC), see ADR 0002.
CREATE TABLE users (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  email          TEXT    NOT NULL UNIQUE,
  name           TEXT    NOT NULL DEFAULT '',
  password_hash  TEXT    NOT NULL,
  role           TEXT    NOT NULL CHECK (role IN ('reader', 'consultant')),
  created_at     INTEGER NOT NULL,
  last_active_at INTEGER,
  -- Lower-cased "email name", made in application code: SQLite's lower() and LIKE fold ASCII
  -- only, and consultants search names such as "Élodie".
  search_key     TEXT    NOT NULL
) STRICT;

-- The plan's index, kept for "who was active when" queries across roles.
CREATE INDEX idx_users_last_active ON users (last_active_at);
-- The live view filters readers by recent activity and sorts by it.
CREATE INDEX idx_users_role_last_active ON users (role, last_active_at);
-- The consultant's reader list pages readers by id.
CREATE INDEX idx_users_role_id ON users (role, id);

-- Only a SHA-256 hash of each session token is stored (ADR 0003).
CREATE TABLE sessions (
  token_hash   TEXT    PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX idx_sessions_user ON sessions (user_id);
CREATE INDEX idx_sessions_expires ON sessions (expires_at);

CREATE TABLE milestones (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  chapter_id TEXT    NOT NULL,
  status     TEXT    NOT NULL CHECK (status IN ('started', 'completed', 'stuck')),
  score      INTEGER CHECK (score IS NULL OR score BETWEEN 0 AND 100),
  updated_at INTEGER NOT NULL,
  UNIQUE (user_id, chapter_id)
) STRICT;

-- The consultant's "stuck" list: readers by status, oldest first.
CREATE INDEX idx_milestones_status_updated ON milestones (status, updated_at, id);

CREATE TABLE activity_logs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  action_type TEXT    NOT NULL,
  metadata    TEXT    CHECK (metadata IS NULL OR json_valid(metadata)),
  created_at  INTEGER NOT NULL
) STRICT;

-- A reader's history, newest first, by keyset on id.
CREATE INDEX idx_activity_user_id ON activity_logs (user_id, id);
-- Retention deletes by age.
CREATE INDEX idx_activity_created ON activity_logs (created_at);
