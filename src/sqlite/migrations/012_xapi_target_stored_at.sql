-- Each statement's stored time beside its agents and activities (issue 20), so an agent's or an
-- activity's statements within since/until are read from the index (key, stored_at, seq) alone,
-- and paged in stored order (the order of a query with since or until), instead of reading the
-- key's statements newest first and checking each one's time; and a verb's live statements by
-- time, for the same order with a verb. Every insert path writes the column; the default only
-- fills the ALTER. The four tables are analysed again (a sample of each index, cheap at any
-- size), so the planner knows the new indexes as well as the old: without it, it may take a new
-- one for a query in storage order and sort.
--
-- Cost: on an empty or small database nothing to speak of. On a large one the two UPDATEs
-- rewrite both tables (every row grows by its time) and the indexes are built from scratch, in
-- one transaction holding the write lock: at 1,000,000 statements (6 million agent and activity
-- rows) about 25 s on the benchmark machine of BENCHMARKS.md (xAPI statement queries), and the file grew
-- by 290 MB; it grows with the row count (expect some ten times that per 10 million statements),
-- so plan a maintenance window, with free disk of the two tables' size.
ALTER TABLE xapi_statement_agents ADD COLUMN stored_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE xapi_statement_activities ADD COLUMN stored_at INTEGER NOT NULL DEFAULT 0;
UPDATE xapi_statement_agents SET stored_at = (SELECT s.stored_at FROM xapi_statements s WHERE s.seq = xapi_statement_agents.seq);
UPDATE xapi_statement_activities SET stored_at = (SELECT s.stored_at FROM xapi_statements s WHERE s.seq = xapi_statement_activities.seq);
CREATE INDEX xapi_statement_agents_stored ON xapi_statement_agents (agent_key, stored_at, seq);
CREATE INDEX xapi_statement_activities_stored ON xapi_statement_activities (activity_id, stored_at, seq);
CREATE INDEX xapi_statements_live_verb_stored ON xapi_statements (verb_id, stored_at, seq) WHERE voided = 0;
-- The few target rows that are not a statement's own (StatementRef), for the referring branch of a
-- filtered query: probed per agent or activity row, it stays in memory where the whole targets
-- index would be read from disk.
CREATE INDEX xapi_statement_targets_other ON xapi_statement_targets (target_seq, seq) WHERE seq <> target_seq;
PRAGMA analysis_limit = 1000;
ANALYZE xapi_statement_agents;
ANALYZE xapi_statement_activities;
ANALYZE xapi_statements;
ANALYZE xapi_statement_targets;
PRAGMA analysis_limit = 0;
