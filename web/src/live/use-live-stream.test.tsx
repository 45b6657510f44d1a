// @vitest-environment jsdom
import { QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '../api/query-keys.js';
import type { LiveDashboardDto, UserDto } from '../api/types.js';
import { LiveStatusNote } from '../components/live-status.js';
import { createQueryClient } from '../session/create-query-client.js';
import { LiveStreamProvider } from './live-stream-context.js';
import { LIVE_STREAM_URL } from './use-live-stream.js';

/** Enough of EventSource for the hook: the test opens, fails and sends events by hand. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
  open() {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.();
  }
  fail(readyState: number) {
    this.readyState = readyState;
    this.onerror?.();
  }
  send(type: string, data: unknown) {
    for (const listener of this.listeners.get(type) ?? []) listener(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

const at = '2026-11-24T18:45:10.000Z';
const reader = (id: number): UserDto => ({ id, email: `r${id}@example.test`, name: `Reader ${id}`, role: 'reader', createdAt: at, lastActiveAt: at });

function setup() {
  const queryClient = createQueryClient();
  const fetchMock = vi.fn(async () => new Response(JSON.stringify({ windowSeconds: 60, generatedAt: at, readers: [] }), { status: 200 }));
  vi.stubGlobal('fetch', fetchMock);
  render(
    <QueryClientProvider client={queryClient}>
      <LiveStreamProvider enabled>
        <LiveStatusNote />
      </LiveStreamProvider>
    </QueryClientProvider>,
  );
  return { queryClient, fetchMock, latest: () => FakeEventSource.instances.at(-1)! };
}

beforeEach(() => {
  FakeEventSource.instances = [];
  vi.stubGlobal('EventSource', FakeEventSource);
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('useLiveStream', () => {
  it('says "Live" once the stream opens and applies its events to the cached online list', () => {
    const { queryClient, latest } = setup();
    expect(latest().url).toBe(`${LIVE_STREAM_URL}?activity=none`);
    expect(screen.getByRole('status').textContent).toContain('Updating every few seconds');
    act(() => latest().open());
    expect(screen.getByRole('status').textContent).toBe('Dashboard updates: Live');

    act(() => latest().send('snapshot', { windowSeconds: 60, generatedAt: at, readers: [reader(1)] }));
    act(() => latest().send('presence', { reader: reader(2), online: true }));
    const live = () => queryClient.getQueryData<LiveDashboardDto>(queryKeys.liveDashboard)?.readers.map((r) => r.id);
    expect(live()).toEqual([2, 1]);
    act(() => latest().send('presence', { reader: reader(1), online: false }));
    expect(live()).toEqual([2]);
  });

  it('falls back to polling when the stream is refused, and tries again later', () => {
    vi.useFakeTimers();
    const { latest } = setup();
    act(() => latest().open());
    const first = latest();
    act(() => first.fail(FakeEventSource.CLOSED));
    expect(screen.getByRole('status').textContent).toContain('Updating every few seconds');
    expect(FakeEventSource.instances).toHaveLength(1);
    act(() => void vi.advanceTimersByTime(6_500));
    expect(FakeEventSource.instances).toHaveLength(2);
    act(() => latest().open());
    expect(screen.getByRole('status').textContent).toContain('Live');
  });

  it('gives up on a stream that keeps failing while the browser retries it', () => {
    vi.useFakeTimers();
    const { latest } = setup();
    const first = latest();
    act(() => first.fail(FakeEventSource.CONNECTING));
    act(() => first.fail(FakeEventSource.CONNECTING));
    expect(first.readyState).toBe(FakeEventSource.CONNECTING);
    act(() => first.fail(FakeEventSource.CONNECTING));
    expect(first.readyState).toBe(FakeEventSource.CLOSED);
    expect(screen.getByRole('status').textContent).toContain('Updating every few seconds');
  });

  it('polls when the browser has no EventSource', () => {
    vi.stubGlobal('EventSource', undefined);
    setup();
    expect(FakeEventSource.instances).toHaveLength(0);
    expect(screen.getByRole('status').textContent).toContain('Updating every few seconds');
  });
});
