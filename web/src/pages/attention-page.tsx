import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { describeError } from '../api/api-error.js';
import { actOnAttention, fetchAllAttention } from '../api/toolkit-client.js';
import { toolkitQueryKeys } from '../api/toolkit-query-keys.js';
import type { AttentionItemDto, AttentionReason, AttentionState } from '../api/toolkit-types.js';
import type { UserDto } from '../api/types.js';
import { groupByReader, reasonText } from '../attention/attention-groups.js';
import { AttentionItemCard } from '../attention/attention-item-card.js';
import { AttentionRulesPanel } from '../attention/attention-rules-panel.js';
import { useCohortChoice } from '../cohorts/cohort-choice.js';
import { LiveStatusNote } from '../components/live-status.js';
import { Page } from '../components/page.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { useIsLive } from '../live/live-stream-context.js';
import { useChapters } from '../progress/use-chapter-titles.js';
import { Link } from '../router/link.js';
import { useSearchParams } from '../router/search-params.js';
import { formatDateTime, formatTimeAgo } from '../time/relative-time.js';
import { useNow } from '../time/use-now.js';

type Tab = 'open' | 'mine' | 'resolved';
const TABS: readonly { id: Tab; label: string }[] = [
  { id: 'open', label: 'Open' },
  { id: 'mine', label: 'Mine' },
  { id: 'resolved', label: 'Resolved' },
];
const REASONS: readonly { id: AttentionReason; label: string }[] = [
  { id: 'stuck', label: 'Stuck on a chapter' },
  { id: 'inactive', label: 'No activity for a while' },
  { id: 'low_score', label: 'Low score' },
];

const nameOf = (user: UserDto) => (user.name !== '' ? user.name : user.email);

function useItems(state: AttentionState, cohort: number | null, reason: AttentionReason | null, reader: number | null, enabled: boolean) {
  const isLive = useIsLive();
  return useQuery({
    queryKey: toolkitQueryKeys.attentionList(state, cohort, reason, reader),
    queryFn: () => fetchAllAttention(state, cohort, { reason, reader }),
    enabled,
    // Attention events on the live stream refetch at once; polling is the fallback.
    refetchInterval: isLive ? 60_000 : 10_000,
  });
}

/** Claim or resolve several items at once; says how many failed and why (the first reason). */
function BulkBar({ selected, items, me, onDone }: { readonly selected: ReadonlySet<number>; readonly items: readonly AttentionItemDto[]; readonly me: UserDto; readonly onDone: () => void }) {
  const queryClient = useQueryClient();
  const noteId = useId();
  const [note, setNote] = useState('');
  const chosen = items.filter((i) => selected.has(i.id));
  const claimable = chosen.filter((i) => i.state === 'open');
  const resolvable = chosen.filter((i) => i.state !== 'resolved' && (i.claimedBy === null || i.claimedBy.id === me.id));
  const bulk = useMutation({
    mutationFn: async (action: 'claim' | 'resolve') => {
      const targets = action === 'claim' ? claimable : resolvable;
      const results = await Promise.allSettled(targets.map((i) => actOnAttention(i.id, action, action === 'resolve' ? note : undefined)));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      return { action, done: results.length - failed.length, failed: failed.length, firstError: failed[0]?.reason as unknown };
    },
    onSuccess: (result) => {
      if (result.failed === 0) {
        setNote('');
        onDone();
      }
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: toolkitQueryKeys.attention }),
  });
  return (
    <div className="bulk-bar card" role="region" aria-label="Act on the selected items" data-testid="bulk-bar">
      <p className="bulk-count">
        <strong>{chosen.length}</strong> {chosen.length === 1 ? 'item' : 'items'} selected
      </p>
      <div className="field bulk-note">
        <label htmlFor={noteId}>
          Note for resolving <span className="optional">(optional)</span>
        </label>
        <input id={noteId} type="text" maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      <div className="button-row">
        <button type="button" className="button button-primary button-small" disabled={bulk.isPending || claimable.length === 0} onClick={() => bulk.mutate('claim')}>
          Claim {claimable.length}
        </button>
        <button type="button" className="button button-secondary button-small" disabled={bulk.isPending || resolvable.length === 0} onClick={() => bulk.mutate('resolve')}>
          Resolve {resolvable.length}
        </button>
        <button type="button" className="button button-quiet button-small" onClick={onDone}>
          Clear selection
        </button>
      </div>
      {bulk.data !== undefined && (
        <p className={bulk.data.failed === 0 ? 'notice notice-success' : 'notice notice-error'} role="status">
          {bulk.data.action === 'claim' ? 'Claimed' : 'Resolved'} {bulk.data.done}.
          {bulk.data.failed > 0 && ` ${bulk.data.failed} could not be changed: ${describeError(bulk.data.firstError)}`}
        </p>
      )}
    </div>
  );
}

/** The queue grouped by reader: one row per reader with their reasons, selectable for bulk actions. */
function GroupedQueue({
  items,
  me,
  now,
  titleOf,
  selected,
  setSelected,
}: {
  readonly items: readonly AttentionItemDto[];
  readonly me: UserDto;
  readonly now: number;
  readonly titleOf: (id: string) => string | undefined;
  readonly selected: ReadonlySet<number>;
  readonly setSelected: (next: Set<number>) => void;
}) {
  const groups = useMemo(() => groupByReader(items), [items]);
  const toggle = (ids: readonly number[], on: boolean) => {
    const next = new Set(selected);
    for (const id of ids) if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const allIds = items.map((i) => i.id);
  const allOn = allIds.length > 0 && allIds.every((id) => selected.has(id));
  return (
    <>
      <label className="checkbox select-all">
        <input type="checkbox" checked={allOn} onChange={(e) => toggle(allIds, e.target.checked)} /> Select all {groups.length} readers ({items.length} items)
      </label>
      <ul className="attention-groups" data-testid="attention-groups">
        {groups.map((group) => {
          const ids = group.items.map((i) => i.id);
          const on = ids.every((id) => selected.has(id));
          const checkboxId = `attention-reader-${group.reader.id}`;
          return (
            <li key={group.reader.id} className="attention-group card" data-testid="attention-group" data-reader-id={group.reader.id}>
              <div className="attention-group-head">
                <input id={checkboxId} type="checkbox" checked={on} onChange={(e) => toggle(ids, e.target.checked)} />
                <label htmlFor={checkboxId} className="visually-hidden">
                  Select {nameOf(group.reader)} ({group.reader.email})
                </label>
                <div className="attention-who">
                  <Link to={`/readers/${group.reader.id}`} className="person-name">
                    {nameOf(group.reader)}
                  </Link>
                  {group.reader.name !== '' && <span className="muted reader-email">{group.reader.email}</span>}
                </div>
                <span className="count-pill" aria-label={`${group.items.length} items`}>
                  {group.items.length}
                </span>
              </div>
              <ul className="attention-reasons">
                {group.items.map((item) => (
                  <li key={item.id} data-testid="attention-item" data-item-id={item.id}>
                    <label className="checkbox-inline">
                      <input type="checkbox" checked={selected.has(item.id)} onChange={(e) => toggle([item.id], e.target.checked)} />
                      <span className="attention-reason">{reasonText(item, titleOf)}</span>
                    </label>
                    <span className="muted">
                      since{' '}
                      <time dateTime={item.since} title={formatDateTime(item.since)}>
                        {formatTimeAgo(item.since, now)}
                      </time>
                    </span>
                    <span className="attention-holder" data-testid="attention-state">
                      {item.state === 'claimed' && item.claimedBy !== null ? (item.claimedBy.id === me.id ? 'Claimed by you' : `Claimed by ${nameOf(item.claimedBy)}`) : 'Open'}
                    </span>
                  </li>
                ))}
              </ul>
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** The shared attention queue: who needs a consultant, who is on it, and what was done. */
export function AttentionPage({ user }: { readonly user: UserDto }) {
  const ids = useId();
  const [params, setParams] = useSearchParams();
  const tab: Tab = params.get('tab') === 'mine' || params.get('tab') === 'resolved' ? (params.get('tab') as Tab) : 'open';
  const reasonParam = params.get('reason');
  const reason = REASONS.some((r) => r.id === reasonParam) ? (reasonParam as AttentionReason) : null;
  const grouped = params.get('view') !== 'items';
  // ?reader=ID: one reader's items (the reader's page links here).
  const readerParam = Number(params.get('reader'));
  const reader = Number.isSafeInteger(readerParam) && readerParam > 0 ? readerParam : null;
  const cohort = useCohortChoice();
  const now = useNow(30_000);
  const { titleOf } = useChapters();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const open = useItems('open', cohort, reason, reader, tab === 'open');
  const claimed = useItems('claimed', cohort, reason, reader, tab !== 'resolved');
  const resolved = useItems('resolved', cohort, reason, reader, tab === 'resolved');

  let items: AttentionItemDto[] | undefined;
  let query = open;
  let complete = true;
  if (tab === 'open') {
    // The queue shows every unresolved item with who holds it, so no one follows up twice.
    items = open.data && claimed.data ? [...open.data.items, ...claimed.data.items] : undefined;
    items?.sort((a, b) => a.since.localeCompare(b.since) || a.id - b.id);
    query = open.data ? claimed : open;
    complete = (open.data?.complete ?? true) && (claimed.data?.complete ?? true);
  } else if (tab === 'mine') {
    items = claimed.data?.items.filter((i) => i.claimedBy?.id === user.id);
    query = claimed;
  } else {
    items = resolved.data?.items.slice().reverse();
    query = resolved;
    complete = resolved.data?.complete ?? true;
  }
  const shownIds = new Set(items?.map((i) => i.id) ?? []);
  const selectedShown = new Set([...selected].filter((id) => shownIds.has(id)));
  const readers = items === undefined ? 0 : new Set(items.map((i) => i.reader.id)).size;

  return (
    <Page title="Attention" intro="Readers who need a consultant. Claim one to follow it up; colleagues see it at once." aside={<LiveStatusNote />}>
      <details className="rules-details card">
        <summary>Rules: when a reader needs attention</summary>
        <AttentionRulesPanel />
      </details>
      <div className="tabs" role="group" aria-label="Which items">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            className={`tab${tab === t.id ? ' tab-current' : ''}`}
            aria-pressed={tab === t.id}
            onClick={() => {
              setSelected(new Set());
              setParams({ tab: t.id === 'open' ? null : t.id });
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      <form className="filter-row" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={`${ids}-reason`}>Reason</label>
          <select id={`${ids}-reason`} value={reason ?? ''} onChange={(e) => setParams({ reason: e.target.value })}>
            <option value="">Every reason</option>
            {REASONS.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        {tab === 'open' && (
          <div className="field">
            <label htmlFor={`${ids}-view`}>Show</label>
            <select id={`${ids}-view`} value={grouped ? 'readers' : 'items'} onChange={(e) => setParams({ view: e.target.value === 'items' ? 'items' : null })}>
              <option value="readers">One row per reader</option>
              <option value="items">Every item</option>
            </select>
          </div>
        )}
      </form>
      {reader !== null && (
        <p className="muted" data-testid="attention-reader-filter">
          Only one reader's items{items?.[0] ? `: ${items[0].reader.name || items[0].reader.email}` : ''}.{' '}
          <button type="button" className="button-link" onClick={() => setParams({ reader: null })}>
            Show every reader
          </button>
        </p>
      )}
      <p role="status" className="muted" data-testid="attention-total">
        {items === undefined ? '' : `${items.length} ${items.length === 1 ? 'item' : 'items'} for ${readers} ${readers === 1 ? 'reader' : 'readers'}${complete ? '' : ' (the oldest 2,000 shown)'}`}
      </p>
      {tab === 'open' && selectedShown.size > 0 && items !== undefined && (
        <BulkBar selected={selectedShown} items={items} me={user} onDone={() => setSelected(new Set())} />
      )}
      <section aria-label={`${TABS.find((t) => t.id === tab)!.label} items`}>
        {items === undefined ? (
          query.isError ? (
            <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />
          ) : (
            <LoadingMessage>Loading attention items…</LoadingMessage>
          )
        ) : items.length === 0 ? (
          <EmptyMessage>
            {tab === 'resolved' ? 'Nothing resolved yet.' : tab === 'mine' ? 'You hold no items.' : reason !== null ? 'No one needs attention for that reason.' : 'No one needs attention right now.'}
          </EmptyMessage>
        ) : tab === 'open' && grouped ? (
          <GroupedQueue items={items} me={user} now={now} titleOf={titleOf} selected={selectedShown} setSelected={setSelected} />
        ) : (
          <ul className="attention-list">
            {items.map((item) => (
              <AttentionItemCard key={item.id} item={item} me={user} now={now} titleOf={titleOf} />
            ))}
          </ul>
        )}
      </section>
    </Page>
  );
}
