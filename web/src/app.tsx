import { lazy, Suspense, type ReactNode } from 'react';
import type { Role, UserDto } from './api/types.js';
import { AppShell } from './components/app-shell.js';
import { Page } from './components/page.js';
import { ErrorMessage, LoadingMessage } from './components/status-messages.js';
import { AccountPage } from './pages/account-page.js';
import { AttentionPage } from './pages/attention-page.js';
import { CohortsPage } from './pages/cohorts-page.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { JoinPage } from './pages/join-page.js';
import { LrsCredentialsPage } from './pages/lrs-credentials-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { MyDataPage } from './pages/my-data-page.js';
import { ProgramPage } from './pages/program-page.js';
import { ReaderActivityPage } from './pages/reader-activity-page.js';
import { ReaderChaptersPage } from './pages/reader-chapters-page.js';
import { ReaderDetailPage } from './pages/reader-detail-page.js';
import { ReadersPage } from './pages/readers-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { useLocation, type AppLocation } from './router/history.js';
import { Redirect } from './router/link.js';
import { matchRoute, parsePositiveId, type RouteParams } from './router/match-route.js';
import { useRouteFocus } from './router/use-route-focus.js';
import { LiveStreamProvider } from './live/live-stream-context.js';
import { useCohortChoice } from './cohorts/cohort-choice.js';
import { homePathFor, signInPathFrom } from './session/role-routes.js';
import { useCurrentUser } from './session/use-current-user.js';

// The insight pages carry the charting and virtualizing code: loaded only when a consultant opens them.
const ProgramOverviewPage = lazy(async () => ({ default: (await import('./pages/program-overview-page.js')).ProgramOverviewPage }));
const ChapterPage = lazy(async () => ({ default: (await import('./pages/chapter-page.js')).ChapterPage }));
const ProgressGridPage = lazy(async () => ({ default: (await import('./pages/progress-grid-page.js')).ProgressGridPage }));

function Lazy({ children }: { readonly children: ReactNode }) {
  return <Suspense fallback={<LoadingMessage>Loading the page…</LoadingMessage>}>{children}</Suspense>;
}

/** Who may see a route: everyone, only people signed out, anyone signed in, or one role. */
type Access = 'anyone' | 'signed-out' | 'signed-in' | Role;

interface AppRoute {
  readonly pattern: string;
  readonly access: Access;
  readonly render: (params: RouteParams, user: UserDto | null) => ReactNode;
}

const ROUTES: readonly AppRoute[] = [
  { pattern: '/', access: 'anyone', render: (_, user) => <Redirect to={user === null ? '/sign-in' : homePathFor(user.role)} /> },
  { pattern: '/sign-in', access: 'signed-out', render: () => <SignInPage /> },
  { pattern: '/reading', access: 'reader', render: () => <ReaderChaptersPage /> },
  { pattern: '/reading/activity', access: 'reader', render: () => <ReaderActivityPage /> },
  { pattern: '/reading/my-data', access: 'reader', render: () => <MyDataPage /> },
  { pattern: '/dashboard', access: 'consultant', render: () => <DashboardPage /> },
  { pattern: '/readers', access: 'consultant', render: () => <ReadersPage /> },
  {
    pattern: '/readers/:id',
    access: 'consultant',
    render: (params, user) => {
      const readerId = parsePositiveId(params.id);
      return readerId === null ? <NotFoundPage user={user} /> : <ReaderDetailPage key={readerId} readerId={readerId} />;
    },
  },
  { pattern: '/program', access: 'consultant', render: () => <ProgramPage /> },
  { pattern: '/cohorts', access: 'consultant', render: () => <CohortsPage /> },
  { pattern: '/attention', access: 'consultant', render: (_, user) => <AttentionPage user={user!} /> },
  { pattern: '/join/:code', access: 'signed-out', render: (params) => <JoinPage code={params.code ?? ''} /> },
  { pattern: '/program/overview', access: 'consultant', render: () => <Lazy><ProgramOverviewPage /></Lazy> },
  { pattern: '/program/grid', access: 'consultant', render: () => <Lazy><ProgressGridPage /></Lazy> },
  {
    pattern: '/program/chapters/:chapterId',
    access: 'consultant',
    render: (params) => <Lazy><ChapterPage key={params.chapterId} chapterId={params.chapterId ?? ''} /></Lazy>,
  },
  { pattern: '/lrs-credentials', access: 'consultant', render: () => <LrsCredentialsPage /> },
  { pattern: '/account', access: 'signed-in', render: (_, user) => <AccountPage user={user!} /> },
];

function renderRoute(location: AppLocation, user: UserDto | null): ReactNode {
  for (const route of ROUTES) {
    const params = matchRoute(route.pattern, location.pathname);
    if (params === null) continue;
    if (route.access === 'signed-out') {
      return user === null ? route.render(params, user) : <Redirect to={homePathFor(user.role)} />;
    }
    if (route.access === 'anyone') return route.render(params, user);
    if (user === null) return <Redirect to={signInPathFrom(location.pathname, location.search)} />;
    if (route.access !== 'signed-in' && user.role !== route.access) return <Redirect to={homePathFor(user.role)} />;
    return route.render(params, user);
  }
  return <NotFoundPage user={user} />;
}

/** The whole app: finds out who is signed in, then shows the page for the address. */
export function App() {
  const location = useLocation();
  const currentUser = useCurrentUser();
  const user = currentUser.data ?? null;
  const cohortId = useCohortChoice();
  useRouteFocus(location.pathname);

  if (currentUser.isPending) {
    return (
      <AppShell user={null}>
        <Page title="ReadPulse">
          <LoadingMessage>Starting ReadPulse…</LoadingMessage>
        </Page>
      </AppShell>
    );
  }
  if (currentUser.data === undefined) {
    return (
      <AppShell user={null}>
        <Page title="ReadPulse is not available">
          <ErrorMessage error={currentUser.error} onRetry={() => void currentUser.refetch()} />
        </Page>
      </AppShell>
    );
  }
  return (
    <LiveStreamProvider enabled={user?.role === 'consultant'} cohortId={cohortId}>
      <AppShell user={user}>{renderRoute(location, user)}</AppShell>
    </LiveStreamProvider>
  );
}
