import { useQuery } from '@tanstack/react-query';
import { exportUrl, fetchActivityBuckets, fetchChapterFunnel, fetchGridPage } from '../api/insight-client.js';
import { queryKeys } from '../api/query-keys.js';
import { ActivityChart } from '../charts/activity-chart.js';
import { ChapterFunnelChart } from '../charts/chapter-funnel-chart.js';
import { ScoreDistributionChart } from '../charts/score-distribution-chart.js';
import { Page } from '../components/page.js';
import { ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { Link } from '../router/link.js';
import { useCohortChoice } from '../cohorts/cohort-choice.js';
import { useCohorts } from '../cohorts/cohort-picker.js';
import { useSearchParams } from '../router/search-params.js';
import { dayEndIso, dayStartIso } from '../time/day-range.js';

/** Readers whose scores the distribution reads: the grid's first pages. */
const SCORE_SAMPLE_PAGES = 10;

async function fetchScores(cohort: string | undefined): Promise<{ scores: number[]; complete: boolean }> {
  const scores: number[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < SCORE_SAMPLE_PAGES; page += 1) {
    const grid = await fetchGridPage({ cohort }, cursor);
    for (const row of grid.readers) for (const cell of row.cells) if (cell.status === 'completed' && cell.score !== null) scores.push(cell.score);
    if (grid.nextCursor === null) return { scores, complete: true };
    cursor = grid.nextCursor;
  }
  return { scores, complete: false };
}

/** The CSV downloads, for the cohort in hand (the server names the file after it) and the page's time range. */
export function ExportButtons({ cohort, from, to }: { readonly cohort: number | null; readonly from?: string | undefined; readonly to?: string | undefined }) {
  const range = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  const scope = { cohort: cohort === null ? undefined : String(cohort) };
  const scopeName = useCohorts().data?.find((c) => c.id === cohort)?.name;
  const of = cohort === null ? 'all readers' : (scopeName ?? `cohort ${cohort}`);
  return (
    <div className="button-row export-buttons">
      <a className="button button-secondary" href={exportUrl('progress', scope)} download data-testid="export-progress">
        Export progress (CSV)<span className="visually-hidden"> of {of}</span>
      </a>
      <a className="button button-secondary" href={exportUrl('activity', { ...scope, ...range })} download data-testid="export-activity">
        Export activity (CSV)<span className="visually-hidden"> of {of}</span>
      </a>
    </div>
  );
}

/** The program at a glance: chapter funnel, activity over time and score spread, each with its table. */
export function ProgramOverviewPage() {
  const [params, setParams] = useSearchParams();
  const cohortId = useCohortChoice();
  const cohort = cohortId === null ? undefined : String(cohortId);
  const bucket = params.get('bucket') === 'hour' ? 'hour' : 'day';
  const fromDay = params.get('from');
  const toDay = params.get('to');
  const from = dayStartIso(fromDay);
  // "To" includes that whole day: the API's `to` is exclusive, so it is sent as the next day's start.
  const to = dayEndIso(toDay);
  const funnel = useQuery({ queryKey: queryKeys.chapterFunnel(cohort ?? ''), queryFn: () => fetchChapterFunnel({ cohort }) });
  const activity = useQuery({
    queryKey: queryKeys.activityBuckets(`${cohort ?? ''}|${bucket}|${from ?? ''}|${to ?? ''}`),
    queryFn: () => fetchActivityBuckets({ cohort, bucket, from, to }),
  });
  const scores = useQuery({ queryKey: [...queryKeys.progressGrid(cohort ?? ''), 'scores'], queryFn: () => fetchScores(cohort) });
  return (
    <Page
      title="Program overview"
      intro="Where readers are in the program, how active they are and how they score."
      aside={<Link to="/program/grid">Progress grid</Link>}
    >
      <ExportButtons cohort={cohortId} from={from} to={to} />
      <section className="panel" aria-labelledby="funnel-heading">
        <h2 id="funnel-heading">Chapters</h2>
        {funnel.isPending ? (
          <LoadingMessage>Loading the chapters…</LoadingMessage>
        ) : funnel.data === undefined ? (
          <ErrorMessage error={funnel.error} onRetry={() => void funnel.refetch()} />
        ) : funnel.data.chapters.length === 0 ? (
          <p className="empty">
            No data yet: the program has no chapters. <Link to="/program">Add chapters</Link>, then readers' progress shows here.
          </p>
        ) : (
          <ChapterFunnelChart chapters={funnel.data.chapters} />
        )}
      </section>
      <section className="panel" aria-labelledby="activity-heading">
        <h2 id="activity-heading">Activity over time</h2>
        <form className="filter-row" onSubmit={(e) => e.preventDefault()}>
          <div className="field">
            <label htmlFor="activity-from">From</label>
            <input id="activity-from" type="date" value={fromDay ?? activity.data?.buckets[0]?.start.slice(0, 10) ?? ''} onChange={(e) => setParams({ from: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="activity-to">To</label>
            <input id="activity-to" type="date" value={toDay ?? activity.data?.buckets.at(-1)?.start.slice(0, 10) ?? ''} onChange={(e) => setParams({ to: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="activity-bucket">Per</label>
            <select id="activity-bucket" value={bucket} onChange={(e) => setParams({ bucket: e.target.value === 'hour' ? 'hour' : null })}>
              <option value="day">day</option>
              <option value="hour">hour</option>
            </select>
          </div>
        </form>
        {activity.isPending ? (
          <LoadingMessage>Loading activity…</LoadingMessage>
        ) : activity.data === undefined ? (
          <ErrorMessage error={activity.error} onRetry={() => void activity.refetch()} />
        ) : (
          <ActivityChart buckets={activity.data.buckets} bucket={bucket} />
        )}
      </section>
      <section className="panel" aria-labelledby="scores-heading">
        <h2 id="scores-heading">Scores</h2>
        {scores.isPending ? (
          <LoadingMessage>Loading scores…</LoadingMessage>
        ) : scores.data === undefined ? (
          <ErrorMessage error={scores.error} onRetry={() => void scores.refetch()} />
        ) : scores.data.scores.length === 0 ? (
          <p className="empty">No data yet: no reader has completed a chapter with a score.</p>
        ) : (
          <ScoreDistributionChart
            scores={scores.data.scores}
            note={scores.data.complete ? 'Every reader is counted.' : `Counted over the first ${SCORE_SAMPLE_PAGES * 200} readers.`}
          />
        )}
      </section>
    </Page>
  );
}
