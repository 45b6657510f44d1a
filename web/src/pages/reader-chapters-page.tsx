import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { fetchMyMilestones } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import { MilestoneEditor } from '../components/milestone-editor.js';
import { Page } from '../components/page.js';
import { StatusBadge } from '../components/status-badge.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { formatDateTime, formatTimeAgo } from '../time/relative-time.js';
import { useNow } from '../time/use-now.js';
import { countProgress, mergeChapterProgress, type ChapterProgress } from '../progress/chapter-progress.js';
import { useChapters } from '../progress/use-chapter-titles.js';

function ChapterItem({ row, now, onSaved }: { readonly row: ChapterProgress; readonly now: number; readonly onSaved: (message: string) => void }) {
  const [isEditing, setIsEditing] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const editorId = `edit-${row.chapterId}`;
  const close = () => {
    setIsEditing(false);
    requestAnimationFrame(() => toggle.current?.focus());
  };
  const { milestone } = row;
  return (
    <li className="chapter card">
      <div className="chapter-summary">
        <div>
          <h2 className="chapter-title">{row.title}</h2>
          <p className="chapter-meta">
            <StatusBadge status={milestone?.status ?? null} />
            {milestone?.score !== null && milestone?.score !== undefined && <span>Score {milestone.score}</span>}
            {milestone !== null && (
              <span className="muted">
                updated <time dateTime={milestone.updatedAt} title={formatDateTime(milestone.updatedAt)}>{formatTimeAgo(milestone.updatedAt, now)}</time>
              </span>
            )}
            {!row.inProgram && <span className="muted">no longer in the program</span>}
          </p>
        </div>
        {row.inProgram && (
          <button
            ref={toggle}
            type="button"
            className="button button-secondary"
            aria-expanded={isEditing}
            aria-controls={isEditing ? editorId : undefined}
            onClick={() => (isEditing ? close() : setIsEditing(true))}
          >
            {isEditing ? 'Close' : 'Update'}
            <span className="visually-hidden"> progress in {row.title}</span>
          </button>
        )}
      </div>
      {isEditing && (
        <div id={editorId}>
          <MilestoneEditor
            chapterId={row.chapterId}
            chapterTitle={row.title}
            milestone={milestone}
            onCancel={close}
            onSaved={(message) => {
              onSaved(message);
              close();
            }}
          />
        </div>
      )}
    </li>
  );
}

/** The reader's chapters with their status and score, and a way to update each. */
export function ReaderChaptersPage() {
  const { chaptersQuery } = useChapters();
  const milestonesQuery = useQuery({ queryKey: queryKeys.myMilestones, queryFn: fetchMyMilestones });
  const [announcement, setAnnouncement] = useState('');
  const now = useNow(30_000);

  const rows = mergeChapterProgress(chaptersQuery.data, milestonesQuery.data);
  const counts = countProgress(rows);
  const isLoading = chaptersQuery.isPending || milestonesQuery.isPending;
  const programSize = rows.filter((row) => row.inProgram).length;
  return (
    <Page
      title="My chapters"
      intro={
        isLoading || rows.length === 0
          ? 'Mark each chapter as you start it, finish it, or get stuck.'
          : `${counts.completed} of ${programSize} completed · ${counts.started} in progress · ${counts.stuck} stuck`
      }
    >
      <div role="status" className={announcement === '' ? undefined : 'notice notice-success'}>
        {announcement}
      </div>
      {chaptersQuery.isError && (
        <ErrorMessage error={chaptersQuery.error} prefix="Could not load the chapter list." onRetry={() => void chaptersQuery.refetch()} />
      )}
      {milestonesQuery.isError && (
        <ErrorMessage error={milestonesQuery.error} prefix="Could not load your progress." onRetry={() => void milestonesQuery.refetch()} />
      )}
      {isLoading && !chaptersQuery.isError && !milestonesQuery.isError ? (
        <LoadingMessage>Loading your chapters…</LoadingMessage>
      ) : rows.length === 0 ? (
        !chaptersQuery.isError && <EmptyMessage>No chapters yet. Once the reading program has chapters, they will appear here.</EmptyMessage>
      ) : (
        <ol className="chapter-list">
          {rows.map((row) => (
            <ChapterItem key={row.chapterId} row={row} now={now} onSaved={setAnnouncement} />
          ))}
        </ol>
      )}
    </Page>
  );
}
