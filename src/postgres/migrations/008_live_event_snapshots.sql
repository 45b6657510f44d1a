-- Live events in commit order without a lock of ours (ADR 0022). Each event row records the id of
-- the transaction that wrote it (xid8). A ticker (one instance at a time, its turn in
-- cluster_jobs) records PostgreSQL's transaction snapshot in live_ticks every few tens of
-- milliseconds when something new committed; a tick's batch is every event whose transaction is
-- visible in the tick's snapshot and was not in the previous tick's. Every instance reads the
-- same batches the same way, in (transaction id, row id) order, and numbers them from the tick's
-- first_event, so ids agree on every instance. Writers no longer take the cluster-wide advisory
-- lock at commit, nor NOTIFY (whose commit takes a cluster-wide lock too): the ticker notifies.

-- Events written under the old scheme are a short replay cache (10 minutes); they are dropped
-- rather than numbered a second time.
DELETE FROM live_events;
ALTER TABLE live_events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX idx_live_events_xid ON live_events (xid, id);
-- A deleted reader's events are blanked, not deleted, so that a tick keeps its size and every
-- instance numbers its events alike.
ALTER TABLE live_events DROP CONSTRAINT live_events_type_check;
ALTER TABLE live_events ADD CONSTRAINT live_events_type_check
  CHECK (type IN ('presence', 'milestone', 'activity', 'attention', 'forgotten'));

CREATE TABLE live_ticks (
  id          BIGINT      PRIMARY KEY,
  -- The batch: transactions visible in snap and not in since (the previous tick's snap).
  snap        pg_snapshot NOT NULL,
  since       pg_snapshot NOT NULL,
  -- The id of the batch's first event; the others follow one by one.
  first_event BIGINT      NOT NULL,
  events      BIGINT      NOT NULL,
  created_at  BIGINT      NOT NULL
);
CREATE INDEX idx_live_ticks_created ON live_ticks (created_at);

-- The first tick: an empty batch that every later one follows.
INSERT INTO live_ticks (id, snap, since, first_event, events, created_at)
  SELECT 0, pg_current_snapshot(), pg_current_snapshot(),
         coalesce((SELECT last_value FROM pg_sequences WHERE sequencename = 'live_events_id_seq'), 0) + 1, 0,
         (extract(epoch FROM clock_timestamp()) * 1000)::bigint;

-- Records the next tick if the last one is at least min_interval_ms old and something committed
-- since; returns its id, or NULL. It first looks without writing (most calls find nothing to do,
-- and a read-only call costs no WAL flush); then the cluster_jobs row is the turn: a second
-- caller waits on it until the first commits, and then takes its snapshot after the first one's,
-- so snapshots only grow. The time is the database's, so instances with skewed clocks agree.
CREATE FUNCTION live_tick(min_interval_ms BIGINT) RETURNS BIGINT
LANGUAGE plpgsql AS $$
DECLARE
  now_ms BIGINT := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  last live_ticks%ROWTYPE;
  snap pg_snapshot;
  n BIGINT;
BEGIN
  SELECT * INTO last FROM live_ticks ORDER BY id DESC LIMIT 1;
  IF last.created_at > now_ms - min_interval_ms OR NOT EXISTS (SELECT 1 FROM live_events e
      WHERE e.xid >= pg_snapshot_xmin(last.snap) AND e.xid < pg_snapshot_xmax(pg_current_snapshot())
        AND NOT pg_visible_in_snapshot(e.xid, last.snap)) THEN
    RETURN NULL;
  END IF;
  INSERT INTO cluster_jobs (name, last_run_at) VALUES ('live-tick', now_ms)
    ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at
    WHERE cluster_jobs.last_run_at <= excluded.last_run_at - min_interval_ms;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT * INTO last FROM live_ticks ORDER BY id DESC LIMIT 1;
  snap := pg_current_snapshot();
  SELECT count(*) INTO n FROM live_events e
    WHERE e.xid >= pg_snapshot_xmin(last.snap) AND e.xid < pg_snapshot_xmax(snap)
      AND pg_visible_in_snapshot(e.xid, snap) AND NOT pg_visible_in_snapshot(e.xid, last.snap);
  IF n = 0 THEN
    RETURN NULL;
  END IF;
  INSERT INTO live_ticks (id, snap, since, first_event, events, created_at)
    VALUES (last.id + 1, snap, last.snap, last.first_event + last.events, n, now_ms);
  PERFORM pg_notify('readpulse_live', '');
  RETURN last.id + 1;
END $$;

-- Appends one event (attention items, by the instance that changed one): no lock, no NOTIFY.
CREATE OR REPLACE FUNCTION append_live_event(event_type TEXT, reader BIGINT, body TEXT, at BIGINT) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO live_events (type, reader_id, body, created_at) VALUES (event_type, reader, body, at);
END $$;

-- One INSERT per statement (not one trigger call per row), readers only, in the rows' order.
DROP TRIGGER activity_live_event ON activity_logs;
DROP TRIGGER milestone_live_event ON milestones;
DROP TRIGGER presence_live_event ON reader_presence;
DROP FUNCTION activity_live_event();
DROP FUNCTION milestone_live_event();
DROP FUNCTION presence_live_event();

CREATE FUNCTION activity_live_events() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO live_events (type, reader_id, body, created_at)
    SELECT 'activity', n.user_id, json_build_object(
        'id', n.id, 'action_type', n.action_type, 'metadata', n.metadata::text, 'created_at', n.created_at)::text, n.created_at
    FROM new_rows n JOIN users u ON u.id = n.user_id AND u.role = 'reader'
    ORDER BY n.id;
  RETURN NULL;
END $$;

CREATE FUNCTION milestone_live_events() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO live_events (type, reader_id, body, created_at)
    SELECT 'milestone', n.user_id, json_build_object(
        'chapter_id', n.chapter_id, 'status', n.status, 'score', n.score, 'updated_at', n.updated_at)::text, n.updated_at
    FROM new_rows n JOIN users u ON u.id = n.user_id AND u.role = 'reader'
    ORDER BY n.id;
  RETURN NULL;
END $$;

CREATE FUNCTION presence_live_events() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO live_events (type, reader_id, body, created_at)
    SELECT 'presence', n.reader_id, json_build_object('id', u.id, 'email', u.email, 'name', u.name, 'role', u.role,
        'created_at', u.created_at, 'last_active_at', greatest(u.last_active_at, n.changed_at), 'online', n.online)::text,
        n.changed_at
    FROM new_rows n JOIN users u ON u.id = n.reader_id AND u.role = 'reader'
    ORDER BY n.reader_id;
  RETURN NULL;
END $$;

CREATE TRIGGER activity_live_events AFTER INSERT ON activity_logs
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_live_events();
CREATE TRIGGER milestone_inserted_live_events AFTER INSERT ON milestones
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION milestone_live_events();
CREATE TRIGGER milestone_updated_live_events AFTER UPDATE ON milestones
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION milestone_live_events();
CREATE TRIGGER presence_inserted_live_events AFTER INSERT ON reader_presence
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION presence_live_events();
CREATE TRIGGER presence_updated_live_events AFTER UPDATE ON reader_presence
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION presence_live_events();

CREATE OR REPLACE FUNCTION forget_live_events() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  UPDATE live_events SET type = 'forgotten', reader_id = 0, body = '{}' WHERE reader_id = OLD.id;
  RETURN NULL;
END $$;
