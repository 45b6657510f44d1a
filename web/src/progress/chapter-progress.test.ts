import { describe, expect, it } from 'vitest';
import type { ChapterDto, MilestoneDto } from '../api/types.js';
import { countProgress, mergeChapterProgress } from './chapter-progress.js';

const chapters: ChapterDto[] = [
  { id: 'ch-2', title: 'Two', position: 2 },
  { id: 'ch-1', title: 'One', position: 1 },
  { id: 'ch-3', title: 'Three', position: 3 },
];

const milestone = (chapterId: string, status: MilestoneDto['status'], score: number | null = null): MilestoneDto => ({
  chapterId,
  status,
  score,
  updatedAt: '2026-11-24T18:45:10.123Z',
});

describe('mergeChapterProgress', () => {
  it('lists every chapter in program order with its milestone or none', () => {
    const rows = mergeChapterProgress(chapters, [milestone('ch-2', 'completed', 80)]);
    expect(rows.map((row) => row.chapterId)).toEqual(['ch-1', 'ch-2', 'ch-3']);
    expect(rows[0]?.milestone).toBeNull();
    expect(rows[1]?.milestone?.score).toBe(80);
  });

  it('keeps milestones of chapters the program does not list, after the program', () => {
    const rows = mergeChapterProgress(chapters, [milestone('zeta', 'stuck'), milestone('alpha', 'started')]);
    expect(rows.map((row) => [row.chapterId, row.inProgram])).toEqual([
      ['ch-1', true],
      ['ch-2', true],
      ['ch-3', true],
      ['alpha', false],
      ['zeta', false],
    ]);
  });

  it('still shows milestones while the chapter list is missing', () => {
    expect(mergeChapterProgress(undefined, [milestone('a', 'started')]).map((row) => row.title)).toEqual(['a']);
  });
});

describe('countProgress', () => {
  it('counts rows per state', () => {
    const rows = mergeChapterProgress(chapters, [milestone('ch-1', 'completed', 90), milestone('ch-3', 'stuck')]);
    expect(countProgress(rows)).toEqual({ notStarted: 1, started: 0, completed: 1, stuck: 1 });
  });
});
