-- Cohorts, invites and the attention queue (issue 11). Plain SQL so the PostgreSQL port is a
-- matter of types: INTEGER epoch milliseconds as everywhere (ADR 0002).
CREATE TABLE cohorts (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT    NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE cohort_members (
  cohort_id INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
  reader_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  added_at  INTEGER NOT NULL,
  PRIMARY KEY (cohort_id, reader_id)
) STRICT, WITHOUT ROWID;

-- "Which cohorts is this reader in" (deleting a user, the stream's narrowing).
CREATE INDEX idx_cohort_members_reader ON cohort_members (reader_id, cohort_id);

-- Only a SHA-256 hash of each code is kept, and its first characters to name it in lists.
CREATE TABLE invites (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  code_hash   TEXT    NOT NULL UNIQUE,
  code_prefix TEXT    NOT NULL UNIQUE,
  cohort_id   INTEGER REFERENCES cohorts (id) ON DELETE SET NULL,
  max_uses    INTEGER NOT NULL CHECK (max_uses BETWEEN 1 AND 10000),
  uses        INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
  expires_at  INTEGER NOT NULL,
  created_by  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL
) STRICT;

-- One row: the rules that open attention items.
CREATE TABLE attention_rules (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  stuck_minutes INTEGER NOT NULL,
  inactive_days INTEGER NOT NULL,
  low_score     INTEGER NOT NULL
) STRICT;
INSERT INTO attention_rules (id, stuck_minutes, inactive_days, low_score) VALUES (1, 60, 7, 50);

CREATE TABLE attention_items (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  reader_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  reason      TEXT    NOT NULL CHECK (reason IN ('stuck', 'inactive', 'low_score')),
  -- '' for a reason without a chapter (inactive), so the uniqueness below needs no NULL rules.
  chapter_id  TEXT    NOT NULL,
  since       INTEGER NOT NULL,
  state       TEXT    NOT NULL CHECK (state IN ('open', 'claimed', 'resolved')),
  claimed_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
  claimed_at  INTEGER,
  resolved_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
  resolved_at INTEGER,
  note        TEXT,
  opened_at   INTEGER NOT NULL
) STRICT;

-- At most one item per reader, reason and chapter that is not resolved: opening twice is a no-op.
CREATE UNIQUE INDEX idx_attention_live ON attention_items (reader_id, reason, chapter_id)
  WHERE state <> 'resolved';
-- The queue's pages: by state, oldest first.
CREATE INDEX idx_attention_state_since ON attention_items (state, since, id);

-- Where each sweep rule got to: the sweep reads only what crossed its threshold since.
CREATE TABLE attention_sweep (
  rule        TEXT    PRIMARY KEY CHECK (rule IN ('stuck', 'inactive', 'returned')),
  cursor_time INTEGER NOT NULL,
  cursor_id   INTEGER NOT NULL
) STRICT;
INSERT INTO attention_sweep (rule, cursor_time, cursor_id) VALUES ('stuck', 0, 0), ('inactive', 0, 0);
INSERT INTO attention_sweep (rule, cursor_time, cursor_id) VALUES ('returned', 0, 0);
-- The sweep's check of open "inactive" items, page by page, without reading resolved history.
CREATE INDEX idx_attention_live_reason ON attention_items (reason, id) WHERE state <> 'resolved';
-- Deleting a user or a cohort follows these foreign keys without reading whole tables.
CREATE INDEX idx_attention_reader ON attention_items (reader_id);
CREATE INDEX idx_attention_claimed_by ON attention_items (claimed_by);
CREATE INDEX idx_attention_resolved_by ON attention_items (resolved_by);
CREATE INDEX idx_invites_created_by ON invites (created_by);
CREATE INDEX idx_invites_cohort ON invites (cohort_id);
