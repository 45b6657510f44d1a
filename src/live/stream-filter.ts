import type { LiveEvent } from './live-event.js';

/** How many activity events a stream takes: every one, the latest per reader per second, or none. */
export type ActivityMode = 'all' | 'latest' | 'none';

export const ACTIVITY_MODES: readonly ActivityMode[] = ['all', 'latest', 'none'];

/** With `latest`, at most one activity event per reader in this many milliseconds. */
export const LATEST_ACTIVITY_INTERVAL_MS = 1000;

/**
 * What a narrowed stream takes (API.md, the live stream's query parameters). Every part narrows
 * by the reader an event is about, so another check (a cohort's membership) is one more
 * predicate in `readerChecks`.
 */
export interface StreamFilter {
  readonly activity: ActivityMode;
  /** Only events about this reader (a reader-detail page). */
  readonly readerId?: number | undefined;
  /** Further checks on the reader an event is about; an event passes when every one accepts. */
  readonly readerChecks?: readonly ((readerId: number) => boolean)[] | undefined;
}

/** The whole stream. */
export const FULL_STREAM: StreamFilter = { activity: 'all' };

/** The reader a live event is about. */
export function readerOf(event: LiveEvent): number {
  return event.type === 'presence' ? event.reader.id : event.readerId;
}

/**
 * Whether the filter lets the event through by kind and reader. `latest` passes activity here;
 * the per-reader pacing is the subscription's (see ActivityPacer).
 */
export function passesFilter(filter: StreamFilter, event: LiveEvent): boolean {
  if (event.type === 'activity' && filter.activity === 'none') return false;
  if (filter.readerId === undefined && filter.readerChecks === undefined) return true;
  const readerId = readerOf(event);
  if (filter.readerId !== undefined && readerId !== filter.readerId) return false;
  return filter.readerChecks?.every((check) => check(readerId)) ?? true;
}

/** True when the filter lets everything through unchanged. */
export function isFullStream(filter: StreamFilter): boolean {
  return filter.activity === 'all' && filter.readerId === undefined && filter.readerChecks === undefined;
}
