import type { InfiniteData, UseInfiniteQueryResult } from '@tanstack/react-query';
import type { ChapterTitleLookup } from '../activity/activity-label.js';
import type { EventsPageDto } from '../api/types.js';
import { mergePages } from '../pagination/merge-pages.js';
import { ActivityTimeline } from './activity-timeline.js';
import { ErrorMessage, LoadingMessage } from './status-messages.js';

interface ActivityHistoryProps {
  readonly query: UseInfiniteQueryResult<InfiniteData<EventsPageDto, unknown>>;
  /** Epoch ms used for "x minutes ago". */
  readonly now: number;
  readonly loadingText: string;
  readonly chapterTitleOf?: ChapterTitleLookup;
}

/** A paginated activity history: loading and error states, the timeline, and "Load older". */
export function ActivityHistory({ query, now, loadingText, chapterTitleOf }: ActivityHistoryProps) {
  if (query.isPending) return <LoadingMessage>{loadingText}</LoadingMessage>;
  if (query.data === undefined) return <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />;
  const events = mergePages(query.data.pages, (page) => page.events, (event) => event.id);
  return (
    <>
      <ActivityTimeline
        events={events}
        now={now}
        hasOlder={query.hasNextPage}
        isLoadingOlder={query.isFetchingNextPage}
        onLoadOlder={() => void query.fetchNextPage()}
        emptyText="No activity yet."
        {...(chapterTitleOf ? { chapterTitleOf } : {})}
      />
      {query.isFetchNextPageError && <ErrorMessage error={query.error} prefix="Could not load older activity." />}
    </>
  );
}
