import type { AttentionItem } from '../attention.js';
import type { Milestone, MilestoneInput } from '../progress.js';

/** A stored milestone and the attention items its review changed. */
export interface RecordedMilestone {
  readonly milestone: Milestone;
  readonly attention: AttentionItem[];
}

/**
 * A reader's own chapter milestones.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface ProgressPort {
  /** Creates or replaces the user's milestone for a chapter. Throws `not_found` for an unknown user. */
  upsertMilestone(userId: number, input: MilestoneInput): Promise<Milestone>;

  /**
   * upsertMilestone, then the review of that milestone's attention items
   * (AttentionPort.reviewMilestoneAttention), as one write: they commit together, or neither does,
   * and a write that fails is not reviewed. The engines run both in one batch, so a reader's
   * milestone costs one group commit rather than two. Throws `not_found` for an unknown user.
   */
  upsertReviewedMilestone(userId: number, input: MilestoneInput): Promise<RecordedMilestone>;

  /** The signed-in user's milestones, ordered by chapterId. */
  getMyMilestones(userId: number): Promise<Milestone[]>;
}
