import type { ChapterDto, MilestoneDto } from '../api/types.js';

/** One row of a progress list: a chapter and the reader's milestone in it, if any. */
export interface ChapterProgress {
  readonly chapterId: string;
  readonly title: string;
  /** False for a milestone whose chapter is no longer (or not yet) in the program. */
  readonly inProgram: boolean;
  readonly milestone: MilestoneDto | null;
}

/**
 * Lines the program's chapters up with a reader's milestones: every chapter in program order,
 * then any milestone for a chapter the program does not list, by chapter id.
 */
export function mergeChapterProgress(
  chapters: readonly ChapterDto[] | undefined,
  milestones: readonly MilestoneDto[] | undefined,
): ChapterProgress[] {
  const milestoneByChapter = new Map((milestones ?? []).map((m) => [m.chapterId, m] as const));
  const ordered = [...(chapters ?? [])].sort((a, b) => a.position - b.position);
  const rows: ChapterProgress[] = ordered.map((chapter) => ({
    chapterId: chapter.id,
    title: chapter.title,
    inProgram: true,
    milestone: milestoneByChapter.get(chapter.id) ?? null,
  }));
  const known = new Set(ordered.map((chapter) => chapter.id));
  const orphans = [...milestoneByChapter.values()]
    .filter((m) => !known.has(m.chapterId))
    .sort((a, b) => a.chapterId.localeCompare(b.chapterId));
  for (const milestone of orphans) {
    rows.push({ chapterId: milestone.chapterId, title: milestone.chapterId, inProgram: false, milestone });
  }
  return rows;
}

/** How many rows are in each state, for a one-line summary. */
export function countProgress(rows: readonly ChapterProgress[]): Record<'notStarted' | 'started' | 'completed' | 'stuck', number> {
  const counts = { notStarted: 0, started: 0, completed: 0, stuck: 0 };
  for (const row of rows) {
    if (row.milestone === null) counts.notStarted += 1;
    else counts[row.milestone.status] += 1;
  }
  return counts;
}
