// @vitest-environment jsdom
import { QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, configure, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UserDto } from './api/types.js';
import { App } from './app.js';
import { navigate } from './router/history.js';
import { createQueryClient } from './session/create-query-client.js';

// Pages load lazily: their first import is transformed on demand, which on a busy machine takes
// longer than the library's default second.
configure({ asyncUtilTimeout: 10_000 });

const createdAt = '2026-11-24T18:45:10.123Z';
const reader: UserDto = { id: 2, email: 'ann@example.com', name: 'Ann', role: 'reader', createdAt, lastActiveAt: createdAt };

const unauthenticated = { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Sign in to continue.', code: 'unauthenticated' };

/** A fake API: GET /api/me answers with `user` (or 401); everything else with an empty list. */
function serveApi(user: UserDto | null) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, _init?: RequestInit) => {
    const path = String(input);
    if (path === '/api/me') {
      return user === null ? new Response(JSON.stringify(unauthenticated), { status: 401 }) : new Response(JSON.stringify({ user }));
    }
    if (path === '/api/chapters') return new Response(JSON.stringify({ chapters: [] }));
    if (path === '/api/me/milestones') return new Response(JSON.stringify({ milestones: [] }));
    if (path === '/api/me/activity') return new Response(JSON.stringify({ event: { id: 1, actionType: 'PAGE_VIEW', metadata: null, createdAt } }), { status: 201 });
    return new Response(JSON.stringify({ events: [], nextCursor: null }));
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

function renderAppAt(path: string) {
  window.history.replaceState(null, '', path);
  render(
    <QueryClientProvider client={createQueryClient()}>
      <App />
    </QueryClientProvider>,
  );
}

const h1Text = () => screen.getByRole('heading', { level: 1 }).textContent;

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('App routing', () => {
  it('sends someone without a session to sign-in, remembering the page', async () => {
    serveApi(null);
    renderAppAt('/readers/3');
    await waitFor(() => expect(h1Text()).toBe('Sign in to ReadPulse'));
    expect(window.location.pathname + window.location.search).toBe('/sign-in?next=%2Freaders%2F3');
  });

  it('keeps a reader out of consultant pages, and records no reading activity for the app\'s own navigation', async () => {
    const fetchMock = serveApi(reader);
    renderAppAt('/dashboard');
    await waitFor(() => expect(h1Text()).toBe('My chapters'));
    expect(window.location.pathname).toBe('/reading');
    act(() => navigate('/reading/activity'));
    await waitFor(() => expect(h1Text()).toBe('My activity'));
    // Moving between the app's pages is not reading: nothing is posted to the activity log.
    const posts = fetchMock.mock.calls.filter(([, init]) => init?.method === 'POST');
    expect(posts).toEqual([]);
    expect(fetchMock.mock.calls.some(([path]) => String(path) === '/api/me')).toBe(true);
  });

  it('shows a not-found page for an unknown address', async () => {
    serveApi(reader);
    renderAppAt('/no/such/page');
    await waitFor(() => expect(h1Text()).toBe('Page not found'));
    expect(screen.getByRole('link', { name: 'Go to your start page' }).getAttribute('href')).toBe('/reading');
  });

  it('shows the empty state when the program has no chapters', async () => {
    serveApi(reader);
    renderAppAt('/reading');
    expect(await screen.findByText(/No chapters yet/)).toBeTruthy();
  });
});
