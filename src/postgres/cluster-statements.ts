import type { Statement } from './statements.js';

function define<T extends Record<string, string>>(texts: T): { readonly [K in keyof T]: Statement } {
  return Object.fromEntries(Object.entries(texts).map(([name, text]) => [name, { name: `readpulse-cluster-${name}`, text }])) as {
    readonly [K in keyof T]: Statement;
  };
}

/** The SQL of the cross-instance channel: live events, presence, job claims, failed sign-ins. */
export const clusterStatements = define({
  // The triggers of migration 006 commit ids in order (ADR 0019), so "after the last id seen"
  // misses nothing.
  liveEventsAfter: 'SELECT id, type, reader_id, body FROM live_events WHERE id > $1 ORDER BY id LIMIT $2',
  // Where a starting instance begins: just before the first event still inside the replay
  // window, so a client resuming with an id from another instance finds what it missed.
  liveEventsStart: `SELECT coalesce(
      (SELECT min(id) - 1 FROM live_events WHERE created_at > $1),
      (SELECT max(id) FROM live_events),
      0) AS since`,
  pruneLiveEvents: `DELETE FROM live_events WHERE id IN
    (SELECT id FROM live_events WHERE created_at < $1 ORDER BY created_at LIMIT $2)`,
  // Only the instance whose change wins writes the presence event (the trigger fires on a real
  // change only); an offline is recorded only if the database saw no activity since `$4`.
  recordPresence: `INSERT INTO reader_presence (reader_id, online, changed_at)
    SELECT $1, $2, $3 WHERE $2 OR NOT EXISTS (SELECT 1 FROM users WHERE id = $1 AND last_active_at > $4)
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
