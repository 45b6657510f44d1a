import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { isApiError } from '../api/api-error.js';
import { signOut } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { UserDto } from '../api/types.js';
import { navigate } from '../router/history.js';
import { Link } from '../router/link.js';
import { homePathFor } from '../session/role-routes.js';
import { ErrorMessage } from './status-messages.js';
import { AttentionNavCount } from '../attention/attention-nav-count.js';
import { CohortPicker } from '../cohorts/cohort-picker.js';
import { isScopedPath } from '../cohorts/cohort-choice.js';
import { ScopeLine } from '../cohorts/scope-line.js';
import { useLocation } from '../router/history.js';
import { PageScopeContext } from './page-scope.js';

const NAV_BY_ROLE = {
  reader: [
    { to: '/reading', label: 'My chapters', currentWhen: 'exact' },
    { to: '/reading/activity', label: 'My activity', currentWhen: 'exact' },
    { to: '/reading/my-data', label: 'My data', currentWhen: 'exact' },
    { to: '/account', label: 'Account', currentWhen: 'exact' },
  ],
  consultant: [
    { to: '/dashboard', label: 'Dashboard', currentWhen: 'exact' },
    { to: '/readers', label: 'Readers', currentWhen: 'prefix' },
    { to: '/attention', label: 'Attention', currentWhen: 'exact' },
    { to: '/cohorts', label: 'Cohorts', currentWhen: 'exact' },
    { to: '/program', label: 'Program', currentWhen: 'exact' },
    { to: '/program/overview', label: 'Overview', currentWhen: 'exact' },
    { to: '/program/grid', label: 'Grid', currentWhen: 'exact' },
    { to: '/lrs-credentials', label: 'LRS credentials', currentWhen: 'exact' },
    { to: '/account', label: 'Account', currentWhen: 'exact' },
  ],
} as const;

function SignOutButton() {
  const queryClient = useQueryClient();
  const signOutMutation = useMutation({
    mutationFn: signOut,
    onSettled: (_result, error) => {
      // A 401 means the session was already gone: that is signed out too.
      if (error !== null && !isApiError(error, 401)) return;
      queryClient.clear();
      queryClient.setQueryData(queryKeys.currentUser, null);
      navigate('/sign-in', { replace: true });
    },
  });
  return (
    <>
      <button type="button" className="button button-quiet" onClick={() => signOutMutation.mutate()} disabled={signOutMutation.isPending}>
        {signOutMutation.isPending ? 'Signing out…' : 'Sign out'}
      </button>
      {signOutMutation.isError && !isApiError(signOutMutation.error, 401) && (
        <div className="header-error">
          <ErrorMessage error={signOutMutation.error} prefix="Could not sign out." />
        </div>
      )}
    </>
  );
}

/** Skip link, header with the role's navigation and sign-out, and the main landmark. */
export function AppShell({ user, children }: { readonly user: UserDto | null; readonly children: ReactNode }) {
  const { pathname } = useLocation();
  const scoped = user?.role === 'consultant' && isScopedPath(pathname) && pathname !== '/cohorts';
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <Link to={user === null ? '/sign-in' : homePathFor(user.role)} className="brand">
            <span className="brand-mark" aria-hidden="true" />
            ReadPulse
          </Link>
          {user !== null && (
            <>
              <nav aria-label="Main" className="main-nav">
                <ul>
                  {NAV_BY_ROLE[user.role].map((item) => (
                    <li key={item.to}>
                      <Link to={item.to} currentWhen={item.currentWhen}>
                        {item.label}
                        {item.to === '/attention' && <AttentionNavCount />}
                      </Link>
                    </li>
                  ))}
                </ul>
              </nav>
              {user.role === 'consultant' && <CohortPicker />}
              <div className="account">
                <span className="account-name" title={user.email}>
                  {user.name !== '' ? user.name : user.email}
                  <span className="visually-hidden"> ({user.role})</span>
                </span>
                <SignOutButton />
              </div>
            </>
          )}
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <PageScopeContext.Provider value={scoped ? <ScopeLine /> : null}>{children}</PageScopeContext.Provider>
      </main>
    </>
  );
}
