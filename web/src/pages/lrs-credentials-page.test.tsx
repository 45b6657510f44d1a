// @vitest-environment jsdom
import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LrsCredentialDto } from '../api/xapi-types.js';
import { createQueryClient } from '../session/create-query-client.js';
import { LrsCredentialsPage } from './lrs-credentials-page.js';

const older: LrsCredentialDto = { id: 1, name: 'H5P on the course site', key: 'key-older-0001', createdAt: '2025-03-02T09:15:00.000Z' };
const made: LrsCredentialDto = { id: 2, name: 'Storyline quiz', key: 'key-new-0002', createdAt: '2026-11-24T18:45:10.123Z' };
const SECRET = 'the-secret-shown-once-9f8e7d';

type Handler = (method: string, path: string, body: unknown) => Response;

/** A fake API: each call goes to `handle`; every call is kept. */
function serve(handle: Handler) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    const path = String(input);
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, path, body });
    return handle(method, path, body);
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function renderPage() {
  render(
    <QueryClientProvider client={createQueryClient()}>
      <LrsCredentialsPage />
    </QueryClientProvider>,
  );
}

beforeEach(() => {
  window.history.replaceState(null, '', '/lrs-credentials');
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('LrsCredentialsPage', () => {
  it('shows the endpoint and each credential with name, key and the date it was made (with the year)', async () => {
    serve(() => json({ credentials: [older] }));
    renderPage();
    const row = (await screen.findByText(older.name, { selector: 'strong' })).closest('li')!;
    expect(within(row).getByText(older.key).tagName).toBe('CODE');
    expect(within(row).getByText(/2025/).getAttribute('datetime')).toBe(older.createdAt);
    expect((screen.getByTestId('lrs-endpoint') as HTMLInputElement).value).toBe(`${window.location.origin}/xapi`);
    expect(screen.queryByText(SECRET)).toBeNull();
  });

  it('says what to do next when there is no credential', async () => {
    serve(() => json({ credentials: [] }));
    renderPage();
    expect((await screen.findByText(/No credentials yet/)).textContent).toMatch(/Create one above/);
  });

  it('checks the name in the form, then creates a credential and shows its secret once, with the key and endpoint', async () => {
    let list: LrsCredentialDto[] = [older];
    const calls = serve((method) => {
      if (method === 'POST') {
        list = [made, ...list];
        return json({ credential: made, secret: SECRET }, 201);
      }
      return json({ credentials: list });
    });
    renderPage();
    await screen.findByText(older.name, { selector: 'strong' });
    fireEvent.click(screen.getByRole('button', { name: 'Create credential' }));
    expect(screen.getByText(/Enter a name/)).toBeTruthy();
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'x'.repeat(101) } });
    expect(screen.queryByText(/Enter a name/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Create credential' }));
    expect(screen.getByText(/at most 100 characters/)).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    fireEvent.change(screen.getByLabelText('Name'), { target: { value: `  ${made.name}  ` } });
    fireEvent.click(screen.getByRole('button', { name: 'Create credential' }));
    const box = await screen.findByTestId('created-credential');
    expect(calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', path: '/api/lrs-credentials', body: { name: made.name } }]);
    expect(box.textContent).toContain('it will not be shown again');
    expect((within(box).getByTestId('created-secret') as HTMLInputElement).value).toBe(SECRET);
    expect((within(box).getByTestId('created-key') as HTMLInputElement).value).toBe(made.key);
    expect((within(box).getByTestId('created-endpoint') as HTMLInputElement).value).toBe(`${window.location.origin}/xapi`);
    expect(within(box).getByRole('button', { name: 'Copy secret' })).toBeTruthy();
    expect(document.activeElement).toBe(box);
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('');
    const listed = within(screen.getByTestId('credential-list'));
    await waitFor(() => expect(listed.getAllByRole('listitem').map((li) => li.getAttribute('data-credential-id'))).toEqual(['2', '1']));

    fireEvent.click(within(box).getByRole('button', { name: 'I have copied the secret' }));
    expect(screen.queryByTestId('created-credential')).toBeNull();
    expect(screen.queryByDisplayValue(SECRET)).toBeNull();
  });

  it('shows the server\'s explanation when a credential is not created, and drops it once the name changes', async () => {
    const problem = { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'body.name must NOT have more than 100 characters', code: 'invalid_request' };
    serve((method) => (method === 'POST' ? json(problem, 400) : json({ credentials: [] })));
    renderPage();
    await screen.findByText(/No credentials yet/);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Quiz' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create credential' }));
    expect((await screen.findByRole('alert')).textContent).toBe(`Not created. ${problem.detail}`);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Quiz 2' } });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('deletes a credential only after a confirmation, and says so', async () => {
    let list: LrsCredentialDto[] = [made, older];
    const calls = serve((method, path) => {
      if (method === 'DELETE') {
        list = list.filter((c) => `/api/lrs-credentials/${c.id}` !== path);
        return new Response(null, { status: 204 });
      }
      return json({ credentials: list });
    });
    renderPage();
    const row = (await screen.findByText(made.name, { selector: 'strong' })).closest('li')!;
    fireEvent.click(within(row).getByRole('button', { name: `Delete ${made.name}` }));
    expect(within(row).getByText(/stops reporting at once/)).toBeTruthy();
    fireEvent.click(within(row).getByRole('button', { name: 'Cancel' }));
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);

    fireEvent.click(within(row).getByRole('button', { name: `Delete ${made.name}` }));
    fireEvent.click(within(row).getByRole('button', { name: 'Delete credential' }));
    await waitFor(() => expect(screen.queryByText(made.name, { selector: 'strong' })).toBeNull());
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/api/lrs-credentials/2']);
    expect(screen.getByText(older.name, { selector: 'strong' })).toBeTruthy();
    expect(screen.getByText(`Deleted “${made.name}”: its key no longer works.`)).toBeTruthy();
  });

  it('shows why a delete failed', async () => {
    const problem = { type: 'about:blank', title: 'Not Found', status: 404, detail: 'There is no LRS credential 2.', code: 'not_found' };
    serve((method) => (method === 'DELETE' ? json(problem, 404) : json({ credentials: [made] })));
    renderPage();
    const row = (await screen.findByText(made.name, { selector: 'strong' })).closest('li')!;
    fireEvent.click(within(row).getByRole('button', { name: `Delete ${made.name}` }));
    fireEvent.click(within(row).getByRole('button', { name: 'Delete credential' }));
    expect((await within(row).findByRole('alert')).textContent).toBe(`Not deleted. ${problem.detail}`);
  });
});
