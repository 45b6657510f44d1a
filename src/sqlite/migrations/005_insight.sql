-- Program insight and data out: milestone timing for the funnel, activity aggregates for the
-- activity chart, and the access log. Times are epoch ms (ADR 0002).

-- When a milestone was first recorded as not yet completed, and when it became completed; both
-- kept across later updates so "minutes to complete" survives a re-scored completion.
ALTER TABLE milestones ADD COLUMN started_at INTEGER;
ALTER TABLE milestones ADD COLUMN completed_at INTEGER;
UPDATE milestones SET
  started_at   = CASE WHEN status <> 'completed' THEN updated_at END,
  completed_at = CASE WHEN status = 'completed' THEN updated_at END;

-- The funnel counts and the score median read this index only.
CREATE INDEX idx_milestones_chapter_status ON milestones (chapter_id, status, score);

-- Readers' activity per hour and per day, kept up to date by every write that adds or removes
-- activity, so the activity chart reads at most 1,000 rows whatever the size of activity_logs.
-- Consultants' activity is not aggregated. *_reader_* rows count one reader's events in a bucket;
-- the others sum them, with active_readers = how many reader rows the bucket has.
CREATE TABLE activity_reader_hours (
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  hour_start INTEGER NOT NULL,
  events     INTEGER NOT NULL,
  PRIMARY KEY (user_id, hour_start)
) STRICT, WITHOUT ROWID;

CREATE TABLE activity_reader_days (
  user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  day_start INTEGER NOT NULL,
  events    INTEGER NOT NULL,
  PRIMARY KEY (user_id, day_start)
) STRICT, WITHOUT ROWID;

CREATE TABLE activity_hours (
  hour_start     INTEGER PRIMARY KEY,
  events         INTEGER NOT NULL,
  active_readers INTEGER NOT NULL
) STRICT;

CREATE TABLE activity_days (
  day_start      INTEGER PRIMARY KEY,
  events         INTEGER NOT NULL,
  active_readers INTEGER NOT NULL
) STRICT;

INSERT INTO activity_reader_hours (user_id, hour_start, events)
  SELECT a.user_id, (a.created_at / 3600000) * 3600000, count(*)
  FROM activity_logs a JOIN users u ON u.id = a.user_id AND u.role = 'reader'
  GROUP BY a.user_id, (a.created_at / 3600000) * 3600000;
INSERT INTO activity_reader_days (user_id, day_start, events)
  SELECT user_id, (hour_start / 86400000) * 86400000, sum(events)
  FROM activity_reader_hours GROUP BY user_id, (hour_start / 86400000) * 86400000;
INSERT INTO activity_hours (hour_start, events, active_readers)
  SELECT hour_start, sum(events), count(*) FROM activity_reader_hours GROUP BY hour_start;
INSERT INTO activity_days (day_start, events, active_readers)
  SELECT day_start, sum(events), count(*) FROM activity_reader_days GROUP BY day_start;

-- A cohort's activity reads its readers' rows by bucket.
CREATE INDEX idx_activity_reader_hours_start ON activity_reader_hours (hour_start, user_id, events);
CREATE INDEX idx_activity_reader_days_start ON activity_reader_days (day_start, user_id, events);

-- Consultants' views of one reader's data, coalesced to one row per consultant, reader, kind and
-- hour (window_start); `at` is the latest view in the window. Deleting either user deletes the row.
CREATE TABLE access_log (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  reader_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  consultant_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind          TEXT    NOT NULL CHECK (kind IN ('progress', 'activity', 'export')),
  window_start  INTEGER NOT NULL,
  at            INTEGER NOT NULL,
  UNIQUE (reader_id, consultant_id, kind, window_start)
) STRICT;

-- A reader's log, newest first, by keyset on (at, id).
CREATE INDEX idx_access_log_reader_at ON access_log (reader_id, at, id);
-- Retention by age; and deleting a consultant finds their rows.
CREATE INDEX idx_access_log_at ON access_log (at);
CREATE INDEX idx_access_log_consultant ON access_log (consultant_id);
