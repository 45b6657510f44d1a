import type { GridResponseDto } from '../api/types.js';

export type GridRow = GridResponseDto['readers'][number];
export type GridCell = GridRow['cells'][number];

/** Which readers the grid shows. */
export type GridStatusFilter = 'all' | 'stuck' | 'in-progress' | 'not-started' | 'finished';
export const GRID_STATUS_FILTERS: readonly { readonly id: GridStatusFilter; readonly label: string }[] = [
  { id: 'all', label: 'Everyone' },
  { id: 'stuck', label: 'Stuck on a chapter' },
  { id: 'in-progress', label: 'Working through' },
  { id: 'not-started', label: 'Not started' },
  { id: 'finished', label: 'Finished every chapter' },
];

/** What the grid sorts by: the reader's name, last activity, counts, or one chapter's state (`chapter:<id>`). */
export type GridSortKey = 'name' | 'last-active' | 'completed' | 'stuck' | `chapter:${string}`;

export function parseGridSort(value: string | null, chapters: readonly string[]): GridSortKey {
  if (value === 'last-active' || value === 'completed' || value === 'stuck') return value;
  if (value !== null && value.startsWith('chapter:') && chapters.includes(value.slice('chapter:'.length))) return value as GridSortKey;
  return 'name';
}

export function parseGridFilter(value: string | null): GridStatusFilter {
  return GRID_STATUS_FILTERS.some((f) => f.id === value) ? (value as GridStatusFilter) : 'all';
}

export const readerLabel = (row: GridRow): string => (row.reader.name !== '' ? row.reader.name : row.reader.email);

const countOf = (row: GridRow, status: GridCell['status']) => row.cells.filter((c) => c.status === status).length;

/** A cell's place in a chapter's order: not yet, started, stuck, then completed by score. */
export function cellRank(cell: GridCell | undefined): number {
  if (cell === undefined || cell.status === null) return 0;
  if (cell.status === 'started') return 1;
  if (cell.status === 'stuck') return 2;
  return 3 + (cell.score ?? 0) / 1000;
}

function matchesStatus(row: GridRow, filter: GridStatusFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'stuck':
      return countOf(row, 'stuck') > 0;
    case 'not-started':
      return row.cells.every((c) => c.status === null);
    case 'finished':
      return row.cells.length > 0 && row.cells.every((c) => c.status === 'completed');
    case 'in-progress':
      return row.cells.some((c) => c.status !== null) && !row.cells.every((c) => c.status === 'completed');
  }
}

/**
 * The rows the grid shows: those matching the search (name or email, any case) and the status
 * filter, in the chosen order; ties by name, then id, so the order is stable.
 */
export function visibleGridRows(
  rows: readonly GridRow[],
  chapters: readonly string[],
  options: { readonly search: string; readonly filter: GridStatusFilter; readonly sort: GridSortKey; readonly descending: boolean },
): GridRow[] {
  const needle = options.search.trim().toLowerCase();
  const shown = rows.filter(
    (row) =>
      matchesStatus(row, options.filter) &&
      (needle === '' || row.reader.name.toLowerCase().includes(needle) || row.reader.email.toLowerCase().includes(needle)),
  );
  const chapterIndex = options.sort.startsWith('chapter:') ? chapters.indexOf(options.sort.slice('chapter:'.length)) : -1;
  const key = (row: GridRow): number | string => {
    if (chapterIndex >= 0) return cellRank(row.cells[chapterIndex]);
    switch (options.sort) {
      case 'last-active':
        return row.reader.lastActiveAt === null ? 0 : Date.parse(row.reader.lastActiveAt);
      case 'completed':
        return countOf(row, 'completed');
      case 'stuck':
        return countOf(row, 'stuck');
      default:
        return readerLabel(row).toLowerCase();
    }
  };
  const direction = options.descending ? -1 : 1;
  return shown
    .map((row) => ({ row, key: key(row) }))
    .sort((a, b) => {
      const order = typeof a.key === 'string' ? a.key.localeCompare(b.key as string) : a.key - (b.key as number);
      if (order !== 0) return order * direction;
      return readerLabel(a.row).localeCompare(readerLabel(b.row)) || a.row.reader.id - b.row.reader.id;
    })
    .map((entry) => entry.row);
}
