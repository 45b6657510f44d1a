import { describe, expect, it } from 'vitest';
import { parseGridSort, visibleGridRows, type GridRow } from './grid-rows.js';

const row = (id: number, name: string, email: string, cells: GridRow['cells'], lastActiveAt: string | null = null): GridRow => ({
  reader: { id, name, email, role: 'reader', createdAt: '2026-01-01T00:00:00.000Z', lastActiveAt },
  cells,
});
const none = { status: null, score: null, updatedAt: null } as const;
const done = (score: number) => ({ status: 'completed', score, updatedAt: '2026-03-01T10:00:00.000Z' }) as const;
const stuck = { status: 'stuck', score: null, updatedAt: null } as const;
const started = { status: 'started', score: null, updatedAt: null } as const;

const ROWS = [
  row(1, 'Ada Moreau', 'ada1@example.test', [done(90), stuck], '2026-03-01T10:00:00.000Z'),
  row(2, 'Ada Moreau', 'ada2@example.test', [done(40), done(70)], '2026-03-02T10:00:00.000Z'),
  row(3, 'Hiro Novak', 'hiro@example.test', [none, none]),
  row(4, '', 'noname@example.test', [started, none], '2026-02-01T10:00:00.000Z'),
];
const CHAPTERS = ['c1', 'c2'];
const ids = (rows: GridRow[]) => rows.map((r) => r.reader.id);
const base = { search: '', filter: 'all', sort: 'name', descending: false } as const;

describe('the grid rows a coach sees', () => {
  it('sorts by name (email when there is none), ties by id', () => {
    expect(ids(visibleGridRows(ROWS, CHAPTERS, base))).toEqual([1, 2, 3, 4]);
    expect(ids(visibleGridRows(ROWS, CHAPTERS, { ...base, descending: true }))).toEqual([4, 3, 1, 2]);
  });

  it('sorts by one chapter: not yet, started, stuck, then completed by score', () => {
    expect(ids(visibleGridRows(ROWS, CHAPTERS, { ...base, sort: 'chapter:c2' }))).toEqual([3, 4, 1, 2]);
    expect(ids(visibleGridRows(ROWS, CHAPTERS, { ...base, sort: 'chapter:c1', descending: true }))).toEqual([1, 2, 4, 3]);
  });

  it('sorts by last activity, never active first', () => {
    expect(ids(visibleGridRows(ROWS, CHAPTERS, { ...base, sort: 'last-active' }))).toEqual([3, 4, 1, 2]);
  });

  it('searches name and email and filters by status', () => {
    expect(ids(visibleGridRows(ROWS, CHAPTERS, { ...base, search: 'ADA2' }))).toEqual([2]);
    expect(ids(visibleGridRows(ROWS, CHAPTERS, { ...base, filter: 'stuck' }))).toEqual([1]);
    expect(ids(visibleGridRows(ROWS, CHAPTERS, { ...base, filter: 'finished' }))).toEqual([2]);
    expect(ids(visibleGridRows(ROWS, CHAPTERS, { ...base, filter: 'not-started' }))).toEqual([3]);
    expect(ids(visibleGridRows(ROWS, CHAPTERS, { ...base, filter: 'in-progress' }))).toEqual([1, 4]);
  });

  it('reads a sort from the address only when it names a known key or chapter', () => {
    expect(parseGridSort('chapter:c2', CHAPTERS)).toBe('chapter:c2');
    expect(parseGridSort('chapter:zz', CHAPTERS)).toBe('name');
    expect(parseGridSort('stuck', CHAPTERS)).toBe('stuck');
    expect(parseGridSort('bogus', CHAPTERS)).toBe('name');
  });
});
