import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { fetchAttentionCounts } from '../api/toolkit-client.js';
import { toolkitQueryKeys } from '../api/toolkit-query-keys.js';
import { useCohortChoice } from '../cohorts/cohort-choice.js';
import { ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { fetchClassSummary } from '../api/insight-client.js';
import { queryKeys } from '../api/query-keys.js';
import { useChapters } from '../progress/use-chapter-titles.js';
import { useIsLive } from '../live/live-stream-context.js';
import { Link } from '../router/link.js';
import { useNow } from '../time/use-now.js';

function Tile({ label, value, to, name }: { readonly label: string; readonly value: ReactNode; readonly to: string; readonly name: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-summary={name}>
        <Link to={to}>{value}</Link>
      </dd>
    </div>
  );
}

/** A first run: what to do before there is anything to watch. */
function FirstSteps({ chapters, readers }: { readonly chapters: number; readonly readers: number }) {
  return (
    <section className="panel card first-steps" aria-labelledby="first-steps-heading" data-testid="first-steps">
      <h2 id="first-steps-heading">Get started</h2>
      <ol>
        <li className={chapters > 0 ? 'step-done' : undefined}>
          {chapters > 0 ? `The program has ${chapters} chapters. ` : 'The program has no chapters yet: '}
          <Link to="/program">{chapters > 0 ? 'Edit chapters' : 'Add chapters'}</Link>
        </li>
        <li className={readers > 0 ? 'step-done' : undefined}>
          {readers > 0 ? `${readers} readers have joined. ` : 'No readers yet: '}
          <Link to="/cohorts">Create a cohort and an invite link</Link> and share it with your readers.
        </li>
      </ol>
    </section>
  );
}

/**
 * The class in hand at a glance: readers, activity, completion, scores, who is stuck and who needs
 * attention. The server counts it (GET /api/analytics/summary), so the dashboard loads a few
 * numbers, not the whole grid; the attention figure follows the live queue's counts.
 */
export function DashboardSummary() {
  const cohort = useCohortChoice();
  const isLive = useIsLive();
  const now = useNow(60_000);
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  const today = midnight.toISOString();
  const { chaptersQuery } = useChapters();
  const summary = useQuery({
    queryKey: queryKeys.classSummary(cohort, today),
    queryFn: () => fetchClassSummary(cohort, today),
    refetchInterval: isLive ? 60_000 : 15_000,
  });
  const counts = useQuery({
    queryKey: toolkitQueryKeys.attentionCounts(cohort),
    queryFn: () => fetchAttentionCounts(cohort),
    refetchInterval: isLive ? 60_000 : 15_000,
  });
  if (summary.data === undefined) {
    return summary.isError ? <ErrorMessage error={summary.error} onRetry={() => void summary.refetch()} /> : <LoadingMessage>Summing up the class…</LoadingMessage>;
  }
  const figures = summary.data;
  const chapters = chaptersQuery.data;
  const attentionCounts = counts.data ?? figures.attention;
  const attention = attentionCounts.open + attentionCounts.claimed;
  return (
    <>
      {chapters !== undefined && (chapters.length === 0 || figures.readers === 0) && cohort === null && (
        <FirstSteps chapters={chapters.length} readers={figures.readers} />
      )}
      <section aria-labelledby="summary-heading">
        <h2 id="summary-heading" className="visually-hidden">
          The class at a glance
        </h2>
        <dl className="summary-tiles" data-testid="class-summary">
          <Tile label="Readers" name="readers" value={figures.readers} to="/readers" />
          <Tile label="Active today" name="activeToday" value={figures.activeToday} to="/program/grid?sort=last-active&order=desc" />
          <Tile label="Active this week" name="activeThisWeek" value={figures.activeThisWeek} to="/program/grid?sort=last-active&order=desc" />
          <Tile
            label="Program completed"
            name="percentCompleted"
            value={figures.percentCompleted === null ? '–' : `${figures.percentCompleted}%`}
            to="/program/overview"
          />
          <Tile label="Median score" name="medianScore" value={figures.medianScore ?? '–'} to="/program/overview" />
          <Tile label="Stuck" name="stuckReaders" value={figures.stuckReaders} to="/program/grid?status=stuck" />
          <Tile label="Need attention" name="attention" value={attention} to="/attention" />
        </dl>
      </section>
    </>
  );
}
