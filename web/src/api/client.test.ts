import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api-error.js';
import { buildQuery, fetchReaders, saveMyMilestone, signOut } from './client.js';

function respondWith(status: number, body: string, contentType = 'application/json') {
  const fetchMock = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => new Response(status === 204 ? null : body, { status, headers: { 'Content-Type': contentType } }));
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('buildQuery', () => {
  it('leaves out empty values and encodes the rest', () => {
    expect(buildQuery({ search: 'ann & bob', limit: 25, cursor: undefined, other: null, empty: '' })).toBe(
      '?search=ann+%26+bob&limit=25',
    );
    expect(buildQuery({ cursor: undefined })).toBe('');
  });
});

describe('the API client', () => {
  it('sends JSON with the session cookie and returns the unwrapped object', async () => {
    const milestone = { chapterId: 'ch 1', status: 'completed', score: 90, updatedAt: '2026-11-24T18:45:10.123Z' };
    const fetchMock = respondWith(200, JSON.stringify({ milestone }));
    await expect(saveMyMilestone('ch 1', { status: 'completed', score: 90 })).resolves.toEqual(milestone);
    expect(fetchMock).toHaveBeenCalledWith('/api/me/milestones/ch%201', {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'completed', score: 90 }),
    });
  });

  it('sends no body and no Content-Type without a body, and accepts 204', async () => {
    const fetchMock = respondWith(204, '');
    await expect(signOut()).resolves.toBeUndefined();
    expect(fetchMock).toHaveBeenCalledWith('/api/auth/logout', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
  });

  it('puts search, limit and cursor in the query string', async () => {
    const fetchMock = respondWith(200, JSON.stringify({ readers: [], nextCursor: null }));
    await fetchReaders('  ann ', { limit: 25, cursor: 'abc' });
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/readers?search=ann&limit=25&cursor=abc');
  });

  it('throws the problem detail of a failed call', async () => {
    respondWith(
      403,
      JSON.stringify({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'Consultants only.', code: 'forbidden' }),
      'application/problem+json',
    );
    const failure = fetchReaders('', {});
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status: 403, code: 'forbidden', detail: 'Consultants only.' });
  });

  it('turns an unreachable server into a plain network error', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(signOut()).rejects.toMatchObject({ status: 0, code: 'network' });
  });
});
