-- Program insight and data out: milestone timing for the funnel, activity aggregates for the
-- activity chart, and the access log, as SQLite's 005. Times are BIGINT epoch ms (ADR 0014).

-- When a milestone was first recorded as not yet completed, and when it became completed; both
-- kept across later updates so "minutes to complete" survives a re-scored completion.
ALTER TABLE milestones ADD COLUMN started_at BIGINT;
ALTER TABLE milestones ADD COLUMN completed_at BIGINT;
UPDATE milestones SET
  started_at   = CASE WHEN status <> 'completed' THEN updated_at END,
  completed_at = CASE WHEN status = 'completed' THEN updated_at END;

-- A cohort's funnel reads its readers' milestones by user; the whole program's reads the counts
-- below, kept by every milestone write and user deletion (readers only): per chapter and status,
-- and histograms of scores and of minutes to complete (bucketed as minutesToCompleteBucket in
-- src/domain/analytics.ts: whole minutes below 100, two significant digits above).
CREATE TABLE chapter_status_counts (
  chapter_id TEXT   NOT NULL,
  status     TEXT   NOT NULL,
  n          BIGINT NOT NULL,
  PRIMARY KEY (chapter_id, status)
);

CREATE TABLE chapter_score_counts (
  chapter_id TEXT    NOT NULL,
  score      INTEGER NOT NULL,
  n          BIGINT  NOT NULL,
  PRIMARY KEY (chapter_id, score)
);

CREATE TABLE chapter_minute_counts (
  chapter_id TEXT   NOT NULL,
  minutes    BIGINT NOT NULL,
  n          BIGINT NOT NULL,
  PRIMARY KEY (chapter_id, minutes)
);

INSERT INTO chapter_status_counts (chapter_id, status, n)
  SELECT m.chapter_id, m.status, count(*) FROM milestones m JOIN users u ON u.id = m.user_id AND u.role = 'reader'
  GROUP BY m.chapter_id, m.status;
INSERT INTO chapter_score_counts (chapter_id, score, n)
  SELECT m.chapter_id, m.score, count(*) FROM milestones m JOIN users u ON u.id = m.user_id AND u.role = 'reader'
  WHERE m.status = 'completed' AND m.score IS NOT NULL GROUP BY m.chapter_id, m.score;
INSERT INTO chapter_minute_counts (chapter_id, minutes, n)
  SELECT m.chapter_id, CASE WHEN ((m.completed_at - m.started_at) / 60000) < 100 THEN ((m.completed_at - m.started_at) / 60000) WHEN ((m.completed_at - m.started_at) / 60000) < 1000 THEN ((m.completed_at - m.started_at) / 60000) / 10 * 10
       WHEN ((m.completed_at - m.started_at) / 60000) < 10000 THEN ((m.completed_at - m.started_at) / 60000) / 100 * 100 WHEN ((m.completed_at - m.started_at) / 60000) < 100000 THEN ((m.completed_at - m.started_at) / 60000) / 1000 * 1000
       WHEN ((m.completed_at - m.started_at) / 60000) < 1000000 THEN ((m.completed_at - m.started_at) / 60000) / 10000 * 10000 ELSE ((m.completed_at - m.started_at) / 60000) / 100000 * 100000 END, count(*)
  FROM milestones m JOIN users u ON u.id = m.user_id AND u.role = 'reader'
  WHERE m.status = 'completed' AND m.started_at IS NOT NULL AND m.completed_at IS NOT NULL
  GROUP BY 1, 2;

-- Readers' activity per hour and per day, kept up to date by every write that adds or removes
-- activity, so the activity chart reads at most 1,000 rows whatever the size of activity_logs.
-- Consultants' activity is not aggregated. *_reader_* rows count one reader's events in a bucket;
-- the others sum them, with active_readers = how many reader rows the bucket has.
CREATE TABLE activity_reader_hours (
  user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  hour_start BIGINT NOT NULL,
  events     BIGINT NOT NULL,
  PRIMARY KEY (user_id, hour_start)
);

CREATE TABLE activity_reader_days (
  user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  day_start BIGINT NOT NULL,
  events    BIGINT NOT NULL,
  PRIMARY KEY (user_id, day_start)
);

CREATE TABLE activity_hours (
  hour_start     BIGINT PRIMARY KEY,
  events         BIGINT NOT NULL,
  active_readers BIGINT NOT NULL
);

CREATE TABLE activity_days (
  day_start      BIGINT PRIMARY KEY,
  events         BIGINT NOT NULL,
  active_readers BIGINT NOT NULL
);

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
  id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  reader_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  consultant_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind          TEXT    NOT NULL CHECK (kind IN ('progress', 'activity', 'export')),
  window_start  BIGINT NOT NULL,
  at            BIGINT NOT NULL,
  UNIQUE (reader_id, consultant_id, kind, window_start)
);

-- A reader's log, newest first, by keyset on (at, id).
CREATE INDEX idx_access_log_reader_at ON access_log (reader_id, at, id);
-- Retention by age; and deleting a consultant finds their rows.
CREATE INDEX idx_access_log_at ON access_log (at);
CREATE INDEX idx_access_log_consultant ON access_log (consultant_id);
