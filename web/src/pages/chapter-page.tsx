import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { fetchChapterFunnel } from '../api/insight-client.js';
import { queryKeys } from '../api/query-keys.js';
import { useCohortChoice } from '../cohorts/cohort-choice.js';
import { Page } from '../components/page.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { readerLabel, type GridRow } from '../grid/grid-rows.js';
import { useWholeGrid } from '../grid/use-whole-grid.js';
import { useChapters } from '../progress/use-chapter-titles.js';
import { Link } from '../router/link.js';
import { formatDate } from '../time/relative-time.js';

type Group = 'stuck' | 'started' | 'completed' | 'not-started';
const GROUPS: readonly { readonly id: Group; readonly label: string; readonly empty: string }[] = [
  { id: 'stuck', label: 'Stuck', empty: 'No one is stuck on this chapter.' },
  { id: 'started', label: 'Started', empty: 'No one is reading it right now.' },
  { id: 'completed', label: 'Completed', empty: 'No one has completed it yet.' },
  { id: 'not-started', label: 'Not started', empty: 'Everyone has started it.' },
];
const SHOWN_AT_FIRST = 100;

/** The readers of one chapter grouped by their state in it; completed ones by score, highest first. */
export function groupChapterReaders(rows: readonly GridRow[], chapterIndex: number): Record<Group, GridRow[]> {
  const groups: Record<Group, GridRow[]> = { stuck: [], started: [], completed: [], 'not-started': [] };
  for (const row of rows) {
    const status = row.cells[chapterIndex]?.status ?? null;
    groups[status === null ? 'not-started' : status].push(row);
  }
  const byName = (a: GridRow, b: GridRow) => readerLabel(a).localeCompare(readerLabel(b)) || a.reader.id - b.reader.id;
  for (const group of Object.values(groups)) group.sort(byName);
  groups.completed.sort((a, b) => (b.cells[chapterIndex]?.score ?? -1) - (a.cells[chapterIndex]?.score ?? -1));
  return groups;
}

function ReaderGroup({ rows, chapterIndex, group }: { readonly rows: GridRow[]; readonly chapterIndex: number; readonly group: (typeof GROUPS)[number] }) {
  const [all, setAll] = useState(false);
  const shown = all ? rows : rows.slice(0, SHOWN_AT_FIRST);
  return (
    <section className="panel card chapter-group" aria-labelledby={`group-${group.id}`} data-testid={`chapter-group-${group.id}`}>
      <h2 id={`group-${group.id}`}>
        {group.label} <span className="count-pill" data-testid="group-count">{rows.length}</span>
      </h2>
      {rows.length === 0 ? (
        <EmptyMessage>{group.empty}</EmptyMessage>
      ) : (
        <ul className="chapter-readers">
          {shown.map((row) => {
            const cell = row.cells[chapterIndex];
            return (
              <li key={row.reader.id}>
                <Link to={`/readers/${row.reader.id}`} className="person-name">
                  {readerLabel(row)}
                </Link>
                {row.reader.name !== '' && <span className="muted reader-email">{row.reader.email}</span>}
                {cell?.status === 'completed' && cell.score !== null && <span className="chapter-score">Score {cell.score}</span>}
                {cell?.updatedAt != null && (
                  <time className="muted" dateTime={cell.updatedAt}>
                    {group.id === 'completed' ? 'completed' : group.id === 'stuck' ? 'stuck since' : 'since'} {formatDate(cell.updatedAt)}
                  </time>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {rows.length > shown.length && (
        <button type="button" className="button button-secondary button-small" onClick={() => setAll(true)}>
          Show all {rows.length}
        </button>
      )}
    </section>
  );
}

/** One chapter of the program: how many readers are where in it, and who they are. */
export function ChapterPage({ chapterId }: { readonly chapterId: string }) {
  const cohort = useCohortChoice();
  const cohortParam = cohort === null ? '' : String(cohort);
  const { titleOf, chaptersQuery } = useChapters();
  const funnel = useQuery({ queryKey: queryKeys.chapterFunnel(cohortParam), queryFn: () => fetchChapterFunnel({ cohort: cohortParam || undefined }) });
  const { grid, chapters, rows, complete } = useWholeGrid(cohort);
  const title = titleOf(chapterId) ?? chapterId;
  const counts = funnel.data?.chapters.find((c) => c.chapterId === chapterId);
  const chapterIndex = chapters.indexOf(chapterId);
  const back = <Link to="/program/overview">← Program overview</Link>;

  if (chaptersQuery.data !== undefined && !chaptersQuery.data.some((c) => c.id === chapterId)) {
    return (
      <Page title="Chapter not found" aside={back}>
        <p>The program has no chapter “{chapterId}”. It may have been renamed or removed.</p>
      </Page>
    );
  }
  const groups = chapterIndex < 0 || !complete ? null : groupChapterReaders(rows, chapterIndex);
  return (
    <Page title={`Chapter: ${title}`} intro="Where the readers are in this chapter." aside={back}>
      {funnel.isError && <ErrorMessage error={funnel.error} onRetry={() => void funnel.refetch()} />}
      {counts !== undefined && (
        <dl className="summary-tiles" data-testid="chapter-counts">
          <div><dt>Not started</dt><dd data-count="notStarted">{counts.notStarted}</dd></div>
          <div><dt>Started</dt><dd data-count="started">{counts.started}</dd></div>
          <div><dt>Stuck</dt><dd data-count="stuck">{counts.stuck}</dd></div>
          <div><dt>Completed</dt><dd data-count="completed">{counts.completed}</dd></div>
          <div><dt>Median score</dt><dd data-count="medianScore">{counts.medianScore ?? '–'}</dd></div>
          <div>
            <dt>Median time to complete</dt>
            <dd>{counts.medianMinutesToComplete === null ? '–' : formatMinutes(counts.medianMinutesToComplete)}</dd>
          </div>
        </dl>
      )}
      {grid.isError && grid.data === undefined ? (
        <ErrorMessage error={grid.error} onRetry={() => void grid.refetch()} />
      ) : groups === null ? (
        <LoadingMessage>Loading the readers…</LoadingMessage>
      ) : (
        <div className="chapter-groups">
          {GROUPS.map((group) => (
            <ReaderGroup key={group.id} rows={groups[group.id]} chapterIndex={chapterIndex} group={group} />
          ))}
        </div>
      )}
    </Page>
  );
}

function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
  return `${(minutes / 1440).toFixed(1)} days`;
}
