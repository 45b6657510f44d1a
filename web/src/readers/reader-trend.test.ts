import { describe, expect, it } from 'vitest';
import type { MilestoneDto } from '../api/types.js';
import { completedPerWeek, trendRange } from './reader-trend.js';

// A Wednesday afternoon (UTC).
const NOW = Date.parse('2026-12-02T15:30:00.000Z');
const m = (status: MilestoneDto['status'], updatedAt: string): MilestoneDto => ({ chapterId: `c-${updatedAt}`, status, score: null, updatedAt });

describe('a reader\'s trend', () => {
  it('asks for the last 28 UTC days, today whole', () => {
    expect(trendRange(NOW)).toEqual({ from: '2026-11-05T00:00:00.000Z', to: '2026-12-03T00:00:00.000Z' });
  });

  it('counts completed chapters per Monday-to-Sunday week, this week last, and nothing else', () => {
    const weeks = completedPerWeek(
      [
        m('completed', '2026-11-30T00:00:00.000Z'), // this week's Monday
        m('completed', '2026-12-02T10:00:00.000Z'),
        m('completed', '2026-11-29T23:59:59.999Z'), // last week's Sunday
        m('stuck', '2026-12-01T10:00:00.000Z'),
        m('started', '2026-12-01T10:00:00.000Z'),
        m('completed', '2026-10-11T12:00:00.000Z'), // before the 8 weeks
        m('completed', '2026-10-12T00:00:00.000Z'), // the first of the 8 weeks
      ],
      NOW,
    );
    expect(weeks.map((w) => w.weekStart)).toEqual(['2026-10-12', '2026-10-19', '2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']);
    expect(weeks.map((w) => w.completed)).toEqual([1, 0, 0, 0, 0, 0, 1, 2]);
  });

  it('a Sunday belongs to the week that began the Monday before', () => {
    const sunday = Date.parse('2026-12-06T22:00:00.000Z');
    expect(completedPerWeek([m('completed', '2026-12-06T01:00:00.000Z')], sunday, 2)).toEqual([
      { weekStart: '2026-11-23', completed: 0 },
      { weekStart: '2026-11-30', completed: 1 },
    ]);
  });
});
