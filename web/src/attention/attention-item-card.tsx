import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../api/api-error.js';
import { actOnAttention } from '../api/toolkit-client.js';
import { toolkitQueryKeys } from '../api/toolkit-query-keys.js';
import type { AttentionItemDto } from '../api/toolkit-types.js';
import type { UserDto } from '../api/types.js';
import { Link } from '../router/link.js';
import { reasonText } from './attention-groups.js';
import { formatDateTime, formatTimeAgo } from '../time/relative-time.js';

const nameOf = (user: UserDto) => (user.name !== '' ? user.name : user.email);

/** One attention item with what the signed-in consultant can do about it. */
export function AttentionItemCard({
  item,
  me,
  now,
  titleOf,
}: {
  readonly item: AttentionItemDto;
  readonly me: UserDto;
  readonly now: number;
  readonly titleOf: (id: string) => string | undefined;
}) {
  const queryClient = useQueryClient();
  const ids = useId();
  const [note, setNote] = useState('');
  const [resolving, setResolving] = useState(false);
  const act = useMutation({
    mutationFn: (action: 'claim' | 'release' | 'resolve') => actOnAttention(item.id, action, note),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: toolkitQueryKeys.attention }),
  });
  const mine = item.claimedBy?.id === me.id;
  const heldByOther = item.state === 'claimed' && !mine;
  const onResolve = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    act.mutate('resolve');
  };
  return (
    <li className="attention-item card" data-testid="attention-item" data-item-id={item.id}>
      <div className="attention-main">
        <Link to={`/readers/${item.reader.id}`} className="person-name">
          {nameOf(item.reader)}
        </Link>
        {item.reader.name !== '' && <span className="muted reader-email">{item.reader.email}</span>}
        <span className="attention-reason">{reasonText(item, titleOf)}</span>
        <span className="muted">
          since{' '}
          <time dateTime={item.since} title={formatDateTime(item.since)}>
            {formatTimeAgo(item.since, now)}
          </time>
        </span>
      </div>
      <p className="attention-state" data-testid="attention-state">
        {item.state === 'open' && 'Open: nobody has it yet.'}
        {item.state === 'claimed' && item.claimedBy !== null && (mine ? 'Claimed by you.' : `Claimed by ${nameOf(item.claimedBy)}.`)}
        {item.state === 'resolved' &&
          (item.resolvedBy === null ? 'Resolved by itself: the cause went away.' : `Resolved by ${nameOf(item.resolvedBy)}.`)}
        {item.note !== null && <span className="attention-note"> Note: {item.note}</span>}
      </p>
      {act.isError && (
        <div className="notice notice-error" role="alert">
          <p>{describeError(act.error)}</p>
        </div>
      )}
      {item.state !== 'resolved' && !heldByOther && (
        <div className="button-row">
          {item.state === 'open' && (
            <button type="button" className="button button-primary button-small" disabled={act.isPending} onClick={() => act.mutate('claim')}>
              Claim
            </button>
          )}
          {mine && (
            <button type="button" className="button button-secondary button-small" disabled={act.isPending} onClick={() => act.mutate('release')}>
              Release
            </button>
          )}
          {!resolving && (
            <button type="button" className="button button-quiet button-small" onClick={() => setResolving(true)}>
              Resolve…
            </button>
          )}
        </div>
      )}
      {resolving && item.state !== 'resolved' && !heldByOther && (
        <form className="attention-resolve" onSubmit={onResolve}>
          <label htmlFor={`${ids}-note`}>
            Note <span className="optional">(optional)</span>
          </label>
          <textarea id={`${ids}-note`} maxLength={2000} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
          <div className="button-row">
            <button type="submit" className="button button-primary button-small" disabled={act.isPending}>
              Mark resolved
            </button>
            <button type="button" className="button button-quiet button-small" onClick={() => setResolving(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
