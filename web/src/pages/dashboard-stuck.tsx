import { useInfiniteQuery } from '@tanstack/react-query';
import { fetchStuckReaders } from '../api/client.js';
import { currentCohort } from '../cohorts/cohort-choice.js';
import { queryKeys } from '../api/query-keys.js';
import { LoadMoreButton, useFocusFirstNewItem } from '../components/load-more.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { formatDateTime, formatTimeAgo } from '../time/relative-time.js';
import { useNow } from '../time/use-now.js';
import { mergePages, nextCursorOf } from '../pagination/merge-pages.js';
import { useChapters } from '../progress/use-chapter-titles.js';
import { Link } from '../router/link.js';
import { useIsLive } from '../live/live-stream-context.js';
import { DASHBOARD_POLL_INTERVAL_MS } from './dashboard-online-now.js';

const STUCK_PAGE_SIZE = 20;
/** With the live stream, milestone events refresh the list; this is only a safety net. */
const STUCK_LIVE_RECONCILE_MS = 60_000;

/** "Stuck": readers with a chapter marked stuck, the longest-waiting first; live, or polled. */
export function StuckPanel() {
  const isLive = useIsLive();
  const now = useNow(DASHBOARD_POLL_INTERVAL_MS);
  const { titleOf } = useChapters();
  const stuckQuery = useInfiniteQuery({
    queryKey: queryKeys.stuckReaders,
    queryFn: ({ pageParam }) => fetchStuckReaders({ limit: STUCK_PAGE_SIZE, cursor: pageParam }, currentCohort()),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: nextCursorOf,
    refetchInterval: isLive ? STUCK_LIVE_RECONCILE_MS : DASHBOARD_POLL_INTERVAL_MS,
    staleTime: 0,
  });
  const entries = mergePages(stuckQuery.data?.pages, (page) => page.stuck, (entry) => `${entry.reader.id}:${entry.chapterId}`);
  const { listRef, rememberCount } = useFocusFirstNewItem<HTMLUListElement>(entries.length);
  return (
    <section className="panel card" aria-labelledby="stuck-heading">
      <div className="panel-header">
        <h2 id="stuck-heading">Stuck</h2>
        {stuckQuery.data !== undefined && (
          <span className="count">
            {entries.length}
            {stuckQuery.hasNextPage ? '+' : ''}
          </span>
        )}
      </div>
      <p className="panel-note">Chapters marked stuck, waiting longest first.</p>
      {stuckQuery.isError && (
        <ErrorMessage error={stuckQuery.error} prefix={stuckQuery.data === undefined ? 'Could not load stuck readers.' : 'Updates paused.'} />
      )}
      {stuckQuery.isPending ? (
        <LoadingMessage>Loading stuck readers…</LoadingMessage>
      ) : stuckQuery.data === undefined ? null : entries.length === 0 ? (
        <EmptyMessage>No one is stuck</EmptyMessage>
      ) : (
        <>
          <ul className="people-list" ref={listRef}>
            {entries.map((entry) => (
              <li key={`${entry.reader.id}:${entry.chapterId}`} className="person" tabIndex={-1}>
                <span className="stuck-mark" aria-hidden="true" />
                <span className="person-text">
                  <Link to={`/readers/${entry.reader.id}`} className="person-name">
                    {entry.reader.name !== '' ? entry.reader.name : entry.reader.email}
                  </Link>
                  <span className="person-detail">
                    {entry.reader.name !== '' && <span className="person-email">{entry.reader.email} · </span>}
                    stuck on <strong>{titleOf(entry.chapterId) ?? entry.chapterId}</strong>, marked{' '}
                    <time dateTime={entry.since} title={formatDateTime(entry.since)}>
                      {formatTimeAgo(entry.since, now)}
                    </time>
                  </span>
                </span>
              </li>
            ))}
          </ul>
          <LoadMoreButton
            label="Show more"
            hasMore={stuckQuery.hasNextPage}
            isLoading={stuckQuery.isFetchingNextPage}
            onLoadMore={() => {
              rememberCount();
              void stuckQuery.fetchNextPage();
            }}
          />
        </>
      )}
    </section>
  );
}
