-- Each statement's stored time beside its agents and activities (issue 20), as SQLite's 012: an
-- agent's or an activity's statements within since/until are read from the index
-- (key, stored_at, seq) alone, and paged in stored order (the order of a query with since or
-- until); and a verb's live statements by time, for the same order with a verb.
--
-- Each table is rebuilt with the column filled from the statements (one INSERT ... SELECT, then
-- its key and indexes built once) rather than updated in place: an UPDATE writes a second version
-- of every row and maintains every index row by row. At 1,000,000 statements (6 million agent and
-- activity rows) on the benchmark machine of BENCHMARKS.md (xAPI statement queries) the rebuild
-- took about 35 s where an UPDATE in place took 179 s; it grows with the row count (expect some ten times that
-- per 10 million statements). On an empty or small database it costs nothing to speak of. On a large one it
-- runs in the migration transaction, holding both tables' locks: writes of statements wait for
-- it, so plan a maintenance window; it needs free disk of the two tables' size. VACUUM (ANALYZE)
-- both tables after it (autovacuum will in time): until then index-only scans read the heap.
CREATE TABLE xapi_statement_agents_012 (
  agent_key TEXT    COLLATE "C" NOT NULL,
  related   INTEGER NOT NULL,
  seq       BIGINT  NOT NULL,
  stored_at BIGINT  NOT NULL
);
INSERT INTO xapi_statement_agents_012 (agent_key, related, seq, stored_at)
  SELECT a.agent_key, a.related, a.seq, s.stored_at FROM xapi_statement_agents a JOIN xapi_statements s ON s.seq = a.seq;
DROP TABLE xapi_statement_agents;
ALTER TABLE xapi_statement_agents_012 RENAME TO xapi_statement_agents;
ALTER TABLE xapi_statement_agents ADD CONSTRAINT xapi_statement_agents_pkey PRIMARY KEY (agent_key, related, seq);
CREATE INDEX xapi_statement_agents_seq ON xapi_statement_agents (agent_key, seq);
CREATE INDEX xapi_statement_agents_stored ON xapi_statement_agents (agent_key, stored_at, seq) INCLUDE (related);

CREATE TABLE xapi_statement_activities_012 (
  activity_id TEXT    COLLATE "C" NOT NULL,
  related     INTEGER NOT NULL,
  seq         BIGINT  NOT NULL,
  stored_at   BIGINT  NOT NULL
);
INSERT INTO xapi_statement_activities_012 (activity_id, related, seq, stored_at)
  SELECT a.activity_id, a.related, a.seq, s.stored_at FROM xapi_statement_activities a JOIN xapi_statements s ON s.seq = a.seq;
DROP TABLE xapi_statement_activities;
ALTER TABLE xapi_statement_activities_012 RENAME TO xapi_statement_activities;
ALTER TABLE xapi_statement_activities ADD CONSTRAINT xapi_statement_activities_pkey PRIMARY KEY (activity_id, related, seq);
CREATE INDEX xapi_statement_activities_seq ON xapi_statement_activities (activity_id, seq);
CREATE INDEX xapi_statement_activities_stored ON xapi_statement_activities (activity_id, stored_at, seq) INCLUDE (related);
CREATE INDEX xapi_statements_live_verb_stored ON xapi_statements (verb_id, stored_at, seq) WHERE voided = 0;
-- The few target rows that are not a statement's own (StatementRef), for the referring branch of a
-- filtered query: probed per agent or activity row, it stays in memory where the whole targets
-- index would be read from disk.
CREATE INDEX xapi_statement_targets_other ON xapi_statement_targets (target_seq, seq) WHERE seq <> target_seq;
ANALYZE xapi_statement_agents, xapi_statement_activities;
