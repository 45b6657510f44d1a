-- Live events (issue 17): every activity row is copied into live_events, so each index there is
-- paid once per event. Since migration 008 the events are read and pruned by transaction id
-- ((xid, id)) and deleted readers' events found by reader_id; nothing reads them by time (the
-- replay window is the ticks' created_at), so the created_at index goes.
DROP INDEX IF EXISTS idx_live_events_created;
