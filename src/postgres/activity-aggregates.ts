import { BUCKET_MS, type ActivityBucketSize } from '../domain/index.js';
import type { Sql } from './pg-sql.js';

/** A change of one reader's event count in one bucket of each size (positive adds, negative removes). */
export interface ActivityDelta {
  readonly userId: number;
  /** Any time inside the bucket, epoch ms. */
  readonly at: number;
  readonly events: number;
}

const LEVELS: readonly { size: ActivityBucketSize; perReader: string; total: string; column: string }[] = [
  { size: 'hour', perReader: 'activity_reader_hours', total: 'activity_hours', column: 'hour_start' },
  { size: 'day', perReader: 'activity_reader_days', total: 'activity_days', column: 'day_start' },
];

/**
 * Keeps activity_reader_{hours,days} and activity_{hours,days} equal to what activity_logs holds
 * for readers, as SQLite's ActivityAggregates: inside the caller's write, next to the insert or
 * delete it accounts for.
 */
export class ActivityAggregates {
  /** Applies deltas of one or more users; deltas of users who are not readers are ignored. */
  async apply(sql: Sql, deltas: readonly ActivityDelta[]): Promise<void> {
    const readers = new Map<number, boolean>();
    for (const level of LEVELS) {
      const size = BUCKET_MS[level.size];
      const merged = new Map<string, { userId: number; start: number; events: number }>();
      for (const delta of deltas) {
        let reader = readers.get(delta.userId);
        if (reader === undefined) {
          reader = (await sql.get("SELECT 1 FROM users WHERE id = ? AND role = 'reader'", [delta.userId])) !== undefined;
          readers.set(delta.userId, reader);
        }
        if (!reader) continue;
        const start = Math.floor(delta.at / size) * size;
        const key = `${delta.userId}:${start}`;
        const entry = merged.get(key) ?? { userId: delta.userId, start, events: 0 };
        entry.events += delta.events;
        merged.set(key, entry);
      }
      for (const { userId, start, events } of merged.values()) {
        if (events === 0) continue;
        const { events: after } = (await sql.get<{ events: number }>(
          `INSERT INTO ${level.perReader} AS r (user_id, ${level.column}, events) VALUES (@userId::bigint, @start::bigint, @events::bigint)
           ON CONFLICT (user_id, ${level.column}) DO UPDATE SET events = r.events + excluded.events
           RETURNING events`,
          { userId, start, events },
        ))!;
        // A reader row that appears adds an active reader; one that empties removes it.
        let readersChange = 0;
        if (after === events && events > 0) readersChange = 1;
        if (after <= 0) {
          await sql.run(`DELETE FROM ${level.perReader} WHERE user_id = ? AND ${level.column} = ?`, [userId, start]);
          readersChange = -1;
        }
        await this.addToTotal(sql, level, start, events, readersChange);
      }
    }
  }

  /** Removes everything one user contributed (before the user is deleted). */
  async removeUser(sql: Sql, userId: number): Promise<void> {
    for (const level of LEVELS) {
      const buckets = await sql.all<{ start: number; events: number }>(
        `SELECT ${level.column} AS start, events FROM ${level.perReader} WHERE user_id = ?`,
        [userId],
      );
      for (const { start, events } of buckets) {
        await sql.run(`DELETE FROM ${level.perReader} WHERE user_id = ? AND ${level.column} = ?`, [userId, start]);
        await this.addToTotal(sql, level, start, -events, -1);
      }
    }
  }

  private async addToTotal(sql: Sql, level: (typeof LEVELS)[number], start: number, events: number, readers: number): Promise<void> {
    await sql.run(
      `INSERT INTO ${level.total} AS t (${level.column}, events, active_readers) VALUES (@start::bigint, @events::bigint, @readers::bigint)
       ON CONFLICT (${level.column}) DO UPDATE
         SET events = t.events + excluded.events, active_readers = t.active_readers + excluded.active_readers`,
      { start, events, readers },
    );
    if (events < 0) await sql.run(`DELETE FROM ${level.total} WHERE ${level.column} = ? AND events <= 0`, [start]);
  }
}
