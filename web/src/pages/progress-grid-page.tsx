import { useVirtualizer } from '@tanstack/react-virtual';
import { useId, useMemo, useRef } from 'react';
import { useCohortChoice } from '../cohorts/cohort-choice.js';
import { Page } from '../components/page.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { GRID_STATUS_FILTERS, parseGridFilter, parseGridSort, readerLabel, visibleGridRows, type GridCell, type GridSortKey } from '../grid/grid-rows.js';
import { useWholeGrid } from '../grid/use-whole-grid.js';
import { useChapters } from '../progress/use-chapter-titles.js';
import { Link } from '../router/link.js';
import { useSearchParams } from '../router/search-params.js';
import { formatDateTime } from '../time/relative-time.js';
import { ExportButtons } from './program-overview-page.js';

const ROW_HEIGHT = 52;

/** Colour and words together: the text says the state, the colour only repeats it. */
export function cellText(cell: GridCell): string {
  if (cell.status === null) return 'Not yet';
  if (cell.status === 'completed') return cell.score === null ? 'Done' : `Done ${cell.score}`;
  return cell.status === 'stuck' ? 'Stuck' : 'Started';
}

/**
 * Readers x chapters as one table (header and cells share their columns by construction), the
 * header and the reader column sticky, rows virtualized so 10,000 readers scroll smoothly; search,
 * a status filter and a sort by name, last activity, counts or any chapter, all kept in the address.
 */
export function ProgressGridPage() {
  const ids = useId();
  const [params, setParams] = useSearchParams();
  const cohort = useCohortChoice();
  const { titleOf } = useChapters();
  const { grid, chapters, rows, complete } = useWholeGrid(cohort);
  const search = params.get('q') ?? '';
  const filter = parseGridFilter(params.get('status'));
  const sort = parseGridSort(params.get('sort'), chapters);
  const descending = params.get('order') === 'desc';
  const shown = useMemo(() => visibleGridRows(rows, chapters, { search, filter, sort, descending }), [rows, chapters, search, filter, sort, descending]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length === 0 ? 0 : virtualizer.getTotalSize() - items[items.length - 1]!.end;

  const sortBy = (key: GridSortKey) => setParams({ sort: key === 'name' ? null : key, order: sort === key && !descending ? 'desc' : null });
  const ariaSort = (key: GridSortKey) => (sort === key ? (descending ? 'descending' : 'ascending') : undefined);
  const arrow = (key: GridSortKey) => (sort === key ? (descending ? ' ▼' : ' ▲') : '');
  const sortLabel = (key: GridSortKey, what: string) => `Sort by ${what}${sort === key ? (descending ? ', now descending' : ', now ascending') : ''}`;

  return (
    <Page title="Progress grid" intro="Every reader against every chapter." aside={<Link to="/program/overview">Program overview</Link>}>
      <ExportButtons cohort={cohort} />
      <form className="grid-toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={`${ids}-search`}>Find a reader</label>
          <input id={`${ids}-search`} type="search" placeholder="Name or email" value={search} onChange={(e) => setParams({ q: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-status`}>Show</label>
          <select id={`${ids}-status`} value={filter} onChange={(e) => setParams({ status: e.target.value === 'all' ? null : e.target.value })}>
            {GRID_STATUS_FILTERS.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-sort`}>Sort by</label>
          <select id={`${ids}-sort`} value={sort} onChange={(e) => setParams({ sort: e.target.value === 'name' ? null : e.target.value, order: null })}>
            <option value="name">Name</option>
            <option value="last-active">Last active</option>
            <option value="completed">Chapters done</option>
            <option value="stuck">Chapters stuck</option>
            {chapters.map((id) => (
              <option key={id} value={`chapter:${id}`}>
                Chapter: {titleOf(id) ?? id}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-order`}>Order</label>
          <select id={`${ids}-order`} value={descending ? 'desc' : 'asc'} onChange={(e) => setParams({ order: e.target.value === 'desc' ? 'desc' : null })}>
            <option value="asc">Ascending</option>
            <option value="desc">Descending</option>
          </select>
        </div>
      </form>
      <p role="status" className="muted grid-count" data-testid="grid-count">
        {grid.data === undefined
          ? ''
          : complete
            ? shown.length === rows.length
              ? `${rows.length} ${rows.length === 1 ? 'reader' : 'readers'}`
              : `${shown.length} of ${rows.length} readers`
            : `${rows.length} readers so far, loading more…`}
      </p>
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
      ) : chapters.length === 0 ? (
        <EmptyMessage>The program has no chapters yet: add them on the Program page, then readers' progress shows here.</EmptyMessage>
      ) : rows.length === 0 ? (
        <EmptyMessage>No readers here yet: create an invite on the Cohorts page and share its link.</EmptyMessage>
      ) : (
        // The scroller is a focusable region so keyboard users can scroll it; the table inside is an ordinary table.
        <div ref={scroller} className="progress-grid grid-scroller" data-testid="grid-scroller" tabIndex={0} role="region" aria-label="Readers by chapter, scrollable">
          <table className="grid-table" aria-rowcount={shown.length + 1} style={{ width: `calc(var(--grid-reader-width) + ${chapters.length} * var(--grid-chapter-width))` }}>
            <caption className="visually-hidden">Readers by chapter</caption>
            <colgroup>
              <col className="grid-col-reader" />
              {chapters.map((id) => (
                <col key={id} className="grid-col-chapter" />
              ))}
            </colgroup>
            <thead>
              <tr aria-rowindex={1}>
                <th scope="col" className="grid-reader" aria-sort={ariaSort('name')}>
                  <button type="button" className="grid-sort" onClick={() => sortBy('name')}>
                    Reader<span aria-hidden="true">{arrow('name')}</span>
                    <span className="visually-hidden">, sort by name</span>
                  </button>
                </th>
                {chapters.map((id) => {
                  const key: GridSortKey = `chapter:${id}`;
                  const title = titleOf(id) ?? id;
                  return (
                    <th scope="col" key={id} className="grid-chapter" aria-sort={ariaSort(key)} data-chapter-id={id}>
                      <Link to={`/program/chapters/${encodeURIComponent(id)}`} className="grid-chapter-link" title={title}>
                        {title}
                      </Link>
                      <button type="button" className="grid-sort grid-sort-small" aria-label={sortLabel(key, title)} onClick={() => sortBy(key)}>
                        Sort{arrow(key)}
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {padTop > 0 && (
                <tr aria-hidden="true" className="grid-pad">
                  <td colSpan={chapters.length + 1} style={{ height: padTop }} />
                </tr>
              )}
              {items.map((item) => {
                const row = shown[item.index]!;
                return (
                  <tr key={row.reader.id} aria-rowindex={item.index + 2} style={{ height: ROW_HEIGHT }} data-reader-id={row.reader.id}>
                    <th scope="row" className="grid-reader">
                      <Link to={`/readers/${row.reader.id}`} className="grid-reader-name">
                        {readerLabel(row)}
                      </Link>
                      {row.reader.name !== '' && (
                        <span className="grid-reader-email" title={row.reader.lastActiveAt === null ? 'Never active' : `Last active ${formatDateTime(row.reader.lastActiveAt)}`}>
                          {row.reader.email}
                        </span>
                      )}
                    </th>
                    {row.cells.map((cell, i) => (
                      <td key={chapters[i]} data-chapter-id={chapters[i]}>
                        <span className={`grid-cell grid-${cell.status ?? 'none'}`}>{cellText(cell)}</span>
                      </td>
                    ))}
                  </tr>
                );
              })}
              {padBottom > 0 && (
                <tr aria-hidden="true" className="grid-pad">
                  <td colSpan={chapters.length + 1} style={{ height: padBottom }} />
                </tr>
              )}
            </tbody>
          </table>
          {shown.length === 0 && <EmptyMessage>No reader matches that search and filter.</EmptyMessage>}
        </div>
      )}
    </Page>
  );
}
