import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { isApiError } from '../api/api-error.js';
import { changeMyPassword } from '../api/client.js';
import type { UserDto } from '../api/types.js';
import { Page } from '../components/page.js';
import { ErrorMessage } from '../components/status-messages.js';
import { WRONG_PASSWORD_IS_401 } from '../session/create-query-client.js';

/** The server's limits on a new password. */
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 256;

/** What is wrong with a new password before it is sent, or null. */
export function newPasswordProblem(current: string, next: string, repeated: string): string | null {
  if (next.length < PASSWORD_MIN) return `The new password needs at least ${PASSWORD_MIN} characters.`;
  if (next.length > PASSWORD_MAX) return `The new password can have at most ${PASSWORD_MAX} characters.`;
  if (next !== repeated) return 'The two new passwords are not the same.';
  if (next === current) return 'The new password is the same as the current one.';
  return null;
}

function ChangePassword() {
  const ids = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeated, setRepeated] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: () => changeMyPassword(current, next),
    meta: WRONG_PASSWORD_IS_401,
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setRepeated('');
    },
  });
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = newPasswordProblem(current, next, repeated);
    setProblem(found);
    if (found === null) change.mutate();
    else change.reset();
  };
  return (
    <form className="stack-form" onSubmit={onSubmit} noValidate>
      <div className="field">
        <label htmlFor={`${ids}-current`}>Current password</label>
        <input id={`${ids}-current`} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
      </div>
      <div className="field">
        <label htmlFor={`${ids}-new`}>New password</label>
        <input
          id={`${ids}-new`}
          type="password"
          autoComplete="new-password"
          minLength={PASSWORD_MIN}
          maxLength={PASSWORD_MAX}
          aria-describedby={`${ids}-hint`}
          value={next}
          onChange={(e) => setNext(e.target.value)}
          required
        />
        <p id={`${ids}-hint`} className="field-hint">
          {PASSWORD_MIN} to {PASSWORD_MAX} characters.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${ids}-repeat`}>New password again</label>
        <input id={`${ids}-repeat`} type="password" autoComplete="new-password" maxLength={PASSWORD_MAX} value={repeated} onChange={(e) => setRepeated(e.target.value)} required />
      </div>
      {problem !== null && (
        <div className="notice notice-error" role="alert">
          <p>{problem}</p>
        </div>
      )}
      {change.isError &&
        (isApiError(change.error, 401) ? (
          <div className="notice notice-error" role="alert">
            <p>
              <strong>The current password is not correct.</strong> Nothing was changed.
            </p>
          </div>
        ) : (
          <ErrorMessage error={change.error} prefix="Could not change your password." />
        ))}
      {change.isSuccess && (
        <div className="notice notice-success" role="status" data-testid="password-changed">
          <p>Your password is changed. Your other sessions were signed out; this one stays signed in.</p>
        </div>
      )}
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={change.isPending || current === '' || next === ''}>
          {change.isPending ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}

/** The signed-in person's account: who they are, and a password change. */
export function AccountPage({ user }: { readonly user: UserDto }) {
  return (
    <Page title="Account" intro={`Signed in as ${user.email}${user.name !== '' ? ` (${user.name})` : ''}.`}>
      <section className="panel card" aria-labelledby="password-heading">
        <h2 id="password-heading">Change password</h2>
        <ChangePassword />
      </section>
    </Page>
  );
}
