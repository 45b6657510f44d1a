import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { fetchReaders, type ReaderSort, type ReaderStatus } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { ReaderSummaryDto } from '../api/types.js';
import { LoadMoreButton, useFocusFirstNewItem } from '../components/load-more.js';
import { Page } from '../components/page.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { formatDateTime, formatTimeAgo } from '../time/relative-time.js';
import { useDebouncedValue } from '../time/use-debounced-value.js';
import { useNow } from '../time/use-now.js';
import { mergePages, nextCursorOf } from '../pagination/merge-pages.js';
import { useLocation } from '../router/history.js';
import { useSearchParams } from '../router/search-params.js';
import { Link } from '../router/link.js';
import { AddShownToCohort } from '../cohorts/add-shown-to-cohort.js';
import { useCohortChoice } from '../cohorts/cohort-choice.js';
import { useCohorts } from '../cohorts/cohort-picker.js';

const READERS_PAGE_SIZE = 25;
const SEARCH_DELAY_MS = 300;

const SORTS: readonly { id: ReaderSort; label: string }[] = [
  { id: 'id', label: 'Joined' },
  { id: 'name', label: 'Name' },
  { id: 'last-active', label: 'Last active' },
  { id: 'completed', label: 'Chapters completed' },
];
const STATUSES: readonly { id: ReaderStatus; label: string }[] = [
  { id: 'stuck', label: 'Stuck on a chapter' },
  { id: 'not-started', label: 'Not started' },
  { id: 'completed-all', label: 'Completed everything' },
];

function ReaderRow({
  reader,
  now,
  selected,
  onSelect,
}: {
  readonly reader: ReaderSummaryDto;
  readonly now: number;
  readonly selected: boolean;
  readonly onSelect: (on: boolean) => void;
}) {
  const { started, completed, stuck } = reader.counts;
  return (
    <li className="reader-row card" tabIndex={-1} data-reader-id={reader.id}>
      <div className="reader-row-main">
        <input
          type="checkbox"
          id={`select-reader-${reader.id}`}
          checked={selected}
          onChange={(e) => onSelect(e.target.checked)}
          aria-label={`Select ${reader.name !== '' ? reader.name : reader.email} (${reader.email})`}
        />
        <Link to={`/readers/${reader.id}`} className="person-name">
          {reader.name !== '' ? reader.name : reader.email}
        </Link>
        {reader.name !== '' && <span className="muted reader-email">{reader.email}</span>}
      </div>
      <p className="reader-counts">
        <span>{completed} completed</span>
        <span>{started} in progress</span>
        <span className={stuck > 0 ? 'stuck-count' : undefined}>{stuck} stuck</span>
      </p>
      <p className="muted reader-seen">
        Last active{' '}
        {reader.lastActiveAt === null ? (
          'never'
        ) : (
          <time dateTime={reader.lastActiveAt} title={formatDateTime(reader.lastActiveAt)}>
            {formatTimeAgo(reader.lastActiveAt, now)}
          </time>
        )}
      </p>
    </li>
  );
}

/** "25 of 61 readers in Alpha matching “ann”": the total is the API's (its first page says it). */
export function readersStatus(shown: number, total: number | undefined, cohortName: string | undefined, search: string, statusLabel?: string): string {
  const count = total ?? shown;
  const noun = count === 1 ? 'reader' : 'readers';
  const of = shown < count ? `${shown} of ${count}` : `${count}`;
  return `${of} ${noun}${cohortName === undefined ? '' : ` in ${cohortName}`}${search === '' ? '' : ` matching “${search}”`}${statusLabel === undefined ? '' : ` · ${statusLabel.toLowerCase()}`}`;
}

/** Every reader, searchable by name or email, a page at a time. */
export function ReadersPage() {
  const { search: queryString } = useLocation();
  const searchInUrl = new URLSearchParams(queryString).get('search') ?? '';
  const [, setParams] = useSearchParams();
  const [searchText, setSearchText] = useState(searchInUrl);
  const debouncedSearch = useDebouncedValue(searchText.trim(), SEARCH_DELAY_MS);
  const now = useNow(30_000);
  const cohort = useCohortChoice();
  const cohortEntry = useCohorts().data?.find((c) => c.id === cohort);
  const params = new URLSearchParams(queryString);
  const sort = SORTS.find((s) => s.id === params.get('sort'))?.id ?? 'id';
  const status = STATUSES.find((s) => s.id === params.get('status'))?.id ?? null;
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());

  // The search lives in the address too, so that going back from a reader restores the list;
  // the ref tells our own address updates apart from back, forward and the nav link.
  const searchInAddress = useRef(searchInUrl);
  useEffect(() => {
    if (searchInUrl === searchInAddress.current) return;
    searchInAddress.current = searchInUrl;
    setSearchText(searchInUrl);
  }, [searchInUrl]);
  useEffect(() => {
    if (debouncedSearch === searchInAddress.current) return;
    searchInAddress.current = debouncedSearch;
    setParams({ search: debouncedSearch });
  }, [debouncedSearch]);

  const readersQuery = useInfiniteQuery({
    queryKey: queryKeys.readers(debouncedSearch, cohort, sort, status),
    queryFn: ({ pageParam }) => fetchReaders(debouncedSearch, { limit: READERS_PAGE_SIZE, cursor: pageParam }, cohort, { sort, status }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: nextCursorOf,
    placeholderData: keepPreviousData,
  });
  const readers = mergePages(readersQuery.data?.pages, (page) => page.readers, (reader) => reader.id);
  const { listRef, rememberCount } = useFocusFirstNewItem<HTMLOListElement>(readers.length);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => event.preventDefault();
  const shownSelected = readers.filter((r) => selected.has(r.id)).map((r) => r.id);
  const isSearching = debouncedSearch !== '';
  return (
    <Page title="Readers" intro="Everyone who reads with ReadPulse.">
      <form role="search" className="search-form" onSubmit={onSubmit}>
        <label htmlFor="reader-search">Search readers</label>
        <input
          id="reader-search"
          type="search"
          autoComplete="off"
          placeholder="Name or email"
          value={searchText}
          onChange={(e) => setSearchText(e.target.value)}
        />
      </form>
      <form className="filter-row" onSubmit={onSubmit}>
        <div className="field">
          <label htmlFor="reader-sort">Sort by</label>
          <select id="reader-sort" value={sort} onChange={(e) => setParams({ sort: e.target.value === 'id' ? null : e.target.value })}>
            {SORTS.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="reader-status">Status</label>
          <select id="reader-status" value={status ?? ''} onChange={(e) => setParams({ status: e.target.value === '' ? null : e.target.value })}>
            <option value="">Every reader</option>
            {STATUSES.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      <div role="status" className="search-status">
        {readersQuery.isFetching && !readersQuery.isFetchingNextPage
          ? 'Searching…'
          : readersQuery.data !== undefined
            ? readersStatus(readers.length, readersQuery.data.pages[0]?.total, cohortEntry?.name, isSearching ? debouncedSearch : '', STATUSES.find((s) => s.id === status)?.label)
            : ''}
      </div>
      {readersQuery.isPending ? (
        <LoadingMessage>Loading readers…</LoadingMessage>
      ) : readersQuery.data === undefined ? (
        <ErrorMessage error={readersQuery.error} onRetry={() => void readersQuery.refetch()} />
      ) : readers.length === 0 ? (
        <EmptyMessage>{isSearching || status !== null ? 'No readers match that search and status.' : 'No readers yet.'}</EmptyMessage>
      ) : (
        <>
          <AddShownToCohort
            readerIds={shownSelected.length > 0 ? shownSelected : readers.map((r) => r.id)}
            selected={shownSelected.length > 0}
          />
          <ol className="reader-list" ref={listRef}>
            {readers.map((reader) => (
              <ReaderRow
                key={reader.id}
                reader={reader}
                now={now}
                selected={selected.has(reader.id)}
                onSelect={(on) =>
                  setSelected((current) => {
                    const next = new Set(current);
                    if (on) next.add(reader.id);
                    else next.delete(reader.id);
                    return next;
                  })
                }
              />
            ))}
          </ol>
          {readersQuery.isFetchNextPageError && <ErrorMessage error={readersQuery.error} prefix="Could not load more readers." />}
          <LoadMoreButton
            label="Load more readers"
            hasMore={readersQuery.hasNextPage}
            isLoading={readersQuery.isFetchingNextPage}
            onLoadMore={() => {
              rememberCount();
              void readersQuery.fetchNextPage();
            }}
          />
        </>
      )}
    </Page>
  );
}
