import { checkRetentionLimit, decodeCursor, encodeCursor, metadataJson, pageFrom, type ActivityEvent, type ActivityInput, type ActivityPort, type Page, type PageRequest } from '../domain/index.js';
import type { ActivityAggregates } from './activity-aggregates.js';
import { sqlOn } from './pg-sql.js';
import { run, type PostgresAccess } from './postgres-access.js';
import { toActivityEvent, type ActivityRow } from '../domain/storage/stored-rows.js';
import { statements as sql } from './statements.js';

/** Activity events on PostgreSQL; the per-bucket aggregates are deferred to the batch's commit. */
export class PostgresActivity implements ActivityPort {
  constructor(
    private readonly db: PostgresAccess,
    private readonly aggregates: ActivityAggregates,
  ) {}

  async logActivity(userId: number, input: ActivityInput): Promise<ActivityEvent> {
    const [event] = await this.logActivities(userId, [input]);
    return event!;
  }

  async logActivities(userId: number, inputs: readonly ActivityInput[]): Promise<ActivityEvent[]> {
    const now = this.db.clock.now();
    const actionTypes = inputs.map((input) => input.actionType);
    const metadata = inputs.map((input) => (input.metadata === null ? null : metadataJson(input.metadata)));
    return this.db.write(async (db) => {
      const { rows } = await run<ActivityRow>(db, sql.insertActivities, [userId, actionTypes, metadata, now]);
      this.aggregates.defer({ userId, at: now, events: rows.length });
      // RETURNING promises no order; the ids were handed out in the input's order.
      return rows.sort((a, b) => a.id - b.id).map(toActivityEvent);
    });
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
