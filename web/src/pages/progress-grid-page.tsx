import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import { fetchGridPage } from '../api/insight-client.js';
import { queryKeys } from '../api/query-keys.js';
import type { GridResponseDto } from '../api/types.js';
import { Page } from '../components/page.js';
import { ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { nextCursorOf } from '../pagination/merge-pages.js';
import { useChapters } from '../progress/use-chapter-titles.js';
import { Link } from '../router/link.js';
import { useSearchParams } from '../router/search-params.js';
import { ExportButtons } from './program-overview-page.js';

type Row = GridResponseDto['readers'][number];
type Cell = Row['cells'][number];
type SortKey = 'name' | 'completed' | 'stuck';

const ROW_HEIGHT = 40;

/** Colour and words together: the text says the state, the colour only repeats it. */
export function cellText(cell: Cell): string {
  if (cell.status === null) return 'Not yet';
  if (cell.status === 'completed') return cell.score === null ? 'Done' : `Done ${cell.score}`;
  return cell.status === 'stuck' ? 'Stuck' : 'Started';
}

const count = (row: Row, status: Cell['status']) => row.cells.filter((c) => c.status === status).length;
const nameOf = (row: Row) => (row.reader.name !== '' ? row.reader.name : row.reader.email);

function sortRows(rows: readonly Row[], key: SortKey, descending: boolean): Row[] {
  const sorted = [...rows].sort((a, b) => {
    const order = key === 'name' ? nameOf(a).localeCompare(nameOf(b)) : count(a, key === 'completed' ? 'completed' : 'stuck') - count(b, key === 'completed' ? 'completed' : 'stuck');
    return order !== 0 ? order : a.reader.id - b.reader.id;
  });
  return descending ? sorted.reverse() : sorted;
}

/** Readers x chapters, every reader, virtualized so 10,000 rows scroll smoothly; sortable. */
export function ProgressGridPage() {
  const [params, setParams] = useSearchParams();
  const cohort = params.get('cohort') ?? undefined;
  const sort: SortKey = params.get('sort') === 'completed' || params.get('sort') === 'stuck' ? (params.get('sort') as SortKey) : 'name';
  const descending = params.get('order') === 'desc';
  const { titleOf } = useChapters();
  const grid = useInfiniteQuery({
    queryKey: queryKeys.progressGrid(cohort ?? ''),
    queryFn: ({ pageParam }) => fetchGridPage({ cohort }, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: nextCursorOf,
  });
  // Every page is loaded in turn (200 readers each) so that sorting covers everyone.
  useEffect(() => {
    if (grid.hasNextPage && !grid.isFetchingNextPage && !grid.isFetchNextPageError) void grid.fetchNextPage();
  }, [grid.hasNextPage, grid.isFetchingNextPage, grid.isFetchNextPageError, grid]);
  const chapters = grid.data?.pages[0]?.chapters ?? [];
  const rows = useMemo(() => sortRows(grid.data?.pages.flatMap((p) => p.readers) ?? [], sort, descending), [grid.data, sort, descending]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const columns = `minmax(12rem, 1.5fr) repeat(${chapters.length}, minmax(6.5rem, 1fr))`;

  const sortButton = (key: SortKey, label: string) => {
    const active = sort === key;
    return (
      <button
        type="button"
        className="grid-sort"
        onClick={() => setParams({ sort: key === 'name' ? null : key, order: active && !descending ? 'desc' : null })}
      >
        {label}
        <span aria-hidden="true">{active ? (descending ? ' ▼' : ' ▲') : ''}</span>
      </button>
    );
  };
  const ariaSort = (key: SortKey) => (sort === key ? (descending ? 'descending' : 'ascending') : undefined);

  return (
    <Page title="Progress grid" intro="Every reader against every chapter." aside={<Link to="/program/overview">Program overview</Link>}>
      <ExportButtons cohort={cohort} />
      <div className="grid-toolbar">
        <span>Sort by:</span>
        {sortButton('completed', 'Chapters done')}
        {sortButton('stuck', 'Chapters stuck')}
        <p role="status" className="muted">
          {grid.data === undefined ? '' : `${rows.length}${grid.hasNextPage ? '+' : ''} readers${grid.hasNextPage ? ', loading more…' : ''}`}
        </p>
      </div>
      <ul className="chart-legend" aria-label="Cell states">
        <li><span className="grid-cell grid-completed">Done 80</span> completed, with its score</li>
        <li><span className="grid-cell grid-started">Started</span></li>
        <li><span className="grid-cell grid-stuck">Stuck</span></li>
        <li><span className="grid-cell grid-none">Not yet</span> no record</li>
      </ul>
      {grid.isPending ? (
        <LoadingMessage>Loading the grid…</LoadingMessage>
      ) : grid.data === undefined ? (
        <ErrorMessage error={grid.error} onRetry={() => void grid.refetch()} />
      ) : (
        <div role="table" aria-label="Readers by chapter" aria-rowcount={rows.length + 1} aria-colcount={chapters.length + 1} className="progress-grid">
          <div role="rowgroup">
            <div role="row" aria-rowindex={1} className="grid-row grid-head" style={{ gridTemplateColumns: columns }}>
              <div role="columnheader" aria-sort={ariaSort('name')} className="grid-reader">
                {sortButton('name', 'Reader')}
              </div>
              {chapters.map((id) => (
                <div role="columnheader" key={id} className="grid-chapter" title={titleOf(id)}>
                  {titleOf(id)}
                </div>
              ))}
            </div>
          </div>
          <div ref={scroller} className="grid-scroller" data-testid="grid-scroller" tabIndex={0} aria-label="Grid rows, scrollable">
            <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((item) => {
                const row = rows[item.index]!;
                return (
                  <div
                    role="row"
                    key={row.reader.id}
                    aria-rowindex={item.index + 2}
                    className="grid-row"
                    style={{ gridTemplateColumns: columns, position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                  >
                    <div role="rowheader" className="grid-reader">
                      <Link to={`/readers/${row.reader.id}`}>{nameOf(row)}</Link>
                    </div>
                    {row.cells.map((cell, i) => (
                      <div role="cell" key={chapters[i]} className={`grid-cell grid-${cell.status ?? 'none'}`}>
                        {cellText(cell)}
                      </div>
                    ))}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </Page>
  );
}
