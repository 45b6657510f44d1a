import type { Statement } from './statements.js';

function define<T extends Record<string, string>>(texts: T): { readonly [K in keyof T]: Statement } {
  return Object.fromEntries(Object.entries(texts).map(([name, text]) => [name, { name: `readpulse-cluster-${name}`, text }])) as {
    readonly [K in keyof T]: Statement;
  };
}

/** The database's time in epoch ms, as live_tick() records it. */
const DB_NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

/** The SQL of the cross-instance channel: live events, presence, job claims, failed sign-ins. */
export const clusterStatements = define({
  // A tick's batch (migrations 008, 016): the events whose transactions its snapshot sees and
  // the previous one's did not, in (transaction id, part, row id) order, from live_event_rows
  // (activity rows where they are stored, the other events in live_events). Reads ticks from $1
  // on: tick $1 only after the event ($2, $3, $4) (NULL: tick $1 is read), at most $5 events. The
  // ticks' rows arrive in id order, each with the id of its first event; the reader numbers the rest.
  liveEventsAfter: `SELECT t.id AS tick, t.first_event, e.xid::text AS xid, e.part, e.row_id, e.type, e.reader_id, e.body
    FROM live_ticks t CROSS JOIN LATERAL (
      SELECT e.xid, e.part, e.row_id, e.type, e.reader_id, e.body FROM live_event_rows e
      WHERE e.xid >= pg_snapshot_xmin(t.since) AND e.xid < pg_snapshot_xmax(t.snap)
        AND pg_visible_in_snapshot(e.xid, t.snap) AND NOT pg_visible_in_snapshot(e.xid, t.since)
        AND (t.id > $1 OR ($2::xid8 IS NOT NULL AND (e.xid, e.part, e.row_id) > ($2::xid8, $3::int, $4::bigint)))
      ORDER BY e.xid, e.part, e.row_id LIMIT $5) e
    WHERE t.id >= $1
    ORDER BY t.id, e.xid, e.part, e.row_id LIMIT $5`,
  // The newest tick, to know whether ticks past a read's window are still to come.
  lastTick: 'SELECT id, first_event, events FROM live_ticks ORDER BY id DESC LIMIT 1',
  // Where a starting instance begins: after the tick before the first one still inside the
  // replay window (or after the newest), so a client resuming with an id from another instance
  // finds what it missed. $1: the window's length in ms (ticks carry the database's time).
  liveEventsStart: `SELECT id - 1 AS id, first_event - 1 AS last_event FROM live_ticks
    WHERE created_at > ${DB_NOW_MS} - $1::bigint AND id > 0 ORDER BY id LIMIT 1`,
  // Records the next tick when it is due and something committed (migration 008).
  liveTick: 'SELECT live_tick($1::bigint) AS tick',
  // Events older than the batch of tick $1 go (every event of a later tick has a transaction id
  // at or above the xmin of that tick's since), then the ticks before it; the newest tick stays.
  pruneLiveEvents: `WITH keep AS (SELECT id, since FROM live_ticks
      WHERE id = least($1::bigint, (SELECT max(id) FROM live_ticks)))
    DELETE FROM live_events WHERE id IN (SELECT e.id FROM live_events e, keep
      WHERE e.xid < pg_snapshot_xmin(keep.since) LIMIT $2)`,
  pruneLiveTicks: 'DELETE FROM live_ticks WHERE id < least($1::bigint, (SELECT max(id) FROM live_ticks))',
  // The first tick still inside the kept window: $1 the window's length in ms.
  firstKeptTick: `SELECT coalesce(min(id), (SELECT max(id) FROM live_ticks)) AS id FROM live_ticks
    WHERE created_at >= ${DB_NOW_MS} - $1::bigint`,
  // Presence changes, one row per reader (PresenceAnnouncements keeps each reader's latest):
  // only the instance whose change wins writes the presence event (the trigger fires on a real
  // change only); an offline is recorded only if the database saw no activity since its
  // `active_since`. Rows are locked in reader order, so two instances' statements cannot deadlock.
  recordPresence: `INSERT INTO reader_presence (reader_id, online, changed_at)
    SELECT k.reader, k.online, k.at FROM unnest($1::bigint[], $2::boolean[], $3::bigint[], $4::bigint[]) AS k(reader, online, at, active_since)
      WHERE k.online OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = k.reader AND u.last_active_at > k.active_since)
      ORDER BY k.reader
    ON CONFLICT (reader_id) DO UPDATE SET online = excluded.online, changed_at = excluded.changed_at
      WHERE reader_presence.online <> excluded.online`,
  claimJob: `INSERT INTO cluster_jobs (name, last_run_at) VALUES ($1, $2)
    ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at
      WHERE cluster_jobs.last_run_at <= $2 - $3::bigint
    RETURNING name`,
  // An attention item's event, appended by the instance that changed it (migration 007).
  recordAttentionEvent: "SELECT append_live_event('attention', $1, $2, $3)",
  recordLoginFailures: 'INSERT INTO login_failures (throttle_key, failed_at) SELECT unnest($1::text[]), $2',
  // Per key: the failures inside the window, and when the oldest of them leaves it.
  loginFailures: `SELECT throttle_key, count(*)::int AS failures, min(failed_at) AS oldest FROM login_failures
    WHERE throttle_key = ANY($1::text[]) AND failed_at > $2 GROUP BY throttle_key`,
  // A revocation made by this instance, announced with its own id, with the number of instances
  // listening then: each of them answers on the ack channel once it has emptied its cache.
  announceRevocation: `SELECT pg_notify('readpulse_sessions', $1::text) AS sent,
    (SELECT count(*)::int FROM pg_stat_activity
      WHERE application_name = 'readpulse-listen' AND datname = current_database()) AS listeners`,
  acknowledgeRevocation: "SELECT pg_notify('readpulse_sessions_ack', $1::text)",
  clearLoginFailures: 'DELETE FROM login_failures WHERE throttle_key = $1',
  pruneLoginFailures: 'DELETE FROM login_failures WHERE failed_at <= $1',
});
