import { BUCKET_MS } from '../domain/index.js';
import { ACTIVITY_BUCKET_TABLES, type ActivityDelta } from '../domain/storage/activity-buckets.js';
import type { Database } from './open-database.js';

export type { ActivityDelta } from '../domain/storage/activity-buckets.js';

const LEVELS = ACTIVITY_BUCKET_TABLES;

/** Users whose role is remembered at most; past it the memory starts again. */
const ROLE_CACHE_ENTRIES = 100_000;

/**
 * Keeps activity_reader_{hours,days} and activity_{hours,days} equal to what activity_logs
 * holds for readers. Runs inside the caller's write transaction, next to the insert or delete it
 * accounts for, so the aggregates never disagree with the events they summarize.
 */
export class ActivityAggregates {
  private readonly levels;
  private readonly isReader;
  private readonly roles = new Map<number, boolean>();
  /** Deltas of the current write transaction, applied together just before it commits. */
  private deferred: ActivityDelta[] = [];

  constructor(db: Database) {
    this.isReader = db.prepare("SELECT 1 FROM users WHERE id = ? AND role = 'reader'").pluck();
    this.levels = LEVELS.map((level) => ({
      size: BUCKET_MS[level.size],
      addToReader: db.prepare(
        `INSERT INTO ${level.perReader} (user_id, ${level.column}, events) VALUES (@userId, @start, @events)
         ON CONFLICT (user_id, ${level.column}) DO UPDATE SET events = events + excluded.events
         RETURNING events`,
      ).pluck(),
      dropReader: db.prepare(`DELETE FROM ${level.perReader} WHERE user_id = ? AND ${level.column} = ?`),
      addToTotal: db.prepare(
        `INSERT INTO ${level.total} (${level.column}, events, active_readers) VALUES (@start, @events, @readers)
         ON CONFLICT (${level.column}) DO UPDATE
           SET events = events + excluded.events, active_readers = active_readers + excluded.active_readers`,
      ),
      dropEmptyTotal: db.prepare(`DELETE FROM ${level.total} WHERE ${level.column} = ? AND events <= 0`),
      readerBuckets: db.prepare(`SELECT ${level.column} AS start, events FROM ${level.perReader} WHERE user_id = ?`),
    }));
  }

  /** Applies deltas of one or more users; deltas of users who are not readers are ignored. */
  apply(deltas: readonly ActivityDelta[]): void {
    for (const level of this.levels) {
      const merged = new Map<string, { userId: number; start: number; events: number }>();
      for (const delta of deltas) {
        if (!this.readerRole(delta.userId)) continue;
        const start = Math.floor(delta.at / level.size) * level.size;
        const key = `${delta.userId}:${start}`;
        const entry = merged.get(key) ?? { userId: delta.userId, start, events: 0 };
        entry.events += delta.events;
        merged.set(key, entry);
      }
      // Each bucket's total changes once, by the sum over its readers.
      const totals = new Map<number, { events: number; readers: number; removed: boolean }>();
      for (const { userId, start, events } of merged.values()) {
        if (events === 0) continue;
        const after = level.addToReader.get({ userId, start, events }) as number;
        const total = totals.get(start) ?? { events: 0, readers: 0, removed: false };
        totals.set(start, total);
        total.events += events;
        total.removed ||= events < 0;
        // A reader row that appears adds an active reader; one that empties removes it.
        if (after === events && events > 0) total.readers += 1;
        if (after <= 0) {
          level.dropReader.run(userId, start);
          total.readers -= 1;
        }
      }
      for (const [start, { events, readers, removed }] of totals) {
        level.addToTotal.run({ start, events, readers });
        if (removed) level.dropEmptyTotal.run(start);
      }
    }
  }

  /**
   * Whether a user is a reader, remembered: a role never changes and ids are never reused
   * (AUTOINCREMENT); removeUser forgets the user, so activity deferred before their deletion in
   * the same batch is skipped.
   */
  private readerRole(userId: number): boolean {
    let reader = this.roles.get(userId);
    if (reader === undefined) {
      reader = this.isReader.get(userId) !== undefined;
      if (this.roles.size >= ROLE_CACHE_ENTRIES) this.roles.clear();
      this.roles.set(userId, reader);
    }
    return reader;
  }

  /**
   * Queues a delta for applyDeferred, at the end of the current write transaction: a batch of
   * activity from many requests then updates each bucket's totals once, not once per request.
   * Call it as a write's last step, so a write that fails has deferred nothing. A user deleted
   * later in the same batch is no reader by then, so their deferred deltas are skipped.
   */
  defer(delta: ActivityDelta): void {
    this.deferred.push(delta);
  }

  /** Applies every deferred delta; the write queue calls it just before each COMMIT. */
  applyDeferred(): void {
    if (this.deferred.length === 0) return;
    const deltas = this.deferred;
    this.deferred = [];
    this.apply(deltas);
  }

  /** Removes everything one user contributed (before the user is deleted). */
  removeUser(userId: number): void {
    this.roles.delete(userId);
    for (const level of this.levels) {
      for (const { start, events } of level.readerBuckets.all(userId) as { start: number; events: number }[]) {
        level.dropReader.run(userId, start);
        level.addToTotal.run({ start, events: -events, readers: -1 });
        level.dropEmptyTotal.run(start);
      }
    }
  }
}

/**
 * Recomputes every activity aggregate from activity_logs, as migration 005 first did. For bulk
 * loads that insert activity directly; a serving database keeps them current write by write.
 */
export function rebuildActivityAggregates(db: Database): void {
  db.exec(`
    DELETE FROM activity_reader_hours; DELETE FROM activity_reader_days;
    DELETE FROM activity_hours; DELETE FROM activity_days;
    INSERT INTO activity_reader_hours (user_id, hour_start, events)
      SELECT a.user_id, (a.created_at / 3600000) * 3600000, count(*)
      FROM activity_logs a JOIN users u ON u.id = a.user_id AND u.role = 'reader'
      GROUP BY a.user_id, (a.created_at / 3600000) * 3600000;
    INSERT INTO activity_reader_days (user_id, day_start, events)
      SELECT user_id, (hour_start / 86400000) * 86400000, sum(events)
      FROM activity_reader_hours GROUP BY user_id, (hour_start / 86400000) * 86400000;
    INSERT INTO activity_hours (hour_start, events, active_readers)
      SELECT hour_start, sum(events), count(*) FROM activity_reader_hours GROUP BY hour_start;
    INSERT INTO activity_days (day_start, events, active_readers)
      SELECT day_start, sum(events), count(*) FROM activity_reader_days GROUP BY day_start;`);
}
