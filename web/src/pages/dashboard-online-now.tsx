import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { fetchLiveDashboard } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { formatDateTime, formatTimeAgo } from '../time/relative-time.js';
import { Link } from '../router/link.js';

export const DASHBOARD_POLL_INTERVAL_MS = 3_000;
const FIRST_SHOWN = 50;

/** "Online now": readers active within the server's window, polled every 3 s. */
export function OnlineNowPanel() {
  const [showAll, setShowAll] = useState(false);
  const liveQuery = useQuery({
    queryKey: queryKeys.liveDashboard,
    queryFn: fetchLiveDashboard,
    refetchInterval: DASHBOARD_POLL_INTERVAL_MS,
    staleTime: 0,
  });
  const live = liveQuery.data;
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
                      {formatTimeAgo(reader.lastActiveAt, live.generatedAt)}
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
      {live !== undefined && (
        <p className="panel-footnote">
          Updated <time dateTime={live.generatedAt}>{formatDateTime(live.generatedAt)}</time>; refreshes every {DASHBOARD_POLL_INTERVAL_MS / 1000} seconds.
        </p>
      )}
    </section>
  );
}
