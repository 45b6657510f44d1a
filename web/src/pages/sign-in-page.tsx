import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { describeError, isApiError } from '../api/api-error.js';
import { registerReader, signIn } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { AuthResultDto } from '../api/types.js';
import { Page } from '../components/page.js';
import { navigate, useLocation } from '../router/history.js';
import { pathAfterSignIn } from '../session/role-routes.js';

type Mode = 'sign-in' | 'register';

const MIN_PASSWORD_LENGTH = 8;

function explainAuthFailure(mode: Mode, error: unknown): string {
  if (mode === 'register' && isApiError(error, 403)) {
    return 'Creating your own account is switched off here. Ask a consultant to create one for you.';
  }
  return describeError(error);
}

/** Sign in, or create a reader account; then go to the page for the user's role. */
export function SignInPage() {
  const [mode, setMode] = useState<Mode>('sign-in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const queryClient = useQueryClient();
  const { search } = useLocation();
  const fieldIds = useId();
  const isFirstRender = useRef(true);

  const authMutation = useMutation<AuthResultDto, unknown, Mode>({
    mutationFn: (submittedMode) =>
      submittedMode === 'register'
        ? registerReader(name.trim() === '' ? { email, password } : { email, password, name: name.trim() })
        : signIn(email, password),
    onSuccess: (result) => {
      // Nothing cached for a previous user may leak into this session.
      queryClient.clear();
      queryClient.setQueryData(queryKeys.currentUser, result.user);
      navigate(pathAfterSignIn(result.user.role, new URLSearchParams(search).get('next')), { replace: true });
    },
  });

  useEffect(() => {
    if (isFirstRender.current) {
      isFirstRender.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [mode]);

  const switchMode = (next: Mode) => {
    authMutation.reset();
    setMode(next);
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!authMutation.isPending) authMutation.mutate(mode);
  };

  const isRegister = mode === 'register';
  const passwordHintId = `${fieldIds}-password-hint`;
  return (
    <Page
      title={isRegister ? 'Create your account' : 'Sign in to ReadPulse'}
      intro={isRegister ? 'Readers can create an account to track their chapters.' : 'Track your reading, or follow your readers.'}
    >
      <div className="card auth-card">
        <form onSubmit={onSubmit} noValidate={false} aria-describedby={authMutation.isError ? `${fieldIds}-error` : undefined}>
          {authMutation.isError && (
            <div className="notice notice-error" role="alert" id={`${fieldIds}-error`}>
              <p>{explainAuthFailure(authMutation.variables ?? mode, authMutation.error)}</p>
            </div>
          )}
          {isRegister && (
            <div className="field">
              <label htmlFor={`${fieldIds}-name`}>
                Name <span className="optional">(optional)</span>
              </label>
              <input
                id={`${fieldIds}-name`}
                name="name"
                autoComplete="name"
                value={name}
                maxLength={100}
                aria-describedby={`${fieldIds}-name-hint`}
                onChange={(e) => setName(e.target.value)}
              />
              <p className="hint" id={`${fieldIds}-name-hint`}>
                Up to 100 characters.
              </p>
            </div>
          )}
          <div className="field">
            <label htmlFor={`${fieldIds}-email`}>Email</label>
            <input
              id={`${fieldIds}-email`}
              name="email"
              type="email"
              autoComplete={isRegister ? 'email' : 'username'}
              required
              maxLength={254}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${fieldIds}-password`}>Password</label>
            <input
              id={`${fieldIds}-password`}
              name="password"
              type="password"
              autoComplete={isRegister ? 'new-password' : 'current-password'}
              required
              minLength={isRegister ? MIN_PASSWORD_LENGTH : undefined}
              maxLength={256}
              aria-describedby={isRegister ? passwordHintId : undefined}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            {isRegister && (
              <p className="hint" id={passwordHintId}>
                At least {MIN_PASSWORD_LENGTH} characters.
              </p>
            )}
          </div>
          <button type="submit" className="button button-primary button-wide" disabled={authMutation.isPending}>
            {authMutation.isPending ? (isRegister ? 'Creating account…' : 'Signing in…') : isRegister ? 'Create account' : 'Sign in'}
          </button>
        </form>
        <div className="auth-switch">
          {isRegister ? (
            <>
              <span>Already have an account?</span>
              <button type="button" className="button-link" onClick={() => switchMode('sign-in')}>
                Use my existing account
              </button>
            </>
          ) : (
            <>
              <span>New to ReadPulse?</span>
              <button type="button" className="button-link" onClick={() => switchMode('register')}>
                Create account
              </button>
            </>
          )}
        </div>
      </div>
    </Page>
  );
}
