import { useQuery } from '@tanstack/react-query';
import { fetchAttentionCounts } from '../api/toolkit-client.js';
import { toolkitQueryKeys } from '../api/toolkit-query-keys.js';
import { useCohortChoice } from '../cohorts/cohort-choice.js';
import { useIsLive } from '../live/live-stream-context.js';

/** The number of open attention items beside "Attention" in the navigation; live, or polled. */
export function AttentionNavCount() {
  const cohort = useCohortChoice();
  const isLive = useIsLive();
  const counts = useQuery({
    queryKey: toolkitQueryKeys.attentionCounts(cohort),
    queryFn: () => fetchAttentionCounts(cohort),
    refetchInterval: isLive ? 60_000 : 15_000,
  });
  const open = counts.data?.open;
  if (open === undefined || open === 0) return null;
  return (
    <span className="nav-count" data-testid="attention-count">
      {open}
      <span className="visually-hidden"> open</span>
    </span>
  );
}
