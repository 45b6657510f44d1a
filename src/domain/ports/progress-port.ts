import type { Milestone, MilestoneInput } from '../progress.js';

/**
 * A reader's own chapter milestones.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface ProgressPort {
  /** Creates or replaces the user's milestone for a chapter. Throws `not_found` for an unknown user. */
  upsertMilestone(userId: number, input: MilestoneInput): Promise<Milestone>;

  /** The signed-in user's milestones, ordered by chapterId. */
  getMyMilestones(userId: number): Promise<Milestone[]>;
}
