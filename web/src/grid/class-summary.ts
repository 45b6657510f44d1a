import type { GridRow } from './grid-rows.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The class in hand at a glance, from every reader's grid row. */
export interface ClassSummary {
  readonly readers: number;
  /** Active since local midnight. */
  readonly activeToday: number;
  /** Active in the last 7 days. */
  readonly activeThisWeek: number;
  /** Completed milestones over readers x chapters, 0..100 (null without readers or chapters). */
  readonly percentCompleted: number | null;
  /** Median of every completed milestone's score (null when there is none). */
  readonly medianScore: number | null;
  /** Readers stuck on at least one chapter. */
  readonly stuckReaders: number;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarizeClass(rows: readonly GridRow[], chapterCount: number, now: number, startOfToday: number): ClassSummary {
  let activeToday = 0;
  let activeThisWeek = 0;
  let completed = 0;
  let stuckReaders = 0;
  const scores: number[] = [];
  for (const row of rows) {
    const last = row.reader.lastActiveAt === null ? Number.NaN : Date.parse(row.reader.lastActiveAt);
    if (last >= startOfToday) activeToday += 1;
    if (last >= now - 7 * DAY_MS) activeThisWeek += 1;
    let stuck = false;
    for (const cell of row.cells) {
      if (cell.status === 'completed') {
        completed += 1;
        if (cell.score !== null) scores.push(cell.score);
      } else if (cell.status === 'stuck') stuck = true;
    }
    if (stuck) stuckReaders += 1;
  }
  const slots = rows.length * chapterCount;
  return {
    readers: rows.length,
    activeToday,
    activeThisWeek,
    percentCompleted: slots === 0 ? null : Math.round((completed / slots) * 1000) / 10,
    medianScore: median(scores),
    stuckReaders,
  };
}
