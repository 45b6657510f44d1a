-- Activity aggregates (issue 17): every activity batch adds to one activity_reader_hours row and one
-- activity_reader_days row per reader in it. The (start, user_id, events) indexes of migration 005
-- held `events`, so each of those updates was a new row version with an entry in both of the
-- table's indexes; without an index on `events` PostgreSQL updates the row in place on its page
-- (a heap-only tuple). Measured on batches of 20 events from 1,000 readers: 0 of 22,782 updates
-- heap-only before, 99 % after, and the statement's WAL per event 1,582 -> 1,130 bytes.
-- A cohort's rows are read by primary key (user_id, start), which no query needed the indexes for.
DROP INDEX IF EXISTS idx_activity_reader_hours_start;
DROP INDEX IF EXISTS idx_activity_reader_days_start;
