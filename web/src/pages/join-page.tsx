import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { describeError, isApiError } from '../api/api-error.js';
import { queryKeys } from '../api/query-keys.js';
import { fetchInviteStatus, registerWithInvite } from '../api/toolkit-client.js';
import { Page } from '../components/page.js';
import { LoadingMessage } from '../components/status-messages.js';
import { navigate } from '../router/history.js';
import { Link } from '../router/link.js';

const DEAD_INVITE = 'This invite link cannot be used: it may have expired, been used up or been revoked. Ask your consultant for a new one.';

/**
 * The page an invite link opens: create a reader account with the invite's code. It asks first
 * whether the code still works, so a dead link says so on arrival instead of after the form; if
 * that question fails (offline, rate-limited) the form is shown and registration answers.
 */
export function JoinPage({ code }: { readonly code: string }) {
  const status = useQuery({ queryKey: ['invite-status', code], queryFn: () => fetchInviteStatus(code), retry: false, staleTime: Infinity });
  if (status.isPending) {
    return (
      <Page title="Join ReadPulse">
        <LoadingMessage>Checking the invite link…</LoadingMessage>
      </Page>
    );
  }
  if (status.data?.valid === false) {
    return (
      <Page title="Join ReadPulse">
        <div className="card auth-card notice notice-error" data-testid="invite-dead">
          <p>{DEAD_INVITE}</p>
          <p>
            Already have an account? <Link to="/sign-in">Sign in</Link>.
          </p>
        </div>
      </Page>
    );
  }
  return <JoinForm code={code} />;
}

function JoinForm({ code }: { readonly code: string }) {
  const ids = useId();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const join = useMutation({
    mutationFn: () => registerWithInvite({ email, password, invite: code, ...(name.trim() === '' ? {} : { name: name.trim() }) }),
    onSuccess: (result) => {
      queryClient.clear();
      queryClient.setQueryData(queryKeys.currentUser, result.user);
      navigate('/reading', { replace: true });
    },
  });
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!join.isPending) join.mutate();
  };
  return (
    <Page title="Join ReadPulse" intro="You were invited to track your reading with ReadPulse. Create your account.">
      <div className="card auth-card">
        <form onSubmit={onSubmit}>
          {join.isError && (
            <div className="notice notice-error" role="alert">
              <p>
                {isApiError(join.error, 403) ? DEAD_INVITE : describeError(join.error)}
              </p>
            </div>
          )}
          <div className="field">
            <label htmlFor={`${ids}-name`}>
              Name <span className="optional">(optional)</span>
            </label>
            <input id={`${ids}-name`} autoComplete="name" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-email`}>Email</label>
            <input id={`${ids}-email`} type="email" autoComplete="email" required maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-password`}>Password</label>
            <input
              id={`${ids}-password`}
              type="password"
              autoComplete="new-password"
              required
              minLength={8}
              maxLength={256}
              aria-describedby={`${ids}-hint`}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <p className="hint" id={`${ids}-hint`}>
              At least 8 characters.
            </p>
          </div>
          <button type="submit" className="button button-primary button-wide" disabled={join.isPending}>
            {join.isPending ? 'Creating account…' : 'Create account'}
          </button>
        </form>
      </div>
    </Page>
  );
}
