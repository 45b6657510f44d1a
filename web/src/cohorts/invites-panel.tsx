import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { createInvite, fetchInvites, revokeInvite } from '../api/toolkit-client.js';
import { toolkitQueryKeys } from '../api/toolkit-query-keys.js';
import type { CohortDto, InviteDto } from '../api/toolkit-types.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { formatDateTime } from '../time/relative-time.js';

/** The link a new reader opens: the web app's join page with the whole code. */
export function joinLinkFor(code: string): string {
  return `${window.location.origin}/join/${code}`;
}

/** Copies a text to the clipboard and says whether it worked. */
function CopyButton({ text }: { readonly text: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = () => {
    // The clipboard needs a secure context (HTTPS or localhost); elsewhere it is missing.
    if (typeof navigator.clipboard?.writeText !== 'function') {
      setState('failed');
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <>
      <button type="button" className="button button-secondary button-small" onClick={copy}>
        Copy link
      </button>
      <span role="status" className="muted">
        {state === 'copied' ? 'Copied.' : state === 'failed' ? 'Could not copy: select the link and copy it yourself.' : ''}
      </span>
    </>
  );
}

/** Invites: create one (its link is shown once), list them by their code's first characters, revoke. */
export function InvitesPanel({ cohorts }: { readonly cohorts: readonly CohortDto[] }) {
  const ids = useId();
  const queryClient = useQueryClient();
  const [cohortId, setCohortId] = useState('');
  const [maxUses, setMaxUses] = useState('25');
  const [days, setDays] = useState('14');
  const [created, setCreated] = useState<InviteDto | null>(null);
  const invites = useQuery({ queryKey: toolkitQueryKeys.invites, queryFn: () => fetchInvites({ limit: 50 }) });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: toolkitQueryKeys.invites });
  const create = useMutation({
    mutationFn: () =>
      createInvite({ ...(cohortId === '' ? {} : { cohortId: Number(cohortId) }), maxUses: Number(maxUses), expiresInDays: Number(days) }),
    onSuccess: (invite) => {
      setCreated(invite);
      refresh();
    },
  });
  const revoke = useMutation({ mutationFn: revokeInvite, onSuccess: refresh });
  const cohortName = (id: number | null) => (id === null ? 'no cohort' : (cohorts.find((c) => c.id === id)?.name ?? 'a deleted cohort'));
  const onCreate = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section className="panel card" aria-labelledby={`${ids}-heading`}>
      <h2 id={`${ids}-heading`}>Invites</h2>
      <p className="panel-note">An invite lets readers create an account (even when sign-up is closed) and puts them in its cohort.</p>
      <form className="invite-form" onSubmit={onCreate}>
        <div className="field">
          <label htmlFor={`${ids}-cohort`}>Cohort</label>
          <select id={`${ids}-cohort`} value={cohortId} onChange={(e) => setCohortId(e.target.value)}>
            <option value="">No cohort</option>
            {cohorts.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-uses`}>Uses</label>
          <input id={`${ids}-uses`} type="number" min={1} max={10000} required value={maxUses} onChange={(e) => setMaxUses(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-days`}>Valid for (days)</label>
          <input id={`${ids}-days`} type="number" min={1} max={90} required value={days} onChange={(e) => setDays(e.target.value)} />
        </div>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          Create invite
        </button>
      </form>
      {create.isError && <ErrorMessage error={create.error} prefix="No invite created." />}
      {created !== null && (
        <div className="notice notice-success" role="status">
          <p>
            <strong>Copy this link now: it is shown only once.</strong>
          </p>
          <label htmlFor={`${ids}-link`} className="invite-link-label">
            Invite link
          </label>
          <input id={`${ids}-link`} className="invite-link" readOnly value={joinLinkFor(created.code)} onFocus={(e) => e.target.select()} data-testid="invite-link" />
          <div className="button-row">
            <CopyButton text={joinLinkFor(created.code)} />
            <button type="button" className="button button-quiet button-small" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {invites.isPending ? (
        <LoadingMessage>Loading invites…</LoadingMessage>
      ) : invites.isError ? (
        <ErrorMessage error={invites.error} onRetry={() => void invites.refetch()} />
      ) : invites.data.invites.length === 0 ? (
        <EmptyMessage>No invites yet.</EmptyMessage>
      ) : (
        <ul className="invite-list">
          {invites.data.invites.map((invite) => (
            <li key={invite.code} className="invite-row">
              <code>{invite.code}…</code>
              <span>
                into {cohortName(invite.cohortId)}, {invite.usesLeft} {invite.usesLeft === 1 ? 'use' : 'uses'} left, until{' '}
                <time dateTime={invite.expiresAt}>{formatDateTime(invite.expiresAt)}</time>
              </span>
              <button type="button" className="button button-quiet button-small" disabled={revoke.isPending} onClick={() => revoke.mutate(invite.code)}>
                Revoke<span className="visually-hidden"> invite {invite.code}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {revoke.isError && <ErrorMessage error={revoke.error} prefix="Not revoked." />}
    </section>
  );
}
