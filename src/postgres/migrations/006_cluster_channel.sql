-- Several instances on one database (ADR 0019). Live events are rows with a global id that only
-- grows; every instance reads them by id. They are written by triggers in the transaction that
-- makes the change, so an acknowledged write always has its event, whichever instance dies.
CREATE TABLE live_events (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type       TEXT   NOT NULL CHECK (type IN ('presence', 'milestone', 'activity')),
  reader_id  BIGINT NOT NULL,
  -- The changed row as JSON text, converted to the domain's shape by the reading instance.
  body       TEXT   NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE INDEX idx_live_events_created ON live_events (created_at);
CREATE INDEX idx_live_events_reader ON live_events (reader_id);

-- Whether each reader was last announced online: instances race to change it, and only the
-- change that wins writes a presence event, so a reader's arrival is announced once, not once
-- per instance.
CREATE TABLE reader_presence (
  reader_id  BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  online     BOOLEAN NOT NULL,
  changed_at BIGINT  NOT NULL
);

-- Periodic jobs claim their turn here, so each runs once per interval across the cluster.
CREATE TABLE cluster_jobs (
  name        TEXT   PRIMARY KEY,
  last_run_at BIGINT NOT NULL
);

-- Failed sign-ins, shared by every instance so the throttle holds across them.
CREATE TABLE login_failures (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  throttle_key TEXT NOT NULL,
  failed_at  BIGINT NOT NULL
);

CREATE INDEX idx_login_failures_key ON login_failures (throttle_key, failed_at);
CREATE INDEX idx_login_failures_failed ON login_failures (failed_at);

-- Appends one live event. The advisory lock (held to the end of the transaction) is taken at
-- commit time, because the triggers calling this are deferred: ids are handed out and committed
-- one transaction at a time, so a reader that sees id N already sees every committed id below
-- it and reading "id > last seen" can never skip one (ADR 0019). The NOTIFY is a bare wake-up;
-- PostgreSQL folds identical notifications of one transaction into one, so a batch sends one.
CREATE FUNCTION append_live_event(event_type TEXT, reader BIGINT, body TEXT, at BIGINT) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7522525385139041125);
  INSERT INTO live_events (type, reader_id, body, created_at) VALUES (event_type, reader, body, at);
  PERFORM pg_notify('readpulse_live', '');
END $$;

CREATE FUNCTION activity_live_event() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND role = 'reader') THEN
    PERFORM append_live_event('activity', NEW.user_id, json_build_object(
      'id', NEW.id, 'action_type', NEW.action_type, 'metadata', NEW.metadata::text, 'created_at', NEW.created_at)::text,
      NEW.created_at);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION milestone_live_event() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND role = 'reader') THEN
    PERFORM append_live_event('milestone', NEW.user_id, json_build_object(
      'chapter_id', NEW.chapter_id, 'status', NEW.status, 'score', NEW.score, 'updated_at', NEW.updated_at)::text,
      NEW.updated_at);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION presence_live_event() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
  reader_json TEXT;
BEGIN
  SELECT json_build_object('id', u.id, 'email', u.email, 'name', u.name, 'role', u.role, 'created_at', u.created_at,
      'last_active_at', greatest(u.last_active_at, NEW.changed_at), 'online', NEW.online)::text
    INTO reader_json FROM users u WHERE u.id = NEW.reader_id AND u.role = 'reader';
  IF reader_json IS NOT NULL THEN
    PERFORM append_live_event('presence', NEW.reader_id, reader_json, NEW.changed_at);
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER activity_live_event AFTER INSERT ON activity_logs
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION activity_live_event();
CREATE CONSTRAINT TRIGGER milestone_live_event AFTER INSERT OR UPDATE ON milestones
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION milestone_live_event();
CREATE CONSTRAINT TRIGGER presence_live_event AFTER INSERT OR UPDATE ON reader_presence
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION presence_live_event();

-- A deleted user leaves nothing behind, live events (which carry their name and email) included.
CREATE FUNCTION forget_live_events() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM live_events WHERE reader_id = OLD.id;
  RETURN NULL;
END $$;

CREATE TRIGGER users_forget_live_events AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION forget_live_events();

-- A revoked session must be refused by every instance at once: each one empties its session
-- cache on this notification (and whenever its LISTEN connection comes back).
CREATE FUNCTION sessions_revoked() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('readpulse_sessions', '');
  RETURN NULL;
END $$;

CREATE TRIGGER sessions_revoked AFTER DELETE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION sessions_revoked();
