-- The StatementRef target rows by the statement that refers (issue 20). The referring branch of a
-- filtered statement query (src/domain/storage/xapi-rows.ts) walks the StatementRef statements and
-- looks up each one's other target: by the targets table's primary key (seq, target_seq) that is
-- a probe into a B-tree holding every statement's own row (tens of millions of rows at 10 million
-- statements); by this partial index, one row per StatementRef, it is a probe into a few pages
-- that stay in memory. Migration 012's (target_seq, seq) index of the same rows stays: a plan
-- that starts from the target (a registration's) reads it. Both are small.
CREATE INDEX xapi_statement_targets_referring ON xapi_statement_targets (seq, target_seq) WHERE seq <> target_seq;
PRAGMA analysis_limit = 1000;
ANALYZE xapi_statement_targets;
PRAGMA analysis_limit = 0;
