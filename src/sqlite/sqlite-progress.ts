import type { AttentionItem, Clock, Milestone, MilestoneInput, ProgressPort, RecordedMilestone } from '../domain/index.js';
import type { MilestoneAggregates } from './milestone-aggregates.js';
import { toMilestone, type MilestoneRow } from '../domain/storage/stored-rows.js';
import type { Statements } from './statements.js';
import type { SqliteWriter } from './sqlite-writer.js';

/** A reader's own milestones on SQLite; each write keeps the chapter aggregates in step. */
export class SqliteProgress implements ProgressPort {
  constructor(
    private readonly sql: Statements,
    private readonly clock: Clock,
    private readonly write: SqliteWriter,
    private readonly aggregates: MilestoneAggregates,
    /** The attention review of a reader's milestone, run inside the caller's write. */
    private readonly review: (readerId: number, chapterId: string, now: number) => AttentionItem[],
  ) {}

  async upsertMilestone(userId: number, input: MilestoneInput): Promise<Milestone> {
    const now = this.clock.now();
    return this.write(() => this.upsertInWrite(userId, input, now));
  }

  async upsertReviewedMilestone(userId: number, input: MilestoneInput): Promise<RecordedMilestone> {
    const now = this.clock.now();
    return this.write(() => {
      const milestone = this.upsertInWrite(userId, input, now);
      return { milestone, attention: this.review(userId, input.chapterId, now) };
    });
  }

  private upsertInWrite(userId: number, input: MilestoneInput, now: number): Milestone {
    const counted = this.aggregates.counts(userId);
    const old = counted ? this.aggregates.before(userId, input.chapterId) : null;
    const row = this.sql.upsertMilestone.get({ userId, chapterId: input.chapterId, status: input.status, score: input.score, now }) as MilestoneRow & {
      started_at: number | null;
      completed_at: number | null;
    };
    if (counted) this.aggregates.replace(input.chapterId, old, row);
    return toMilestone(row);
  }

  async getMyMilestones(userId: number): Promise<Milestone[]> {
    return (this.sql.milestonesOf.all(userId) as MilestoneRow[]).map(toMilestone);
  }
}
