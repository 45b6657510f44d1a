import type { MilestoneDto } from '../api/types.js';

const DAY_MS = 86_400_000;
/** Days of activity the reader's trend shows. */
export const TREND_DAYS = 28;
/** Weeks of completed chapters the reader's trend shows. */
export const TREND_WEEKS = 8;

function utcDayStart(ms: number): number {
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}

/** The activity query's range: the last TREND_DAYS UTC days, today included (`to` is exclusive). */
export function trendRange(now: number): { from: string; to: string } {
  const tomorrow = utcDayStart(now) + DAY_MS;
  return { from: new Date(tomorrow - TREND_DAYS * DAY_MS).toISOString(), to: new Date(tomorrow).toISOString() };
}

/** The Monday (UTC) that starts the week holding `ms`. */
function utcWeekStart(ms: number): number {
  const day = utcDayStart(ms);
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return day - weekday * DAY_MS;
}

/**
 * Chapters completed per UTC week (Monday to Sunday), the last `weeks` weeks up to this one,
 * oldest first. A completed milestone counts in the week it was last saved (its `updatedAt`).
 */
export function completedPerWeek(milestones: readonly MilestoneDto[], now: number, weeks = TREND_WEEKS): { weekStart: string; completed: number }[] {
  const thisWeek = utcWeekStart(now);
  const first = thisWeek - (weeks - 1) * 7 * DAY_MS;
  const counts = Array.from({ length: weeks }, (_, i) => ({ weekStart: new Date(first + i * 7 * DAY_MS).toISOString().slice(0, 10), completed: 0 }));
  for (const m of milestones) {
    if (m.status !== 'completed') continue;
    const at = Date.parse(m.updatedAt);
    if (Number.isNaN(at) || at < first || at >= thisWeek + 7 * DAY_MS) continue;
    counts[Math.floor((utcWeekStart(at) - first) / (7 * DAY_MS))]!.completed += 1;
  }
  return counts;
}
