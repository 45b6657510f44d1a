import { describe, expect, it } from 'vitest';
import { median, summarizeClass } from './class-summary.js';
import type { GridRow } from './grid-rows.js';

const NOW = Date.parse('2026-03-10T15:00:00.000Z');
const MIDNIGHT = Date.parse('2026-03-10T00:00:00.000Z');
const row = (id: number, lastActiveAt: string | null, cells: GridRow['cells']): GridRow => ({
  reader: { id, name: `R${id}`, email: `r${id}@example.test`, role: 'reader', createdAt: '2026-01-01T00:00:00.000Z', lastActiveAt },
  cells,
});
const cell = (status: 'completed' | 'stuck' | 'started' | null, score: number | null = null) => ({ status, score, updatedAt: null });

describe('the class summary on the dashboard', () => {
  it('counts readers, activity windows, completion, the median score and stuck readers', () => {
    const summary = summarizeClass(
      [
        row(1, '2026-03-10T09:00:00.000Z', [cell('completed', 80), cell('stuck')]),
        row(2, '2026-03-05T09:00:00.000Z', [cell('completed', 40), cell('completed', 60)]),
        row(3, '2026-02-01T09:00:00.000Z', [cell(null), cell('started')]),
        row(4, null, [cell(null), cell(null)]),
      ],
      2,
      NOW,
      MIDNIGHT,
    );
    expect(summary).toEqual({ readers: 4, activeToday: 1, activeThisWeek: 2, percentCompleted: 37.5, medianScore: 60, stuckReaders: 1 });
  });

  it('has nothing to say about an empty class', () => {
    expect(summarizeClass([], 3, NOW, MIDNIGHT)).toMatchObject({ readers: 0, percentCompleted: null, medianScore: null });
    expect(median([1, 2, 3, 4])).toBe(2.5);
  });
});
