import { describe, expect, it } from 'vitest';
import { milestoneActivity } from './milestone-activity.js';

describe('milestoneActivity', () => {
  const updatedAt = '2026-11-24T18:45:10.123Z';

  it('records which chapter was started, completed (with its score) or got stuck', () => {
    expect(milestoneActivity({ chapterId: 'ch-1', status: 'started', score: null, updatedAt })).toEqual({
      actionType: 'CHAPTER_STARTED',
      metadata: { chapterId: 'ch-1' },
    });
    expect(milestoneActivity({ chapterId: 'ch-2', status: 'completed', score: 85, updatedAt })).toEqual({
      actionType: 'CHAPTER_COMPLETED',
      metadata: { chapterId: 'ch-2', score: 85 },
    });
    expect(milestoneActivity({ chapterId: 'ch-3', status: 'stuck', score: null, updatedAt })).toEqual({
      actionType: 'CHAPTER_STUCK',
      metadata: { chapterId: 'ch-3' },
    });
  });
});
