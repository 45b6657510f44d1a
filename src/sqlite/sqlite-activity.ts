import { checkRetentionLimit, decodeCursor, encodeCursor, metadataJson, pageFrom, type ActivityEvent, type ActivityInput, type ActivityPort, type Clock, type Page, type PageRequest } from '../domain/index.js';
import type { ActivityAggregates, ActivityDelta } from './activity-aggregates.js';
import { toActivityEvent, type ActivityRow } from '../domain/storage/stored-rows.js';
import type { Statements } from './statements.js';
import type { SqliteWriter } from './sqlite-writer.js';

/** Activity events on SQLite; the per-bucket aggregates are deferred to the group commit. */
export class SqliteActivity implements ActivityPort {
  constructor(
    private readonly sql: Statements,
    private readonly clock: Clock,
    private readonly write: SqliteWriter,
    private readonly aggregates: ActivityAggregates,
  ) {}

  async logActivity(userId: number, input: ActivityInput): Promise<ActivityEvent> {
    const [event] = await this.logActivities(userId, [input]);
    return event!;
  }

  async logActivities(userId: number, inputs: readonly ActivityInput[]): Promise<ActivityEvent[]> {
    const now = this.clock.now();
    const rows = inputs.map((input) => [input.actionType, input.metadata === null ? null : metadataJson(input.metadata)] as const);
    // One write job is one savepoint: if any insert fails, the whole batch rolls back alone.
    return this.write(() => {
      const events = rows.map(([actionType, metadata]) =>
        toActivityEvent(this.sql.insertActivity.get(userId, actionType, metadata, now) as ActivityRow),
      );
      this.aggregates.defer({ userId, at: now, events: events.length });
      return events;
    });
  }

  async listActivity(userId: number, page: PageRequest): Promise<Page<ActivityEvent>> {
    const [before] = page.cursor === undefined ? [Number.MAX_SAFE_INTEGER] : decodeCursor(page.cursor);
    const rows = this.sql.activityPage.all(userId, before, page.limit + 1) as ActivityRow[];
    return pageFrom(rows.map(toActivityEvent), page.limit, (event) => encodeCursor(event.id));
  }

  async deleteActivityBefore(cutoff: number, limit: number): Promise<number> {
    checkRetentionLimit(limit);
    return this.write(() => {
      const removed = this.sql.activityBefore.all(cutoff, limit) as { userId: number; at: number }[];
      // Sums: applied now or with this batch's deferred additions, the result is the same.
      this.aggregates.apply(removed.map((d): ActivityDelta => ({ ...d, events: -1 })));
      return this.sql.deleteActivityBefore.run(cutoff, limit).changes;
    });
  }
}
