import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { isApiError } from '../api/api-error.js';
import { fetchReaderActivity, fetchReaderProgress } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { UserDto } from '../api/types.js';
import { ActivityHistory } from '../components/activity-history.js';
import { Page } from '../components/page.js';
import { StatusBadge } from '../components/status-badge.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { formatDateTime, formatTimeAgo } from '../time/relative-time.js';
import { useNow } from '../time/use-now.js';
import { nextCursorOf } from '../pagination/merge-pages.js';
import { countProgress, mergeChapterProgress } from '../progress/chapter-progress.js';
import { useChapters } from '../progress/use-chapter-titles.js';
import { Link } from '../router/link.js';
import { useIsLive } from '../live/live-stream-context.js';
import { ReaderStatementsSection } from './reader-statements-section.js';
import { ReaderAttentionSection, ReaderCohortsSection, ReaderTrendSection } from '../readers/reader-overview-sections.js';

const PROGRESS_POLL_MS = 5_000;
const ACTIVITY_POLL_MS = 10_000;
/** With the live stream, its events update both; these slow refreshes are a safety net. */
const LIVE_RECONCILE_MS = 60_000;
const ACTIVITY_PAGE_SIZE = 25;
const ONLINE_WINDOW_MS = 60_000;

function displayName(reader: UserDto): string {
  return reader.name !== '' ? reader.name : reader.email;
}

function isOnline(reader: UserDto, now: number): boolean {
  return reader.lastActiveAt !== null && now - Date.parse(reader.lastActiveAt) < ONLINE_WINDOW_MS;
}

function ReaderProgressSection({ readerId, now }: { readonly readerId: number; readonly now: number }) {
  const { chaptersQuery } = useChapters();
  const isLive = useIsLive();
  const progressQuery = useQuery({
    queryKey: queryKeys.readerProgress(readerId),
    queryFn: () => fetchReaderProgress(readerId),
    refetchInterval: isLive ? LIVE_RECONCILE_MS : PROGRESS_POLL_MS,
  });
  const rows = mergeChapterProgress(chaptersQuery.data, progressQuery.data?.milestones);
  const counts = countProgress(rows);
  return (
    <section className="card panel" aria-labelledby="progress-heading">
      <div className="panel-header">
        <h2 id="progress-heading">Progress</h2>
      </div>
      {progressQuery.data !== undefined && rows.length > 0 && (
        <p className="panel-note">
          {counts.completed} completed · {counts.started} in progress · {counts.stuck} stuck · {counts.notStarted} not started
        </p>
      )}
      {progressQuery.isPending ? (
        <LoadingMessage>Loading progress…</LoadingMessage>
      ) : progressQuery.data === undefined ? null : rows.length === 0 ? (
        <EmptyMessage>No chapters and no progress yet.</EmptyMessage>
      ) : (
        <ul className="progress-list">
          {rows.map((row) => (
            <li key={row.chapterId} className="progress-row">
              <span className="progress-title">{row.title}</span>
              <span className="progress-state">
                <StatusBadge status={row.milestone?.status ?? null} />
                {row.milestone?.score !== null && row.milestone?.score !== undefined && <span>Score {row.milestone.score}</span>}
                {row.milestone !== null && (
                  <time className="muted" dateTime={row.milestone.updatedAt} title={formatDateTime(row.milestone.updatedAt)}>
                    {formatTimeAgo(row.milestone.updatedAt, now)}
                  </time>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ReaderActivitySection({ readerId, now }: { readonly readerId: number; readonly now: number }) {
  const { titleOf } = useChapters();
  const isLive = useIsLive();
  const activityQuery = useInfiniteQuery({
    queryKey: queryKeys.readerActivity(readerId),
    queryFn: ({ pageParam }) => fetchReaderActivity(readerId, { limit: ACTIVITY_PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: nextCursorOf,
    refetchInterval: isLive ? LIVE_RECONCILE_MS : ACTIVITY_POLL_MS,
  });
  return (
    <section className="card panel" aria-labelledby="activity-heading">
      <div className="panel-header">
        <h2 id="activity-heading">Activity</h2>
      </div>
      <ActivityHistory query={activityQuery} now={now} loadingText="Loading activity…" chapterTitleOf={titleOf} />
    </section>
  );
}

/** One reader as a consultant sees them: who, when last active, progress and activity. */
export function ReaderDetailPage({ readerId }: { readonly readerId: number }) {
  const now = useNow(5_000);
  const isLive = useIsLive();
  // Shares its cache entry with ReaderProgressSection; this copy only supplies the heading.
  const progressQuery = useQuery({
    queryKey: queryKeys.readerProgress(readerId),
    queryFn: () => fetchReaderProgress(readerId),
    refetchInterval: isLive ? LIVE_RECONCILE_MS : PROGRESS_POLL_MS,
  });
  const back = <Link to="/readers">← All readers</Link>;
  if (progressQuery.isError && progressQuery.data === undefined) {
    const notFound = isApiError(progressQuery.error, 404);
    return (
      <Page title={notFound ? 'Reader not found' : 'Reader'} aside={back}>
        {notFound ? (
          <p>There is no reader with this ID. They may have been removed.</p>
        ) : (
          <ErrorMessage error={progressQuery.error} onRetry={() => void progressQuery.refetch()} />
        )}
      </Page>
    );
  }
  const reader = progressQuery.data?.reader;
  const online = reader !== undefined && isOnline(reader, now);
  return (
    <Page
      title={reader === undefined ? 'Reader' : displayName(reader)}
      aside={back}
      intro={
        reader === undefined ? undefined : (
          <>
            {reader.name !== '' && <span>{reader.email} · </span>}
            <span className={online ? 'online-label' : undefined}>{online ? 'Online now' : 'Offline'}</span>
            {' · last active '}
            {reader.lastActiveAt === null ? (
              'never'
            ) : (
              <time dateTime={reader.lastActiveAt} title={formatDateTime(reader.lastActiveAt)}>
                {formatTimeAgo(reader.lastActiveAt, now)}
              </time>
            )}
          </>
        )
      }
    >
      {reader === undefined ? (
        <LoadingMessage>Loading reader…</LoadingMessage>
      ) : (
        <div className="detail-grid">
          <ReaderCohortsSection readerId={readerId} />
          <ReaderAttentionSection readerId={readerId} now={now} />
          <ReaderProgressSection readerId={readerId} now={now} />
          <ReaderTrendSection readerId={readerId} milestones={progressQuery.data?.milestones} now={now} />
          <ReaderActivitySection readerId={readerId} now={now} />
          <ReaderStatementsSection readerId={readerId} email={reader.email} />
        </div>
      )}
    </Page>
  );
}
