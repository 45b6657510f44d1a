-- The milestone and presence live-event triggers (migration 008) find each row's user by key. They
-- joined the statement's new rows to users on `u.role = 'reader'`; PL/pgSQL keeps one plan per
-- session for the trigger's INSERT, and a plan made with the statistics of a program that had no
-- reader yet read every reader through the role index and sorted them, on every statement: 1,000
-- readers cost 1.3-3.3 ms per presence statement in the benchmark, and the cost grows with the
-- readers. A correlated subquery and a LATERAL ... LIMIT 1 cannot be turned into that join, so
-- each new row is one probe of users by key, whatever the statistics say (issue 17, ADR 0025).
CREATE OR REPLACE FUNCTION milestone_live_events() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO live_events (type, reader_id, body, created_at)
    SELECT 'milestone', n.user_id, json_build_object(
        'chapter_id', n.chapter_id, 'status', n.status, 'score', n.score, 'updated_at', n.updated_at)::text, n.updated_at
    FROM new_rows n
    WHERE (SELECT u.role FROM users u WHERE u.id = n.user_id) = 'reader'
    ORDER BY n.id;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION presence_live_events() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO live_events (type, reader_id, body, created_at)
    SELECT 'presence', n.reader_id, json_build_object('id', u.id, 'email', u.email, 'name', u.name, 'role', u.role,
        'created_at', u.created_at, 'last_active_at', greatest(u.last_active_at, n.changed_at), 'online', n.online)::text,
        n.changed_at
    FROM new_rows n
    CROSS JOIN LATERAL (SELECT u.* FROM users u WHERE u.id = n.reader_id AND u.role = 'reader' LIMIT 1) u
    ORDER BY n.reader_id;
  RETURN NULL;
END $$;
