// @vitest-environment jsdom
import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { XapiStatement } from '../api/xapi-types.js';
import { createQueryClient } from '../session/create-query-client.js';
import { ReaderStatementsSection } from './reader-statements-section.js';

const ADL = 'http://adlnet.gov/expapi/verbs/';
const actor = { objectType: 'Agent', mbox: 'mailto:ann@example.com' };

function statement(n: number, extra: Partial<XapiStatement> = {}): XapiStatement {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    actor,
    verb: { id: `${ADL}experienced` },
    object: { objectType: 'Activity', id: `https://books.example/page-${n}` },
    timestamp: '2025-12-31T23:30:00.000Z',
    stored: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

const completed = statement(1, {
  verb: { id: `${ADL}completed`, display: { 'de-DE': 'abgeschlossen', 'en-US': 'completed' } },
  object: { objectType: 'Activity', id: 'https://books.example/ch-3', definition: { name: { 'en-US': 'Close reading' } } },
  result: { score: { raw: 17, min: 0, max: 20 }, success: true, completion: true },
  timestamp: '2026-11-24T18:45:10.123Z',
});

function serve(pages: Record<string, { statements: XapiStatement[]; nextCursor: string | null }>) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, _init?: RequestInit) => {
    const url = new URL(String(input), 'http://app.test');
    const page = pages[url.searchParams.get('cursor') ?? ''];
    return new Response(JSON.stringify(page ?? { statements: [], nextCursor: null }), { status: 200 });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

function renderSection() {
  render(
    <QueryClientProvider client={createQueryClient()}>
      <ReaderStatementsSection readerId={7} email="ann@example.com" />
    </QueryClientProvider>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('ReaderStatementsSection', () => {
  it('shows when, verb, object and result of each statement, newest first as the API sends them', async () => {
    const fetchMock = serve({ '': { statements: [completed, statement(2)], nextCursor: null } });
    renderSection();
    const first = await screen.findByText('Close reading');
    const row = first.closest('li')!;
    expect(row.getAttribute('data-statement-id')).toBe(completed.id);
    expect(within(row).getByText('completed').getAttribute('title')).toBe(`${ADL}completed`);
    expect(first.getAttribute('title')).toBe('https://books.example/ch-3');
    const when = row.querySelector('time')!;
    expect(when.getAttribute('datetime')).toBe(completed.timestamp);
    expect(when.textContent).toMatch(/2026/);
    expect(row.querySelector('[data-field="result"]')!.textContent).toBe('Score 85% · Successful · Complete');

    const second = screen.getByText('https://books.example/page-2').closest('li')!;
    expect(within(second).getByText('experienced')).toBeTruthy();
    expect(second.querySelector('time')!.textContent).toMatch(/2025/);
    expect(second.querySelector('[data-field="result"]')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Load more records' })).toBeNull();
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/readers/7/statements?limit=20');
  });

  it('loads the next page with the cursor and moves focus to its first record', async () => {
    const fetchMock = serve({
      '': { statements: [statement(1), statement(2)], nextCursor: 'c2' },
      c2: { statements: [statement(3)], nextCursor: null },
    });
    renderSection();
    await screen.findByText('https://books.example/page-2');
    fireEvent.click(screen.getByRole('button', { name: 'Load more records' }));
    const third = await screen.findByText('https://books.example/page-3');
    expect(fetchMock.mock.calls.map((call) => String(call[0]))).toContain('/api/readers/7/statements?limit=20&cursor=c2');
    await waitFor(() => expect(document.activeElement).toBe(third.closest('li')));
    expect(screen.getAllByRole('listitem')).toHaveLength(3);
    expect(screen.queryByRole('button', { name: 'Load more records' })).toBeNull();
  });

  it('says how content reports, with a link to the LRS credentials, when there is nothing yet', async () => {
    serve({ '': { statements: [], nextCursor: null } });
    renderSection();
    const empty = await screen.findByTestId('statements-empty');
    expect(empty.textContent).toContain('mailto:ann@example.com');
    expect(within(empty).getByRole('link', { name: 'LRS credential' }).getAttribute('href')).toBe('/lrs-credentials');
  });

  it('says so when the records cannot be loaded', async () => {
    const problem = { type: 'about:blank', title: 'Not Found', status: 404, detail: 'There is no reader 7.', code: 'not_found' };
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(problem), { status: 404 })));
    renderSection();
    expect((await screen.findByRole('alert')).textContent).toContain('There is no reader 7.');
  });
});
