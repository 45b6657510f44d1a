import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { fetchAttention } from '../api/toolkit-client.js';
import { toolkitQueryKeys } from '../api/toolkit-query-keys.js';
import type { AttentionItemDto, AttentionState } from '../api/toolkit-types.js';
import type { UserDto } from '../api/types.js';
import { AttentionItemCard } from '../attention/attention-item-card.js';
import { AttentionRulesPanel } from '../attention/attention-rules-panel.js';
import { useCohortChoice } from '../cohorts/cohort-choice.js';
import { LiveStatusNote } from '../components/live-status.js';
import { Page } from '../components/page.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { useIsLive } from '../live/live-stream-context.js';
import { useChapters } from '../progress/use-chapter-titles.js';
import { useNow } from '../time/use-now.js';

type Tab = 'open' | 'mine' | 'resolved';
const TABS: readonly { id: Tab; label: string }[] = [
  { id: 'open', label: 'Open' },
  { id: 'mine', label: 'Mine' },
  { id: 'resolved', label: 'Resolved' },
];
const PAGE_SIZE = 200;

function useItems(state: AttentionState, cohort: number | null, enabled: boolean) {
  const isLive = useIsLive();
  return useQuery({
    queryKey: toolkitQueryKeys.attentionList(state, cohort),
    queryFn: () => fetchAttention(state, cohort, { limit: PAGE_SIZE }),
    enabled,
    // Attention events on the live stream refetch at once; polling is the fallback.
    refetchInterval: isLive ? 60_000 : 10_000,
  });
}

/** The shared attention queue: who needs a consultant, who is on it, and what was done. */
export function AttentionPage({ user }: { readonly user: UserDto }) {
  const [tab, setTab] = useState<Tab>('open');
  const cohort = useCohortChoice();
  const now = useNow(30_000);
  const { titleOf } = useChapters();
  const open = useItems('open', cohort, tab === 'open');
  const claimed = useItems('claimed', cohort, tab !== 'resolved');
  const resolved = useItems('resolved', cohort, tab === 'resolved');

  let items: AttentionItemDto[] | undefined;
  let query = open;
  if (tab === 'open') {
    // The queue shows every unresolved item with who holds it, so no one follows up twice.
    items = open.data && claimed.data ? [...open.data.items, ...claimed.data.items] : undefined;
    items?.sort((a, b) => a.since.localeCompare(b.since) || a.id - b.id);
    query = open.data ? claimed : open;
  } else if (tab === 'mine') {
    items = claimed.data?.items.filter((i) => i.claimedBy?.id === user.id);
    query = claimed;
  } else {
    items = resolved.data?.items.slice().reverse();
    query = resolved;
  }
  return (
    <Page title="Attention" intro="Readers who need a consultant. Claim one to follow it up; colleagues see it at once." aside={<LiveStatusNote />}>
      <div className="tabs" role="group" aria-label="Which items">
        {TABS.map((t) => (
          <button key={t.id} type="button" className={`tab${tab === t.id ? ' tab-current' : ''}`} aria-pressed={tab === t.id} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <section aria-label={`${TABS.find((t) => t.id === tab)!.label} items`}>
        {items === undefined ? (
          query.isError ? (
            <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />
          ) : (
            <LoadingMessage>Loading attention items…</LoadingMessage>
          )
        ) : items.length === 0 ? (
          <EmptyMessage>{tab === 'resolved' ? 'Nothing resolved yet.' : tab === 'mine' ? 'You hold no items.' : 'No one needs attention right now.'}</EmptyMessage>
        ) : (
          <ul className="attention-list">
            {items.map((item) => (
              <AttentionItemCard key={item.id} item={item} me={user} now={now} titleOf={titleOf} />
            ))}
          </ul>
        )}
      </section>
      <AttentionRulesPanel />
    </Page>
  );
}
