import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { fetchLiveDashboard } from '../api/client.js';
import { currentCohort } from '../cohorts/cohort-choice.js';
import { queryKeys } from '../api/query-keys.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { formatDateTime, formatTimeAgo } from '../time/relative-time.js';
import { Link } from '../router/link.js';
import { useIsLive } from '../live/live-stream-context.js';
import { useNow } from '../time/use-now.js';

/** Without the live stream, the dashboard polls this often. */
export const DASHBOARD_POLL_INTERVAL_MS = 3_000;
/**
 * With the live stream, /live is still asked now and then: the dashboard's stream carries no
 * activity events, so readers' "last seen" times and order are reconciled from it.
 */
export const LIVE_RECONCILE_INTERVAL_MS = 10_000;
/** Readers per page of the online list. */
export const ONLINE_PAGE_SIZE = 50;

/**
 * The server's "now", ticking: its last generatedAt plus the time since on this clock, so that
 * "last seen" stays true between updates and a skewed client clock does not matter.
 */
function useServerNow(generatedAt: string | undefined): number {
  const now = useNow(5_000);
  const [skew, setSkew] = useState<number | null>(null);
  useEffect(() => {
    setSkew(generatedAt === undefined ? null : Date.parse(generatedAt) - Date.now());
  }, [generatedAt]);
  const generated = generatedAt === undefined ? Number.NaN : Date.parse(generatedAt);
  if (Number.isNaN(generated)) return now;
  return skew === null ? generated : Math.max(generated, now + skew);
}

/** "Online now": readers active within the server's window, from the live stream or polled every 3 s. */
export function OnlineNowPanel() {
  const [page, setPage] = useState(0);
  const isLive = useIsLive();
  const liveQuery = useQuery({
    queryKey: queryKeys.liveDashboard,
    queryFn: () => fetchLiveDashboard(currentCohort()),
    refetchInterval: isLive ? LIVE_RECONCILE_INTERVAL_MS : DASHBOARD_POLL_INTERVAL_MS,
    staleTime: 0,
  });
  const live = liveQuery.data;
  const serverNow = useServerNow(live?.generatedAt);
  const listed = live?.readers.length ?? 0;
  const pages = Math.max(1, Math.ceil(listed / ONLINE_PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const shown = live === undefined ? [] : live.readers.slice(current * ONLINE_PAGE_SIZE, (current + 1) * ONLINE_PAGE_SIZE);
  const onlineCount = live === undefined ? 0 : Math.max(live.onlineCount ?? listed, listed);
  return (
    <section className="panel card" aria-labelledby="online-heading">
      <div className="panel-header">
        <h2 id="online-heading">Online now</h2>
        {live !== undefined && <span className="count">{onlineCount}</span>}
      </div>
      {live !== undefined && (
        <p className="panel-note">Readers active in the last {live.windowSeconds === 60 ? 'minute' : `${live.windowSeconds} seconds`}.</p>
      )}
      {liveQuery.isError && <ErrorMessage error={liveQuery.error} prefix={live === undefined ? 'Could not load who is online.' : 'Updates paused.'} />}
      {liveQuery.isPending ? (
        <LoadingMessage>Loading who is online…</LoadingMessage>
      ) : live === undefined ? null : onlineCount === 0 ? (
        <EmptyMessage>No readers online</EmptyMessage>
      ) : (
        <>
          <ul className="people-list">
            {shown.map((reader) => (
              <li key={reader.id} className="person">
                <span className="presence-dot" aria-hidden="true" />
                <span className="person-text">
                  <Link to={`/readers/${reader.id}`} className="person-name">
                    {reader.name !== '' ? reader.name : reader.email}
                  </Link>
                  <span className="person-detail">
                    {reader.name !== '' && <span className="person-email">{reader.email} · </span>}
                    last seen{' '}
                    <time dateTime={reader.lastActiveAt ?? undefined} title={formatDateTime(reader.lastActiveAt)}>
                      {formatTimeAgo(reader.lastActiveAt, serverNow)}
                    </time>
                  </span>
                </span>
              </li>
            ))}
          </ul>
          {pages > 1 && (
            <nav className="pager" aria-label="Online readers pages">
              <button type="button" className="button button-secondary" disabled={current === 0} onClick={() => setPage(current - 1)}>
                Newer
              </button>
              <span className="pager-position">
                {current * ONLINE_PAGE_SIZE + 1}–{Math.min(listed, (current + 1) * ONLINE_PAGE_SIZE)} of {listed}
              </span>
              <button type="button" className="button button-secondary" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
                Older
              </button>
            </nav>
          )}
          {onlineCount > listed && (
            <p className="panel-note">
              The {listed} most recently active of {onlineCount} online are listed; <Link to="/readers">all readers</Link> are on the readers page.
            </p>
          )}
        </>
      )}
      {live !== undefined &&
        (isLive ? (
          <p className="panel-footnote">Changes appear as they happen.</p>
        ) : (
          <p className="panel-footnote">
            Updated <time dateTime={live.generatedAt}>{formatDateTime(live.generatedAt)}</time>; refreshes every {DASHBOARD_POLL_INTERVAL_MS / 1000} seconds.
          </p>
        ))}
    </section>
  );
}
