// @vitest-environment jsdom
import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LiveDashboardDto } from '../api/types.js';
import { createQueryClient } from '../session/create-query-client.js';
import { OnlineNowPanel } from './dashboard-online-now.js';

const generatedAt = '2026-11-24T18:45:10.123Z';
const nobodyOnline: LiveDashboardDto = { windowSeconds: 60, generatedAt, onlineCount: 0, readers: [] };
const annOnline: LiveDashboardDto = {
  windowSeconds: 60,
  generatedAt,
  onlineCount: 1,
  readers: [
    { id: 3, email: 'ann@example.com', name: 'Ann', role: 'reader', createdAt: generatedAt, lastActiveAt: '2026-11-24T18:44:58.000Z' },
  ],
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('OnlineNowPanel', () => {
  it('shows a reader who comes online at the next poll, with how long ago they were seen', async () => {
    const answers = [nobodyOnline, annOnline];
    const fetchMock = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => new Response(JSON.stringify(answers.shift() ?? annOnline), { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    render(
      <QueryClientProvider client={createQueryClient()}>
        <OnlineNowPanel />
      </QueryClientProvider>,
    );
    expect(await screen.findByText('No readers online')).toBeTruthy();
    const link = await screen.findByRole('link', { name: 'Ann' }, { timeout: 5_000 });
    expect(link.getAttribute('href')).toBe('/readers/3');
    expect(screen.getByText('12 seconds ago')).toBeTruthy();
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/consultant/dashboard/live');
  });

  it('shows how many are online, and pages through the most recent of them', async () => {
    const readers = Array.from({ length: 120 }, (_, i) => ({
      id: i + 1,
      email: `r${i + 1}@example.com`,
      name: `Reader ${i + 1}`,
      role: 'reader' as const,
      createdAt: generatedAt,
      lastActiveAt: '2026-11-24T18:44:58.000Z',
    }));
    const crowded: LiveDashboardDto = { windowSeconds: 60, generatedAt, onlineCount: 9876, readers };
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(crowded), { status: 200 })));
    render(
      <QueryClientProvider client={createQueryClient()}>
        <OnlineNowPanel />
      </QueryClientProvider>,
    );
    expect(await screen.findByText('9876')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Reader 1' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Reader 51' })).toBeNull();
    expect(screen.getByText('1–50 of 120')).toBeTruthy();
    expect(screen.getByText(/The 120 most recently active of 9876 online are listed/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Older' }));
    expect(screen.getByRole('link', { name: 'Reader 51' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Reader 1' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Older' }));
    expect(screen.getByText('101–120 of 120')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Older' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
