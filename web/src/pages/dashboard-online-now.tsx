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
/** With the live stream, /live is still asked now and then, to reconcile quiet heartbeats. */
export const LIVE_RECONCILE_INTERVAL_MS = 30_000;
const FIRST_SHOWN = 50;

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
  const [showAll, setShowAll] = useState(false);
  const isLive = useIsLive();
  const liveQuery = useQuery({
    queryKey: queryKeys.liveDashboard,
    queryFn: () => fetchLiveDashboard(currentCohort()),
    refetchInterval: isLive ? LIVE_RECONCILE_INTERVAL_MS : DASHBOARD_POLL_INTERVAL_MS,
    staleTime: 0,
  });
  const live = liveQuery.data;
  const serverNow = useServerNow(live?.generatedAt);
  const shown = live === undefined ? [] : showAll ? live.readers : live.readers.slice(0, FIRST_SHOWN);
  return (
    <section className="panel card" aria-labelledby="online-heading">
      <div className="panel-header">
        <h2 id="online-heading">Online now</h2>
        {live !== undefined && <span className="count">{live.readers.length}</span>}
      </div>
      {live !== undefined && (
        <p className="panel-note">Readers active in the last {live.windowSeconds === 60 ? 'minute' : `${live.windowSeconds} seconds`}.</p>
      )}
      {liveQuery.isError && <ErrorMessage error={liveQuery.error} prefix={live === undefined ? 'Could not load who is online.' : 'Updates paused.'} />}
      {liveQuery.isPending ? (
        <LoadingMessage>Loading who is online…</LoadingMessage>
      ) : live === undefined ? null : live.readers.length === 0 ? (
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
                    last seen{' '}
                    <time dateTime={reader.lastActiveAt ?? undefined} title={formatDateTime(reader.lastActiveAt)}>
                      {formatTimeAgo(reader.lastActiveAt, serverNow)}
                    </time>
                  </span>
                </span>
              </li>
            ))}
          </ul>
          {!showAll && live.readers.length > FIRST_SHOWN && (
            <button type="button" className="button button-secondary" onClick={() => setShowAll(true)}>
              Show all {live.readers.length} online
            </button>
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
