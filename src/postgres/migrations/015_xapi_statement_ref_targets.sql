-- The StatementRef target rows by the statement that refers (issue 20). The referring branch of a
-- filtered statement query (src/domain/storage/xapi-rows.ts) walks the StatementRef statements and
-- looks up each one's other target. Migration 012's partial index (target_seq, seq) answered that
-- lookup with its second column, reading the whole index per StatementRef; this one answers it by
-- its leading column. 012's stays for the plans that start from the target (an agent's or a
-- registration's rows). Both hold one row per StatementRef, so both stay small and in memory.
CREATE INDEX xapi_statement_targets_referring ON xapi_statement_targets (seq, target_seq) WHERE seq <> target_seq;
ANALYZE xapi_statement_targets;
