import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { createCohort, deleteCohort, renameCohort } from '../api/toolkit-client.js';
import { toolkitQueryKeys } from '../api/toolkit-query-keys.js';
import type { CohortDto } from '../api/toolkit-types.js';
import { useCohorts } from '../cohorts/cohort-picker.js';
import { InvitesPanel } from '../cohorts/invites-panel.js';
import { Page } from '../components/page.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { navigate } from '../router/history.js';

function CohortRow({ cohort }: { readonly cohort: CohortDto }) {
  const ids = useId();
  const queryClient = useQueryClient();
  const [name, setName] = useState(cohort.name);
  const [editing, setEditing] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: toolkitQueryKeys.cohorts });
  const rename = useMutation({ mutationFn: () => renameCohort(cohort.id, name.trim()), onSuccess: () => (setEditing(false), refresh()) });
  const remove = useMutation({ mutationFn: () => deleteCohort(cohort.id), onSuccess: refresh });
  const onRename = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    rename.mutate();
  };
  return (
    <li className="cohort-row card">
      {editing ? (
        <form className="field-row" onSubmit={onRename}>
          <label htmlFor={`${ids}-name`} className="visually-hidden">
            New name for {cohort.name}
          </label>
          <input id={`${ids}-name`} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="button button-primary button-small" disabled={rename.isPending}>
            Save
          </button>
          <button type="button" className="button button-quiet button-small" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="cohort-row-main">
          <strong>{cohort.name}</strong>
          <span className="muted">
            {cohort.readerCount} {cohort.readerCount === 1 ? 'reader' : 'readers'}
          </span>
        </div>
      )}
      {(rename.isError || remove.isError) && <ErrorMessage error={rename.error ?? remove.error} />}
      {!editing && (
        <div className="button-row">
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => {
              navigate(`/readers?cohort=${cohort.id}`);
            }}
          >
            View readers
          </button>
          <button type="button" className="button button-quiet button-small" onClick={() => setEditing(true)}>
            Rename
          </button>
          <button
            type="button"
            className="button button-quiet button-small"
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(`Delete the cohort “${cohort.name}”? Its readers stay.`)) remove.mutate();
            }}
          >
            Delete
          </button>
        </div>
      )}
    </li>
  );
}

/** Cohorts (create, rename, delete) and the invites that bring readers into them. */
export function CohortsPage() {
  const ids = useId();
  const queryClient = useQueryClient();
  const cohorts = useCohorts();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => createCohort(name.trim()),
    onSuccess: () => {
      setName('');
      void queryClient.invalidateQueries({ queryKey: toolkitQueryKeys.cohorts });
    },
  });
  const onCreate = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (name.trim() !== '') create.mutate();
  };
  return (
    <Page title="Cohorts" intro="Groups of readers, such as a class or a book club. A reader may be in several.">
      <section className="panel card" aria-labelledby={`${ids}-new`}>
        <h2 id={`${ids}-new`}>New cohort</h2>
        <form className="field-row cohort-new" onSubmit={onCreate}>
          <div className="field field-grow">
            <label htmlFor={`${ids}-name`}>Name</label>
            <input id={`${ids}-name`} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            Create cohort
          </button>
        </form>
        {create.isError && <ErrorMessage error={create.error} prefix="Not created." />}
      </section>
      <section aria-labelledby={`${ids}-list`}>
        <h2 id={`${ids}-list`}>All cohorts</h2>
        {cohorts.isPending ? (
          <LoadingMessage>Loading cohorts…</LoadingMessage>
        ) : cohorts.isError ? (
          <ErrorMessage error={cohorts.error} onRetry={() => void cohorts.refetch()} />
        ) : cohorts.data.length === 0 ? (
          <EmptyMessage>No cohorts yet.</EmptyMessage>
        ) : (
          <ul className="cohort-list">
            {cohorts.data.map((cohort) => (
              <CohortRow key={cohort.id} cohort={cohort} />
            ))}
          </ul>
        )}
      </section>
      <InvitesPanel cohorts={cohorts.data ?? []} />
    </Page>
  );
}
