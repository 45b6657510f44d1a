-- The statement queries at scale (issue 20): an agent's or an activity's statements in storage
-- order whether or not related ones count (the primary keys order them within `related` only),
-- the few statements that refer to another (StatementRef) in storage order (only they have
-- targets besides themselves), and the live statements' times with their seq, so a since/until
-- page is chosen from the index alone before its rows are read.
CREATE INDEX xapi_statement_agents_seq ON xapi_statement_agents (agent_key, seq);
CREATE INDEX xapi_statement_activities_seq ON xapi_statement_activities (activity_id, seq);
CREATE INDEX xapi_statements_referring ON xapi_statements (seq) WHERE refers_to IS NOT NULL;
CREATE INDEX xapi_statements_live_stored ON xapi_statements (stored_at, seq) WHERE voided = 0;
