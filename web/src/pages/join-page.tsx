import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { describeError, isApiError } from '../api/api-error.js';
import { queryKeys } from '../api/query-keys.js';
import { registerWithInvite } from '../api/toolkit-client.js';
import { Page } from '../components/page.js';
import { navigate } from '../router/history.js';

/** The page an invite link opens: create a reader account with the invite's code. */
export function JoinPage({ code }: { readonly code: string }) {
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
                {isApiError(join.error, 403)
                  ? 'This invite link cannot be used: it may have expired, been used up or been revoked. Ask your consultant for a new one.'
                  : describeError(join.error)}
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
