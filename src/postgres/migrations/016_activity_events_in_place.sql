-- Activity events are read where they are stored (issue 17, ADR 0022). Until now every activity
-- row was copied into live_events by a trigger: a second heap row, three index entries and a JSON
-- body per event, about a quarter of PostgreSQL's work per activity POST. A reader's row itself
-- now carries the id of the transaction that wrote it, and a tick's batch is read from
-- both tables through the view live_event_rows, in (transaction id, part, row id) order: within
-- one transaction, activity rows (part 0) come before the other events (part 1).

-- No default on ADD COLUMN: the rows already stored keep NULL (they are not live), and the table
-- is not rewritten. Rows written from now on get their transaction's id (readers' only: see the
-- view).
ALTER TABLE activity_logs ADD COLUMN xid xid8;
ALTER TABLE activity_logs ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
CREATE INDEX idx_activity_logs_xid ON activity_logs (xid, id) WHERE xid IS NOT NULL;

DROP TRIGGER activity_live_events ON activity_logs;
DROP FUNCTION activity_live_events();

-- A deleted reader's activity rows go with the reader (ON DELETE CASCADE). A tick already counted
-- them, so each one that a tick may still be read with leaves a blank in live_events at its place
-- (its transaction id, part 0, its row id): every instance numbers the batch alike, before and
-- after the deletion. Blanks are pruned with the other events.
ALTER TABLE live_events ADD COLUMN activity_id BIGINT;

CREATE FUNCTION forget_activity_events() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO live_events (type, reader_id, body, created_at, xid, activity_id)
    SELECT 'forgotten', 0, '{}', a.created_at, a.xid, a.id FROM activity_logs a
    WHERE a.user_id = OLD.id
      AND a.xid >= (SELECT pg_snapshot_xmin(t.since) FROM live_ticks t ORDER BY t.id LIMIT 1);
  RETURN OLD;
END $$;
-- BEFORE: the cascade, an AFTER trigger of the foreign key, would already have deleted the rows.
CREATE TRIGGER users_forget_activity_events BEFORE DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION forget_activity_events();

-- Every live event, where it is stored. Only readers' activity rows carry a transaction id (the
-- write sets it from the user's role, combined-writes.ts; the column's default makes any other
-- inserted row live), so the view needs no join.
CREATE VIEW live_event_rows AS
  SELECT a.xid, 0 AS part, a.id AS row_id, 'activity' AS type, a.user_id AS reader_id,
         json_build_object('id', a.id, 'action_type', a.action_type, 'metadata', a.metadata::text,
           'created_at', a.created_at)::text AS body
  FROM activity_logs a
  WHERE a.xid IS NOT NULL
  UNION ALL
  SELECT e.xid, CASE WHEN e.activity_id IS NULL THEN 1 ELSE 0 END, coalesce(e.activity_id, e.id),
         e.type, e.reader_id, e.body
  FROM live_events e;

-- As in migration 008, over both tables.
CREATE OR REPLACE FUNCTION live_tick(min_interval_ms BIGINT) RETURNS BIGINT
LANGUAGE plpgsql AS $$
DECLARE
  now_ms BIGINT := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  last live_ticks%ROWTYPE;
  snap pg_snapshot;
  n BIGINT;
BEGIN
  SELECT * INTO last FROM live_ticks ORDER BY id DESC LIMIT 1;
  IF last.created_at > now_ms - min_interval_ms OR NOT EXISTS (SELECT 1 FROM live_event_rows e
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
  SELECT count(*) INTO n FROM live_event_rows e
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
