import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { createLrsCredential, deleteLrsCredential, fetchLrsCredentials, lrsEndpoint, xapiQueryKeys } from '../api/xapi-client.js';
import type { CreatedLrsCredentialDto, LrsCredentialDto } from '../api/xapi-types.js';
import { CopyButton } from '../components/copy-button.js';
import { Page } from '../components/page.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { formatDateTime } from '../time/relative-time.js';
import { credentialNameProblem, MAX_CREDENTIAL_NAME_LENGTH } from '../xapi/credential-form.js';


/** A labelled read-only value with a copy button (the endpoint, a key, a secret). */
function CopyableValue({ id, label, value, testId }: { readonly id: string; readonly label: string; readonly value: string; readonly testId: string }) {
  return (
    <div className="field copyable">
      <label htmlFor={id}>{label}</label>
      <div className="copyable-row">
        <input id={id} className="copyable-value" readOnly value={value} spellCheck={false} onFocus={(e) => e.target.select()} data-testid={testId} />
        <CopyButton text={value} label={`Copy ${label.toLowerCase()}`} />
      </div>
    </div>
  );
}

/** The one time a credential's secret is shown, with its key and the endpoint. */
function CreatedSecret({ created, onDone }: { readonly created: CreatedLrsCredentialDto; readonly onDone: () => void }) {
  const ids = useId();
  const box = useRef<HTMLElement>(null);
  useEffect(() => box.current?.focus(), [created]);
  return (
    <section ref={box} className="secret-box" tabIndex={-1} aria-labelledby={`${ids}-heading`} data-testid="created-credential">
      <h3 id={`${ids}-heading`}>Secret for “{created.credential.name}”</h3>
      <p>
        <strong>Copy the secret now: it will not be shown again.</strong> ReadPulse keeps only a hash of it. If it is lost, delete
        this credential and create another.
      </p>
      <CopyableValue id={`${ids}-endpoint`} label="Endpoint" value={lrsEndpoint()} testId="created-endpoint" />
      <CopyableValue id={`${ids}-key`} label="Key" value={created.credential.key} testId="created-key" />
      <CopyableValue id={`${ids}-secret`} label="Secret" value={created.secret} testId="created-secret" />
      <p className="hint">Content signs in with HTTP Basic: the key as the user name, the secret as the password.</p>
      <div className="button-row">
        <button type="button" className="button button-primary button-small" onClick={onDone}>
          I have copied the secret
        </button>
      </div>
    </section>
  );
}

function NewCredentialForm({ onCreated }: { readonly onCreated: (created: CreatedLrsCredentialDto) => void }) {
  const ids = useId();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (value: string) => createLrsCredential(value),
    onSuccess: (created) => {
      setName('');
      queryClient.setQueryData<LrsCredentialDto[]>(xapiQueryKeys.lrsCredentials, (list) =>
        list === undefined ? list : [created.credential, ...list.filter((c) => c.id !== created.credential.id)],
      );
      void queryClient.invalidateQueries({ queryKey: xapiQueryKeys.lrsCredentials });
      onCreated(created);
    },
  });
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = credentialNameProblem(name);
    setProblem(found);
    if (found !== null) return document.getElementById(`${ids}-name`)?.focus();
    create.mutate(name.trim());
  };
  const describedBy = [problem !== null ? `${ids}-name-error` : null, `${ids}-name-hint`].filter((v) => v !== null).join(' ');
  return (
    <form className="credential-form" onSubmit={onSubmit} noValidate>
      <div className="field field-grow">
        <label htmlFor={`${ids}-name`}>Name</label>
        <input
          id={`${ids}-name`}
          value={name}
          autoComplete="off"
          aria-invalid={problem !== null ? true : undefined}
          aria-describedby={describedBy}
          onChange={(e) => {
            setName(e.target.value);
            setProblem(null);
            if (create.isError) create.reset();
          }}
        />
        <p className="hint" id={`${ids}-name-hint`}>
          Where it will be used, e.g. “H5P on the course site”. Up to {MAX_CREDENTIAL_NAME_LENGTH} characters.
        </p>
        {problem !== null && (
          <p className="field-error" id={`${ids}-name-error`}>
            {problem}
          </p>
        )}
      </div>
      {create.isError && <ErrorMessage error={create.error} prefix="Not created." />}
      <button type="submit" className="button button-primary" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create credential'}
      </button>
    </form>
  );
}

function CredentialRow({ credential, onDeleted }: { readonly credential: LrsCredentialDto; readonly onDeleted: (credential: LrsCredentialDto) => void }) {
  const ids = useId();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const remove = useMutation({
    mutationFn: () => deleteLrsCredential(credential.id),
    onSuccess: () => {
      queryClient.setQueryData<LrsCredentialDto[]>(xapiQueryKeys.lrsCredentials, (list) => list?.filter((c) => c.id !== credential.id));
      void queryClient.invalidateQueries({ queryKey: xapiQueryKeys.lrsCredentials });
      onDeleted(credential);
    },
  });
  return (
    <li className="credential-row card" data-credential-id={credential.id} aria-labelledby={`${ids}-name`}>
      <div className="credential-main">
        <strong id={`${ids}-name`} className="credential-name">
          {credential.name}
        </strong>
        <span>
          Key <code className="credential-key">{credential.key}</code>
        </span>
        <span className="muted">
          Created <time dateTime={credential.createdAt}>{formatDateTime(credential.createdAt)}</time>
        </span>
      </div>
      {confirming ? (
        <div className="credential-confirm" role="group" aria-labelledby={`${ids}-confirm`}>
          <p id={`${ids}-confirm`}>
            Delete “{credential.name}”? Content using this key stops reporting at once; the statements it sent stay.
          </p>
          <div className="button-row">
            <button ref={confirmButton} type="button" className="button button-danger button-small" disabled={remove.isPending} onClick={() => remove.mutate()}>
              {remove.isPending ? 'Deleting…' : 'Delete credential'}
            </button>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => {
                setConfirming(false);
                remove.reset();
                requestAnimationFrame(() => deleteButton.current?.focus());
              }}
            >
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div className="button-row">
          <button
            ref={deleteButton}
            type="button"
            className="button button-secondary button-small"
            aria-label={`Delete ${credential.name}`}
            onClick={() => setConfirming(true)}
          >
            Delete
          </button>
        </div>
      )}
      {remove.isError && <ErrorMessage error={remove.error} prefix="Not deleted." />}
    </li>
  );
}

/** LRS credentials: the endpoint, making a credential (its secret shown once), the list, deleting. */
export function LrsCredentialsPage() {
  const ids = useId();
  const [created, setCreated] = useState<CreatedLrsCredentialDto | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const credentials = useQuery({ queryKey: xapiQueryKeys.lrsCredentials, queryFn: fetchLrsCredentials });
  const listHeading = useRef<HTMLHeadingElement>(null);
  return (
    <Page
      title="LRS credentials"
      intro="Keys that let content (H5P, Articulate, cmi5 players and other xAPI tools) send learning records to ReadPulse."
    >
      <div role="status" className={announcement === '' ? undefined : 'notice notice-success'}>
        {announcement}
      </div>
      <section className="panel card" aria-labelledby={`${ids}-endpoint`}>
        <h2 id={`${ids}-endpoint`}>Where content reports</h2>
        <p className="panel-note">
          Give content this endpoint with a credential’s key and secret. A statement whose actor is <code>mailto:</code> and a
          reader’s email shows on that reader’s page, and statements about a chapter’s activity IRI (set on the Program page) move
          that chapter.
        </p>
        <CopyableValue id={`${ids}-endpoint-value`} label="Endpoint" value={lrsEndpoint()} testId="lrs-endpoint" />
      </section>
      <section className="panel card" aria-labelledby={`${ids}-new`}>
        <h2 id={`${ids}-new`}>New credential</h2>
        <NewCredentialForm
          onCreated={(made) => {
            setAnnouncement('');
            setCreated(made);
          }}
        />
        {created !== null && (
          <CreatedSecret
            created={created}
            onDone={() => {
              setCreated(null);
              requestAnimationFrame(() => listHeading.current?.focus());
            }}
          />
        )}
      </section>
      <section className="panel card" aria-labelledby={`${ids}-list`}>
        <h2 id={`${ids}-list`} ref={listHeading} tabIndex={-1}>
          Credentials
        </h2>
        {credentials.isPending ? (
          <LoadingMessage>Loading credentials…</LoadingMessage>
        ) : credentials.isError ? (
          <ErrorMessage error={credentials.error} onRetry={() => void credentials.refetch()} />
        ) : credentials.data.length === 0 ? (
          <EmptyMessage>No credentials yet. Create one above, then give its endpoint, key and secret to the content that should report here.</EmptyMessage>
        ) : (
          <ul className="credential-list" data-testid="credential-list">
            {credentials.data.map((credential) => (
              <CredentialRow
                key={credential.id}
                credential={credential}
                onDeleted={(deleted) => {
                  if (created?.credential.id === deleted.id) setCreated(null);
                  setAnnouncement(`Deleted “${deleted.name}”: its key no longer works.`);
                  requestAnimationFrame(() => listHeading.current?.focus());
                }}
              />
            ))}
          </ul>
        )}
      </section>
    </Page>
  );
}
