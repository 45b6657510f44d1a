import type { Milestone, MilestoneInput, ProgressPort, RecordedMilestone } from '../domain/index.js';
import { milestoneWrites, type MilestoneWrite } from './combined-writes.js';
import type { MilestoneAggregates } from './milestone-aggregates.js';
import type { PostgresAccess } from './postgres-access.js';
import type { CombinedWrite } from './write-queue.js';
import { toMilestone, type MilestoneRow } from '../domain/storage/stored-rows.js';
import { statements as sql } from './statements.js';

/** A reader's own milestones on PostgreSQL; the chapter aggregates are deferred to the batch's commit. */
export class PostgresProgress implements ProgressPort {
  /** upsertMilestone as the batch runs it: one locking read and one upsert per round of a batch, then the reviews. */
  private readonly writes: CombinedWrite<MilestoneWrite, RecordedMilestone>;

  constructor(
    private readonly db: PostgresAccess,
    aggregates: MilestoneAggregates,
  ) {
    this.writes = milestoneWrites(aggregates);
  }

  async upsertMilestone(userId: number, input: MilestoneInput): Promise<Milestone> {
    return (await this.db.combinedWrite(this.writes, { userId, input, at: this.db.clock.now(), review: false })).milestone;
  }

  async upsertReviewedMilestone(userId: number, input: MilestoneInput): Promise<RecordedMilestone> {
    return this.db.combinedWrite(this.writes, { userId, input, at: this.db.clock.now(), review: true });
  }

  async getMyMilestones(userId: number): Promise<Milestone[]> {
    return (await this.db.read<MilestoneRow>(sql.milestonesOf, [userId])).map(toMilestone);
  }
}
