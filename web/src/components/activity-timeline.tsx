import type { ActivityEventDto } from '../api/types.js';
import { humanizeActionType, summarizeMetadata, type ChapterTitleLookup } from '../activity/activity-label.js';
import { formatDateTime, formatTimeAgo } from '../time/relative-time.js';
import { LoadMoreButton, useFocusFirstNewItem } from './load-more.js';
import { EmptyMessage } from './status-messages.js';

interface ActivityTimelineProps {
  readonly events: readonly ActivityEventDto[];
  readonly hasOlder: boolean;
  readonly isLoadingOlder: boolean;
  readonly onLoadOlder: () => void;
  /** Epoch ms used for "x minutes ago". */
  readonly now: number;
  readonly emptyText: string;
  readonly chapterTitleOf?: ChapterTitleLookup;
}

/** A list of activity events, newest first, with "Load older" under it. */
export function ActivityTimeline({ events, hasOlder, isLoadingOlder, onLoadOlder, now, emptyText, chapterTitleOf }: ActivityTimelineProps) {
  const { listRef, rememberCount } = useFocusFirstNewItem<HTMLOListElement>(events.length);
  if (events.length === 0) return <EmptyMessage>{emptyText}</EmptyMessage>;
  return (
    <>
      <ol className="timeline" ref={listRef}>
        {events.map((event) => {
          const summary = summarizeMetadata(event, chapterTitleOf);
          return (
            <li key={event.id} className="timeline-item" tabIndex={-1}>
              <span className="timeline-action">{humanizeActionType(event.actionType)}</span>
              {summary !== '' && <span className="timeline-detail">{summary}</span>}
              <time className="timeline-time" dateTime={event.createdAt} title={formatDateTime(event.createdAt)}>
                {formatTimeAgo(event.createdAt, now)}
              </time>
            </li>
          );
        })}
      </ol>
      <LoadMoreButton
        label="Load older"
        hasMore={hasOlder}
        isLoading={isLoadingOlder}
        onLoadMore={() => {
          rememberCount();
          onLoadOlder();
        }}
      />
    </>
  );
}
