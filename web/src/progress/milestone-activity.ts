import type { MilestoneDto, MilestoneStatus } from '../api/types.js';

/** The activity recorded when a reader marks a chapter. */
export type MilestoneActionType = 'CHAPTER_STARTED' | 'CHAPTER_COMPLETED' | 'CHAPTER_STUCK';

const ACTION_BY_STATUS: Readonly<Record<MilestoneStatus, MilestoneActionType>> = {
  started: 'CHAPTER_STARTED',
  completed: 'CHAPTER_COMPLETED',
  stuck: 'CHAPTER_STUCK',
};

/** The activity event for a saved milestone: `{chapterId}`, with the score when there is one. */
export function milestoneActivity(milestone: MilestoneDto): {
  actionType: MilestoneActionType;
  metadata: { chapterId: string; score?: number };
} {
  const metadata = milestone.score === null ? { chapterId: milestone.chapterId } : { chapterId: milestone.chapterId, score: milestone.score };
  return { actionType: ACTION_BY_STATUS[milestone.status], metadata };
}
