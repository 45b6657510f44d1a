import { checkRetentionLimit, decodeCursor, encodeCursor, pageFrom, type ActivityEvent, type ActivityInput, type ActivityPort, type Page, type PageRequest } from '../domain/index.js';
import type { ActivityAggregates } from './activity-aggregates.js';
import { activityWrites, type ActivityWrite } from './combined-writes.js';
import type { CombinedWrite } from './write-queue.js';
import { sqlOn } from './pg-sql.js';
import { run, type PostgresAccess } from './postgres-access.js';
import { toActivityEvent, type ActivityRow } from '../domain/storage/stored-rows.js';
import { statements as sql } from './statements.js';

/** Activity events on PostgreSQL; the per-bucket aggregates are deferred to the batch's commit. */
export class PostgresActivity implements ActivityPort {
  /** logActivities as the batch runs it: every write of a batch in one insert. */
  private readonly writes: CombinedWrite<ActivityWrite, ActivityEvent[]>;

  constructor(
    private readonly db: PostgresAccess,
    private readonly aggregates: ActivityAggregates,
  ) {
    this.writes = activityWrites();
  }

  async logActivity(userId: number, input: ActivityInput): Promise<ActivityEvent> {
    const [event] = await this.logActivities(userId, [input]);
    return event!;
  }

  async logActivities(userId: number, inputs: readonly ActivityInput[]): Promise<ActivityEvent[]> {
    return this.db.combinedWrite(this.writes, { userId, inputs, at: this.db.clock.now() });
  }

  async listActivity(userId: number, page: PageRequest): Promise<Page<ActivityEvent>> {
    const [before] = page.cursor === undefined ? [Number.MAX_SAFE_INTEGER] : decodeCursor(page.cursor);
    const rows = await this.db.read<ActivityRow>(sql.activityPage, [userId, before, page.limit + 1]);
    return pageFrom(rows.map(toActivityEvent), page.limit, (event) => encodeCursor(event.id));
  }

  async deleteActivityBefore(cutoff: number, limit: number): Promise<number> {
    checkRetentionLimit(limit);
    return this.db.write(async (db) => {
      const removed = (await run<{ userId: number; at: number }>(db, sql.activityBefore, [cutoff, limit])).rows;
      await this.aggregates.apply(
        sqlOn(db),
        removed.map((d) => ({ ...d, events: -1 })),
      );
      return (await run(db, sql.deleteActivityBefore, [cutoff, limit])).rowCount ?? 0;
    });
  }
}
