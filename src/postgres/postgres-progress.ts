import type { Milestone, MilestoneInput, ProgressPort } from '../domain/index.js';
import type { MilestoneAggregates, MilestoneContribution } from './milestone-aggregates.js';
import { run, type PostgresAccess } from './postgres-access.js';
import { toMilestone, type MilestoneRow } from '../domain/storage/stored-rows.js';
import { statements as sql } from './statements.js';

/** upsertMilestone's row: the milestone now, and whether it counts in the chapter aggregates. */
type UpsertedMilestoneRow = MilestoneRow & MilestoneContribution & { readonly counted: boolean };

/** A reader's own milestones on PostgreSQL; the chapter aggregates are deferred to the batch's commit. */
export class PostgresProgress implements ProgressPort {
  constructor(
    private readonly db: PostgresAccess,
    private readonly aggregates: MilestoneAggregates,
  ) {}

  async upsertMilestone(userId: number, input: MilestoneInput): Promise<Milestone> {
    const now = this.db.clock.now();
    return this.db.write(async (db) => {
      const { rows: before } = await run<MilestoneContribution>(db, sql.milestoneBefore, [userId, input.chapterId]);
      const { rows } = await run<UpsertedMilestoneRow>(db, sql.upsertMilestone, [userId, input.chapterId, input.status, input.score, now]);
      const row = rows[0]!;
      if (row.counted) this.aggregates.defer(input.chapterId, before[0] ?? null, row);
      return toMilestone(row);
    });
  }

  async getMyMilestones(userId: number): Promise<Milestone[]> {
    return (await this.db.read<MilestoneRow>(sql.milestonesOf, [userId])).map(toMilestone);
  }
}
