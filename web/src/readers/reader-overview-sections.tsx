import { useQuery } from '@tanstack/react-query';
import { fetchActivityBuckets } from '../api/insight-client.js';
import { queryKeys } from '../api/query-keys.js';
import { fetchAllAttention, fetchReaderCohorts } from '../api/toolkit-client.js';
import { toolkitQueryKeys } from '../api/toolkit-query-keys.js';
import type { AttentionItemDto } from '../api/toolkit-types.js';
import type { MilestoneDto } from '../api/types.js';
import { reasonText } from '../attention/attention-groups.js';
import { timeAxisTitle } from '../charts/activity-chart.js';
import { CountBarsChart } from '../charts/count-bars-chart.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { useIsLive } from '../live/live-stream-context.js';
import { useChapters } from '../progress/use-chapter-titles.js';
import { Link } from '../router/link.js';
import { formatDateTime, formatTimeAgo } from '../time/relative-time.js';
import { completedPerWeek, TREND_DAYS, TREND_WEEKS, trendRange } from './reader-trend.js';

/** The cohorts the reader is in, each linking to the views scoped to it. */
export function ReaderCohortsSection({ readerId }: { readonly readerId: number }) {
  const cohorts = useQuery({ queryKey: queryKeys.readerCohorts(readerId), queryFn: () => fetchReaderCohorts(readerId) });
  return (
    <section className="card panel" aria-labelledby="reader-cohorts-heading" data-testid="reader-cohorts">
      <div className="panel-header">
        <h2 id="reader-cohorts-heading">Cohorts</h2>
      </div>
      {cohorts.isPending ? (
        <LoadingMessage>Loading cohorts…</LoadingMessage>
      ) : cohorts.data === undefined ? (
        <ErrorMessage error={cohorts.error} onRetry={() => void cohorts.refetch()} />
      ) : cohorts.data.length === 0 ? (
        <EmptyMessage>In no cohort.</EmptyMessage>
      ) : (
        <ul className="plain-list reader-cohort-list">
          {cohorts.data.map((cohort) => (
            <li key={cohort.id} data-cohort-id={cohort.id}>
              <Link to={`/dashboard?cohort=${cohort.id}`} className="person-name">
                {cohort.name}
              </Link>{' '}
              <span className="muted">
                {cohort.readerCount} readers · <Link to={`/readers?cohort=${cohort.id}`}>readers</Link> ·{' '}
                <Link to={`/program/grid?cohort=${cohort.id}`}>grid</Link>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function useReaderItems(state: 'open' | 'claimed', readerId: number) {
  const isLive = useIsLive();
  return useQuery({
    queryKey: toolkitQueryKeys.attentionList(state, null, null, readerId),
    queryFn: () => fetchAllAttention(state, null, { reader: readerId }),
    refetchInterval: isLive ? 60_000 : 15_000,
  });
}

/** The reader's open and claimed attention items: reason, chapter, since when, who holds it. */
export function ReaderAttentionSection({ readerId, now }: { readonly readerId: number; readonly now: number }) {
  const { titleOf } = useChapters();
  const open = useReaderItems('open', readerId);
  const claimed = useReaderItems('claimed', readerId);
  const failed = open.isError ? open : claimed.isError ? claimed : null;
  const items: AttentionItemDto[] | undefined =
    open.data && claimed.data ? [...open.data.items, ...claimed.data.items].sort((a, b) => a.since.localeCompare(b.since) || a.id - b.id) : undefined;
  return (
    <section className="card panel" aria-labelledby="reader-attention-heading" data-testid="reader-attention">
      <div className="panel-header">
        <h2 id="reader-attention-heading">Needs attention</h2>
        <Link to={`/attention?reader=${readerId}`}>In the queue</Link>
      </div>
      {items === undefined ? (
        failed !== null ? (
          <ErrorMessage error={failed.error} onRetry={() => void failed.refetch()} />
        ) : (
          <LoadingMessage>Loading attention items…</LoadingMessage>
        )
      ) : items.length === 0 ? (
        <EmptyMessage>Nothing open for this reader.</EmptyMessage>
      ) : (
        <>
          <p className="panel-note" data-testid="reader-attention-count">
            {items.length} {items.length === 1 ? 'item' : 'items'} ({open.data!.items.length} open, {claimed.data!.items.length} claimed)
          </p>
          <ul className="plain-list">
            {items.map((item) => (
              <li key={item.id} data-attention-id={item.id} data-state={item.state}>
                <strong>{reasonText(item, titleOf)}</strong>
                <span className="muted">
                  {' · since '}
                  <time dateTime={item.since} title={formatDateTime(item.since)}>
                    {formatTimeAgo(item.since, now)}
                  </time>
                  {item.state === 'claimed' && item.claimedBy !== null ? ` · claimed by ${item.claimedBy.name || item.claimedBy.email}` : ' · open'}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** Events per day over the last 28 days and chapters completed per week, as small charts. */
export function ReaderTrendSection({ readerId, milestones, now }: { readonly readerId: number; readonly milestones: readonly MilestoneDto[] | undefined; readonly now: number }) {
  // The range moves once a day (not every render): the day the page opened on.
  const range = trendRange(now - (now % 86_400_000));
  const activity = useQuery({
    queryKey: [...queryKeys.readerTrend(readerId), range.from],
    queryFn: () => fetchActivityBuckets({ reader: readerId, bucket: 'day', from: range.from, to: range.to }),
    refetchInterval: 5 * 60_000,
  });
  const weeks = milestones === undefined ? undefined : completedPerWeek(milestones, now);
  const days = activity.data?.buckets ?? [];
  const events = days.reduce((n, b) => n + b.events, 0);
  const activeDays = days.filter((b) => b.events > 0).length;
  const completed = weeks?.reduce((n, w) => n + w.completed, 0) ?? 0;
  return (
    <section className="card panel" aria-labelledby="reader-trend-heading" data-testid="reader-trend">
      <div className="panel-header">
        <h2 id="reader-trend-heading">Trend</h2>
      </div>
      {activity.isPending ? (
        <LoadingMessage>Loading activity per day…</LoadingMessage>
      ) : activity.data === undefined ? (
        <ErrorMessage error={activity.error} onRetry={() => void activity.refetch()} />
      ) : (
        <>
          <p className="panel-note" data-testid="reader-trend-events" data-events={events}>
            {events} events on {activeDays} of the last {TREND_DAYS} days
          </p>
          <CountBarsChart
            title={`Events per day, last ${TREND_DAYS} days`}
            summary={`${events} events on ${activeDays} of the last ${TREND_DAYS} days, from ${days[0]?.start.slice(0, 10) ?? ''}.`}
            bars={days.map((b) => ({ key: b.start.slice(0, 10), tick: b.start.slice(5, 10), count: b.events }))}
            xTitle={timeAxisTitle(days, 'day')}
            yTitle="Events (count)"
            columnTitle="Day (UTC)"
            colour="#2c7fb8"
          />
        </>
      )}
      {weeks !== undefined && (
        <CountBarsChart
          title={`Chapters completed per week, last ${TREND_WEEKS} weeks`}
          summary={`${completed} chapters completed in the last ${TREND_WEEKS} weeks.`}
          bars={weeks.map((w) => ({ key: w.weekStart, tick: w.weekStart.slice(5), count: w.completed }))}
          xTitle={timeAxisTitle(weeks.map((w) => ({ start: w.weekStart })), 'day').replace('Day', 'Week from Monday')}
          yTitle="Chapters (count)"
          columnTitle="Week from (UTC)"
          colour="#1b7837"
        />
      )}
    </section>
  );
}
