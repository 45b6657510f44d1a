// @vitest-environment jsdom
import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '../api/query-keys.js';
import { createQueryClient } from '../session/create-query-client.js';
import { SignInPage } from './sign-in-page.js';

const reader = {
  id: 7,
  email: 'ann@example.com',
  name: 'Ann',
  role: 'reader',
  createdAt: '2026-11-24T18:45:10.123Z',
  lastActiveAt: null,
};

function renderPage() {
  const queryClient = createQueryClient();
  render(
    <QueryClientProvider client={queryClient}>
      <SignInPage />
    </QueryClientProvider>,
  );
  return queryClient;
}

function fillAndSubmit(buttonName: string) {
  fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ann@example.com' } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'correct horse' } });
  fireEvent.click(screen.getByRole('button', { name: buttonName }));
}

beforeEach(() => {
  window.history.replaceState(null, '', '/sign-in?next=%2Freading%2Factivity');
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('SignInPage', () => {
  it('signs in, remembers the user and goes to the page that asked for sign-in', async () => {
    const fetchMock = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => new Response(JSON.stringify({ user: reader, token: 't', expiresAt: reader.createdAt }), { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    const queryClient = renderPage();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Sign in to ReadPulse');
    fillAndSubmit('Sign in');
    await waitFor(() => expect(window.location.pathname).toBe('/reading/activity'));
    expect(queryClient.getQueryData(queryKeys.currentUser)).toEqual(reader);
    expect(fetchMock).toHaveBeenCalledWith(
      '/api/auth/login',
      expect.objectContaining({ method: 'POST', credentials: 'same-origin', body: JSON.stringify({ email: 'ann@example.com', password: 'correct horse' }) }),
    );
  });

  it('shows the server\'s explanation when sign-in fails', async () => {
    const problem = { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'The email or password is wrong.', code: 'unauthenticated' };
    vi.stubGlobal('fetch', vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => new Response(JSON.stringify(problem), { status: 401 })));
    renderPage();
    fillAndSubmit('Sign in');
    expect((await screen.findByRole('alert')).textContent).toBe('The email or password is wrong.');
    expect(window.location.pathname).toBe('/sign-in');
  });

  it('says plainly when creating an account is switched off', async () => {
    const problem = { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'Registration is closed.', code: 'forbidden' };
    const fetchMock = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => new Response(JSON.stringify(problem), { status: 403 }));
    vi.stubGlobal('fetch', fetchMock);
    renderPage();
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Create your account');
    fillAndSubmit('Create account');
    expect((await screen.findByRole('alert')).textContent).toMatch(/switched off/);
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/auth/register');
  });
});
