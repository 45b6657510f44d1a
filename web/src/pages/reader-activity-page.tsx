import { useInfiniteQuery } from '@tanstack/react-query';
import { fetchMyActivity } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import { ActivityHistory } from '../components/activity-history.js';
import { Page } from '../components/page.js';
import { useNow } from '../time/use-now.js';
import { nextCursorOf } from '../pagination/merge-pages.js';
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
  return (
    <Page title="My activity" intro="What you have done in ReadPulse, newest first.">
      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading" className="visually-hidden">
          Timeline
        </h2>
        <ActivityHistory query={activityQuery} now={now} loadingText="Loading your activity…" chapterTitleOf={titleOf} />
      </section>
    </Page>
  );
}
