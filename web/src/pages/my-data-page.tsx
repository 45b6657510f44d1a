import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { isApiError } from '../api/api-error.js';
import { deleteMyAccount, fetchMyAccessLog, MY_DATA_URL } from '../api/insight-client.js';
import { queryKeys } from '../api/query-keys.js';
import { LoadMoreButton } from '../components/load-more.js';
import { Page } from '../components/page.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { mergePages, nextCursorOf } from '../pagination/merge-pages.js';
import { navigate } from '../router/history.js';
import { WRONG_PASSWORD_IS_401 } from '../session/create-query-client.js';
import { formatDateTime } from '../time/relative-time.js';

const WHAT_LABEL = { progress: 'your chapter progress', activity: 'your activity history', export: 'an export that included you' } as const;

function AccessLog() {
  const logQuery = useInfiniteQuery({
    queryKey: queryKeys.myAccessLog,
    queryFn: ({ pageParam }) => fetchMyAccessLog(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: nextCursorOf,
  });
  const entries = mergePages(logQuery.data?.pages, (page) => page.entries, (e) => `${e.consultant.id}:${e.what}:${e.at}`);
  if (logQuery.isPending) return <LoadingMessage>Loading who viewed your data…</LoadingMessage>;
  if (logQuery.data === undefined) return <ErrorMessage error={logQuery.error} onRetry={() => void logQuery.refetch()} />;
  if (entries.length === 0) return <EmptyMessage>No consultant has viewed your data yet.</EmptyMessage>;
  return (
    <>
      <table className="data-table" aria-describedby="access-log-note">
        <caption className="visually-hidden">Consultants who viewed your data, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What they saw</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={`${e.consultant.id}:${e.what}:${e.at}`}>
              <td>
                <time dateTime={e.at}>{formatDateTime(e.at)}</time>
              </td>
              <td>{e.consultant.name === '' ? `Consultant #${e.consultant.id}` : e.consultant.name}</td>
              <td>{WHAT_LABEL[e.what]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <LoadMoreButton label="Show older views" hasMore={logQuery.hasNextPage} isLoading={logQuery.isFetchingNextPage} onLoadMore={() => void logQuery.fetchNextPage()} />
    </>
  );
}

function DeleteAccount() {
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const deletion = useMutation({
    mutationFn: deleteMyAccount,
    meta: WRONG_PASSWORD_IS_401,
    onSuccess: () => {
      queryClient.clear();
      queryClient.setQueryData(queryKeys.currentUser, null);
      navigate('/sign-in?deleted=1', { replace: true });
    },
  });
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (password !== '' && confirmed) deletion.mutate(password);
  };
  return (
    <form className="delete-account" onSubmit={onSubmit} aria-describedby="delete-warning">
      <p id="delete-warning">
        This deletes your account and everything stored about you: progress, activity and the record of who viewed it. It
        cannot be undone. Download your data first if you want to keep it.
      </p>
      <div className="field">
        <label htmlFor="delete-password">Your password</label>
        <input id="delete-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} /> I understand that my account and data will be gone
      </label>
      {deletion.isError &&
        (isApiError(deletion.error, 401) ? (
          <div className="notice notice-error" role="alert" data-testid="delete-error">
            <p>
              <strong>That password is not correct.</strong> Your account was not deleted, and you are still signed in.
            </p>
          </div>
        ) : (
          <ErrorMessage error={deletion.error} prefix="Could not delete your account." />
        ))}
      <div className="button-row">
        <button type="submit" className="button button-danger" disabled={deletion.isPending || password === '' || !confirmed}>
          {deletion.isPending ? 'Deleting…' : 'Delete my account'}
        </button>
      </div>
    </form>
  );
}

/** A reader's own data: download it, see which consultants viewed it, delete the account. */
export function MyDataPage() {
  return (
    <Page title="My data" intro="Everything ReadPulse keeps about you, who has looked at it, and how to leave.">
      <section className="panel" aria-labelledby="download-heading">
        <h2 id="download-heading">Download my data</h2>
        <p>Your account, chapter progress, activity and access log as one JSON file.</p>
        <a className="button button-secondary" href={MY_DATA_URL} download="readpulse-my-data.json">
          Download my data
        </a>
      </section>
      <section className="panel" aria-labelledby="access-heading">
        <h2 id="access-heading">Who viewed my data</h2>
        <p id="access-log-note" className="panel-note">
          Each time a consultant opens your progress or history, or exports data that includes you, it is noted here (one line
          per consultant and kind of view per hour).
        </p>
        <AccessLog />
      </section>
      <section className="panel" aria-labelledby="delete-heading">
        <h2 id="delete-heading">Delete my account</h2>
        <DeleteAccount />
      </section>
    </Page>
  );
}
