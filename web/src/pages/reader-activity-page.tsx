import { useInfiniteQuery } from '@tanstack/react-query';
import { fetchMyActivity } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import { ActivityTimeline } from '../components/activity-timeline.js';
import { Page } from '../components/page.js';
import { ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { useNow } from '../time/use-now.js';
import { mergePages, nextCursorOf } from '../pagination/merge-pages.js';
import { useChapters } from '../progress/use-chapter-titles.js';

const ACTIVITY_PAGE_SIZE = 25;

/** The signed-in reader's own activity, newest first. */
export function ReaderActivityPage() {
  const now = useNow();
  const { titleOf } = useChapters();
  const activityQuery = useInfiniteQuery({
    queryKey: queryKeys.myActivity,
    queryFn: ({ pageParam }) => fetchMyActivity({ limit: ACTIVITY_PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: nextCursorOf,
  });
  const events = mergePages(activityQuery.data?.pages, (page) => page.events, (event) => event.id);
  return (
    <Page title="My activity" intro="What you have done in ReadPulse, newest first.">
      {activityQuery.isPending ? (
        <LoadingMessage>Loading your activity…</LoadingMessage>
      ) : activityQuery.data === undefined ? (
        <ErrorMessage error={activityQuery.error} onRetry={() => void activityQuery.refetch()} />
      ) : (
        <section aria-labelledby="timeline-heading">
          <h2 id="timeline-heading" className="visually-hidden">
            Timeline
          </h2>
          <ActivityTimeline
            events={events}
            now={now}
            hasOlder={activityQuery.hasNextPage}
            isLoadingOlder={activityQuery.isFetchingNextPage}
            onLoadOlder={() => void activityQuery.fetchNextPage()}
            emptyText="No activity yet."
            chapterTitleOf={titleOf}
          />
          {activityQuery.isFetchNextPageError && <ErrorMessage error={activityQuery.error} prefix="Could not load older activity." />}
        </section>
      )}
    </Page>
  );
}
