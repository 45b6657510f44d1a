-- The Learning Record Store (xAPI): statements kept whole as JSON with the columns queries filter
-- on, the agents and activities each names, the targets a statement reaches by StatementRef,
-- attachments by hash, documents and LRS credentials. Times are epoch ms (ADR 0002).
CREATE TABLE lrs_credentials (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT    NOT NULL,
  key         TEXT    NOT NULL UNIQUE,
  secret_hash TEXT    NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE xapi_statements (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  statement_id  TEXT    NOT NULL UNIQUE,
  body          TEXT    NOT NULL,
  stored_at     INTEGER NOT NULL,
  verb_id       TEXT    NOT NULL,
  registration  TEXT,
  refers_to     TEXT,
  voids         INTEGER NOT NULL DEFAULT 0,
  voided        INTEGER NOT NULL DEFAULT 0,
  actor_key     TEXT,
  credential_id INTEGER
) STRICT;
CREATE INDEX xapi_statements_refers_to ON xapi_statements (refers_to) WHERE refers_to IS NOT NULL;
CREATE INDEX xapi_statements_verb ON xapi_statements (verb_id, seq);
CREATE INDEX xapi_statements_registration ON xapi_statements (registration, seq) WHERE registration IS NOT NULL;
CREATE INDEX xapi_statements_stored ON xapi_statements (stored_at, seq);
CREATE INDEX xapi_statements_actor ON xapi_statements (actor_key, seq);

-- Each statement reaches itself and, through StatementRef, its targets (recursively): the
-- non-time filters match a statement when any of its targets matches them.
CREATE TABLE xapi_statement_targets (
  seq        INTEGER NOT NULL,
  target_seq INTEGER NOT NULL,
  PRIMARY KEY (seq, target_seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX xapi_statement_targets_target ON xapi_statement_targets (target_seq);

CREATE TABLE xapi_statement_agents (
  agent_key TEXT    NOT NULL,
  related   INTEGER NOT NULL,
  seq       INTEGER NOT NULL,
  PRIMARY KEY (agent_key, related, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE xapi_statement_activities (
  activity_id TEXT    NOT NULL,
  related     INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  PRIMARY KEY (activity_id, related, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE xapi_attachments (
  sha2         TEXT NOT NULL PRIMARY KEY,
  content_type TEXT NOT NULL,
  content      TEXT NOT NULL
) STRICT;

CREATE TABLE xapi_activities (
  activity_id TEXT NOT NULL PRIMARY KEY,
  definition  TEXT NOT NULL
) STRICT;

CREATE TABLE xapi_documents (
  kind         TEXT    NOT NULL,
  activity_id  TEXT    NOT NULL,
  agent_key    TEXT    NOT NULL,
  registration TEXT    NOT NULL,
  document_id  TEXT    NOT NULL,
  content_type TEXT    NOT NULL,
  content      TEXT    NOT NULL,
  etag         TEXT    NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (kind, activity_id, agent_key, registration, document_id)
) STRICT;

-- A chapter may name the xAPI activity that stands for it.
ALTER TABLE chapters ADD COLUMN activity_id TEXT;
CREATE UNIQUE INDEX chapters_activity_id ON chapters (activity_id) WHERE activity_id IS NOT NULL;
