import { useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { queryKeys } from '../api/query-keys.js';
import { toolkitQueryKeys } from '../api/toolkit-query-keys.js';
import type { EventsPageDto, LiveDashboardDto, MilestoneDto, ReaderProgressDto, ReadersPageDto, StuckPageDto } from '../api/types.js';
import {
  LIVE_EVENT_TYPES,
  affectsStuckList,
  applyMilestoneToProgress,
  applyPresence,
  moveCount,
  parseLiveEvent,
  prependActivity,
  streamRetryDelayMs,
  touchProgressReader,
  touchReader,
  type LiveStreamEvent,
} from './live-events.js';

export const LIVE_STREAM_URL = '/api/consultant/dashboard/stream';

/**
 * off: not a consultant (or signed out) · connecting: first attempt under way · live: the
 * stream is open and the cache follows it · polling: no stream (unsupported, failing, or waiting
 * to retry), so the views poll as they always did.
 */
export type LiveStatus = 'off' | 'connecting' | 'live' | 'polling';

/** Errors in a row (the browser retrying on its own) before the stream is dropped for polling. */
const ERRORS_BEFORE_GIVING_UP = 3;
/** Readers active without a presence event this client saw: /live is asked at most this often. */
const LIVE_REFRESH_MIN_INTERVAL_MS = 3_000;
/** A sweep can open thousands of attention items at once: the queue and its count refetch at most this often. */
const ATTENTION_REFRESH_MIN_INTERVAL_MS = 1_000;

/**
 * Follows the consultants' live stream (Server-Sent Events) while `enabled`, narrowed by `query`
 * (see stream-query.ts; a new query opens a new stream, which starts with a snapshot), applying its events
 * to the TanStack Query cache: the online list, the "Stuck" list, and any reader's progress and
 * activity that is cached. Returns the stream's status; views poll unless it is 'live'. When
 * EventSource is missing or the stream keeps failing, it falls back to polling and tries the
 * stream again later, waiting longer each time.
 */
export function useLiveStream(enabled: boolean, query = ''): LiveStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('off');

  useEffect(() => {
    if (!enabled) {
      setStatus('off');
      return;
    }
    if (typeof EventSource === 'undefined') {
      setStatus('polling');
      return;
    }
    let source: EventSource | null = null;
    let stopped = false;
    let errorsInARow = 0;
    let failedAttempts = 0;
    let retryTimer: number | undefined;
    const refreshLive = throttledInvalidate(queryClient, queryKeys.liveDashboard, LIVE_REFRESH_MIN_INTERVAL_MS);
    const refreshAttention = throttledInvalidate(queryClient, toolkitQueryKeys.attention, ATTENTION_REFRESH_MIN_INTERVAL_MS);

    const fallBack = () => {
      setStatus('polling');
      // Catch up at once rather than at the next poll.
      void queryClient.invalidateQueries({ queryKey: queryKeys.liveDashboard });
      void queryClient.invalidateQueries({ queryKey: queryKeys.stuckReaders });
    };

    const connect = () => {
      retryTimer = undefined;
      if (stopped) return;
      setStatus((current) => (current === 'polling' ? 'polling' : 'connecting'));
      const stream = new EventSource(`${LIVE_STREAM_URL}${query}`);
      source = stream;
      stream.onopen = () => {
        errorsInARow = 0;
        failedAttempts = 0;
        setStatus('live');
      };
      for (const type of LIVE_EVENT_TYPES) {
        stream.addEventListener(type, (message) => {
          const event = parseLiveEvent(type, (message as MessageEvent<string>).data);
          if (event !== null) applyLiveEvent(queryClient, event, refreshLive.request, undefined, refreshAttention.request);
        });
      }
      stream.onerror = () => {
        if (stopped || source !== stream) return;
        errorsInARow += 1;
        fallBack();
        // CLOSED: the browser gave up (a refusal such as 401/403/503). CONNECTING: it is retrying
        // on its own, resuming with Last-Event-ID; let it, a few times.
        if (stream.readyState === EventSource.CLOSED || errorsInARow >= ERRORS_BEFORE_GIVING_UP) {
          stream.close();
          source = null;
          errorsInARow = 0;
          failedAttempts += 1;
          retryTimer = window.setTimeout(connect, streamRetryDelayMs(failedAttempts));
        }
      };
    };

    connect();
    return () => {
      stopped = true;
      source?.close();
      source = null;
      window.clearTimeout(retryTimer);
      refreshLive.cancel();
      refreshAttention.cancel();
    };
  }, [enabled, query, queryClient]);

  return status;
}

/**
 * A milestone applied to the readers lists' counts. `before` is the chapter's status before it
 * (null: not started), or undefined when unknown (the reader's progress is not cached). Returns
 * false when a listed reader's counts could not be moved, so the lists need a refetch.
 */
function updateReaderCounts(queryClient: QueryClient, readerId: number, milestone: MilestoneDto, before: MilestoneDto['status'] | null | undefined): boolean {
  let exact = true;
  for (const [key, data] of queryClient.getQueriesData<InfiniteData<ReadersPageDto>>({ queryKey: queryKeys.readersLists })) {
    if (data === undefined || !data.pages.some((page) => page.readers.some((r) => r.id === readerId))) continue;
    if (before === undefined) {
      exact = false;
      continue;
    }
    queryClient.setQueryData<InfiniteData<ReadersPageDto>>(key, { ...data, pages: data.pages.map((page) => ({
      ...page,
      readers: page.readers.map((r) => (r.id === readerId ? { ...r, counts: moveCount(r.counts, before, milestone.status) } : r)),
    })) });
  }
  return exact;
}

/** Invalidates the queries under `queryKey` when asked, at most once per `minIntervalMs`. */
function throttledInvalidate(queryClient: QueryClient, queryKey: readonly unknown[], minIntervalMs: number) {
  let timer: number | undefined;
  let last = 0;
  return {
    request() {
      if (timer !== undefined) return;
      const wait = Math.max(0, last + minIntervalMs - Date.now());
      timer = window.setTimeout(() => {
        timer = undefined;
        last = Date.now();
        void queryClient.invalidateQueries({ queryKey });
      }, wait);
    },
    cancel() {
      window.clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** One stream event applied to the cache. `refreshLive` asks for /live again (throttled). */
export function applyLiveEvent(
  queryClient: QueryClient,
  event: LiveStreamEvent,
  refreshLive: () => void,
  refreshReaders: () => void = () => void queryClient.invalidateQueries({ queryKey: queryKeys.readersLists }),
  refreshAttention: () => void = () => void queryClient.invalidateQueries({ queryKey: toolkitQueryKeys.attention }),
): void {
  const touchLive = (readerId: number, at: string) => {
    const live = queryClient.getQueryData<LiveDashboardDto>(queryKeys.liveDashboard);
    if (live === undefined) return;
    const touched = touchReader(live, readerId, at);
    if (touched.found) queryClient.setQueryData(queryKeys.liveDashboard, touched.live);
    // Active, but not on the list this client holds: online without a presence event it saw.
    else refreshLive();
  };
  const updateProgress = (readerId: number, update: (progress: ReaderProgressDto) => ReaderProgressDto) => {
    queryClient.setQueryData<ReaderProgressDto>(queryKeys.readerProgress(readerId), (old) => (old === undefined ? undefined : update(old)));
  };

  switch (event.type) {
    case 'snapshot':
      queryClient.setQueryData(queryKeys.liveDashboard, event.live);
      // A snapshot also follows a gap the server could not replay: what was missed is refetched.
      void queryClient.invalidateQueries({ queryKey: queryKeys.stuckReaders });
      void queryClient.invalidateQueries({ queryKey: ['readers'] });
      return;
    case 'presence': {
      queryClient.setQueryData<LiveDashboardDto>(queryKeys.liveDashboard, (old) =>
        old === undefined ? undefined : applyPresence(old, event.reader, event.online),
      );
      const at = event.reader.lastActiveAt;
      if (event.online && at !== null) updateProgress(event.reader.id, (progress) => touchProgressReader(progress, at));
      return;
    }
    case 'milestone': {
      const { readerId, milestone } = event;
      touchLive(readerId, milestone.updatedAt);
      const stuck = queryClient.getQueryData<InfiniteData<StuckPageDto>>(queryKeys.stuckReaders);
      if (affectsStuckList(readerId, milestone, stuck?.pages)) void queryClient.invalidateQueries({ queryKey: queryKeys.stuckReaders });
      const previous = queryClient.getQueryData<ReaderProgressDto>(queryKeys.readerProgress(readerId));
      const before = previous?.milestones.find((m) => m.chapterId === milestone.chapterId);
      const counted = updateReaderCounts(queryClient, readerId, milestone, previous === undefined ? undefined : (before?.status ?? null));
      if (!counted) refreshReaders();
      updateProgress(readerId, (progress) => applyMilestoneToProgress(progress, milestone));
      return;
    }
    case 'attention':
      // An item opened, was claimed, released or resolved: the queue and the count refetch.
      refreshAttention();
      return;
    case 'activity': {
      const { readerId, event: activity } = event;
      touchLive(readerId, activity.createdAt);
      updateProgress(readerId, (progress) => touchProgressReader(progress, activity.createdAt));
      queryClient.setQueryData<InfiniteData<EventsPageDto>>(queryKeys.readerActivity(readerId), (old) =>
        old === undefined ? undefined : { ...old, pages: prependActivity(old.pages, activity) },
      );
      return;
    }
  }
}
