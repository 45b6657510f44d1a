import type { Pool } from './open-pool.js';

/** What createPostgresScaleData generates; the same shape as SQLite's bulk load (src/sqlite/bulk-load.ts). */
export interface PostgresScalePlan {
  readonly readers: number;
  readonly consultants: number;
  readonly events: number;
  readonly chapters: number;
  /** Events spread over this span before `now`, oldest first (ids rise with time, as in production). */
  readonly spanMs: number;
  /** Readers 1..liveReaders were active within the last minute before `now`. */
  readonly liveReaders: number;
  readonly now: number;
  readonly passwordHash: string;
  readonly onProgress?: (step: { table: string; done: number; total: number }) => void;
}

const EVENT_CHUNK = 1_000_000;

/**
 * Fills a freshly migrated, empty PostgreSQL database with generated data, server-side
 * (INSERT ... SELECT over generate_series, no rows cross the wire): readers, consultants, chapters,
 * milestones (some stuck), activity events skewed towards low reader ids (a few heavy readers),
 * the activity aggregates rebuilt from them, then ANALYZE. Foreign-key triggers are skipped for
 * the load (session_replication_role = replica, which needs a superuser); every id it writes exists.
 */
export async function createPostgresScaleData(pool: Pool, plan: PostgresScalePlan): Promise<{ readers: number; milestones: number; events: number }> {
  const client = await pool.connect();
  const step = (table: string, done: number, total: number) => plan.onProgress?.({ table, done, total });
  try {
    await client.query('SET session_replication_role = replica');
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM users');
    if (Number(rows[0]!.n) !== 0) throw new Error('createPostgresScaleData needs an empty database');
    const start = plan.now - plan.spanMs;
    await client.query(
      `INSERT INTO users (id, email, name, password_hash, role, created_at, last_active_at, search_key)
       SELECT g, 'reader' || g || '@scale.test', 'Reader ' || g, $1, 'reader', $2::bigint,
              CASE WHEN g <= $4 THEN $3::bigint - (g % 60) * 1000
                   ELSE $2::bigint + (g * 7919) % ($3::bigint - $2::bigint - 60000) END,
              'reader' || g || '@scale.test reader ' || g
       FROM generate_series(1, $5::bigint) AS g`,
      [plan.passwordHash, start, plan.now, plan.liveReaders, plan.readers],
    );
    await client.query(
      `INSERT INTO users (id, email, name, password_hash, role, created_at, last_active_at, search_key)
       SELECT $2::bigint + g, 'consultant' || g || '@scale.test', 'Consultant ' || g, $1, 'consultant', $3::bigint, NULL,
              'consultant' || g || '@scale.test consultant ' || g
       FROM generate_series(1, $4::bigint) AS g`,
      [plan.passwordHash, plan.readers, start, plan.consultants],
    );
    await client.query(`SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))`);
    step('users', plan.readers + plan.consultants, plan.readers + plan.consultants);

    await client.query(
      `INSERT INTO chapters (id, title, position, created_at, updated_at)
       SELECT 'ch-' || c, 'Chapter ' || c, c, $1::bigint, $1::bigint FROM generate_series(1, $2::int) AS c`,
      [start, plan.chapters],
    );
    // Reader r has reached chapter 1 + r % chapters: the ones before completed, the last started,
    // or stuck for every 10th reader.
    const milestones = await client.query(
      `INSERT INTO milestones (user_id, chapter_id, status, score, updated_at, started_at, completed_at)
       SELECT r, 'ch-' || c,
              CASE WHEN c < 1 + r % $1 THEN 'completed' WHEN r % 10 = 0 THEN 'stuck' ELSE 'started' END,
              CASE WHEN c < 1 + r % $1 THEN (r * 31 + c * 17) % 101 END,
              $2::bigint + ((r * 7919 + c * 104729) % ($3::bigint - $2::bigint)),
              $2::bigint + ((r * 7919 + c * 104729) % ($3::bigint - $2::bigint)) - 600000,
              CASE WHEN c < 1 + r % $1 THEN $2::bigint + ((r * 7919 + c * 104729) % ($3::bigint - $2::bigint)) END
       FROM generate_series(1, $4::bigint) AS r, generate_series(1, $1::int) AS c
       WHERE c <= 1 + r % $1`,
      [plan.chapters, start, plan.now, plan.readers],
    );
    await client.query(`SELECT setval(pg_get_serial_sequence('milestones', 'id'), greatest(1, (SELECT coalesce(max(id), 1) FROM milestones)))`);
    step('milestones', milestones.rowCount ?? 0, milestones.rowCount ?? 0);

    // user_id = 1 + floor(readers * u^2) for a pseudo-random u in [0, 1): low ids get far more events.
    for (let from = 1; from <= plan.events; from += EVENT_CHUNK) {
      const to = Math.min(plan.events, from + EVENT_CHUNK - 1);
      await client.query(
        // xid NULL: loaded history is not live (migration 016), whatever the column's default.
        `INSERT INTO activity_logs (id, user_id, action_type, metadata, created_at, xid)
         SELECT g, 1 + floor($1::bigint * power(((g * 2654435761) % 1000003) / 1000003.0, 2))::bigint,
                CASE WHEN g % 5 = 0 THEN 'CHAPTER_OPEN' ELSE 'PAGE_VIEW' END,
                json_build_object('page', g % 300),
                $2::bigint + (g * ($3::bigint - $2::bigint - 120000)) / $4::bigint, NULL
         FROM generate_series($5::bigint, $6::bigint) AS g`,
        [plan.readers, start, plan.now, plan.events, from, to],
      );
      step('activity_logs', to, plan.events);
    }
    await client.query(`SELECT setval(pg_get_serial_sequence('activity_logs', 'id'), greatest(1, $1::bigint))`, [plan.events]);

    await client.query(
      `INSERT INTO activity_reader_hours (user_id, hour_start, events)
       SELECT a.user_id, (a.created_at / 3600000) * 3600000, count(*)
       FROM activity_logs a JOIN users u ON u.id = a.user_id AND u.role = 'reader'
       GROUP BY a.user_id, (a.created_at / 3600000) * 3600000`,
    );
    await client.query(
      `INSERT INTO activity_reader_days (user_id, day_start, events)
       SELECT user_id, (hour_start / 86400000) * 86400000, sum(events)
       FROM activity_reader_hours GROUP BY user_id, (hour_start / 86400000) * 86400000`,
    );
    await client.query(
      `INSERT INTO activity_hours (hour_start, events, active_readers)
       SELECT hour_start, sum(events), count(*) FROM activity_reader_hours GROUP BY hour_start`,
    );
    await client.query(
      `INSERT INTO activity_days (day_start, events, active_readers)
       SELECT day_start, sum(events), count(*) FROM activity_reader_days GROUP BY day_start`,
    );
    step('activity aggregates', 1, 1);
    await client.query('RESET session_replication_role');
    await client.query('ANALYZE');
    step('ANALYZE', 1, 1);
    return { readers: plan.readers, milestones: milestones.rowCount ?? 0, events: plan.events };
  } finally {
    client.release();
  }
}
