/**
 * The live stream's events and the pure steps that apply them to the cached views. No React, no
 * EventSource: use-live-stream.ts wires these to the cache; the tests cover them here.
 */
import type { ActivityEventDto, EventsPageDto, LiveDashboardDto, MilestoneDto, ReaderProgressDto, ReaderSummaryDto, StuckPageDto, UserDto } from '../api/types.js';

/** One event from GET /api/consultant/dashboard/stream, parsed. */
export type LiveStreamEvent =
  | { readonly type: 'snapshot'; readonly live: LiveDashboardDto }
  | { readonly type: 'presence'; readonly reader: UserDto; readonly online: boolean }
  | { readonly type: 'milestone'; readonly readerId: number; readonly milestone: MilestoneDto }
  | { readonly type: 'activity'; readonly readerId: number; readonly event: ActivityEventDto };

export const LIVE_EVENT_TYPES = ['snapshot', 'presence', 'milestone', 'activity'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isReader = (value: unknown): value is UserDto => isObject(value) && typeof value.id === 'number';
const isReaderId = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

/** Parses one event's `data`; null for anything malformed (ignored rather than trusted). */
export function parseLiveEvent(type: string, data: string): LiveStreamEvent | null {
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObject(body)) return null;
  switch (type) {
    case 'snapshot':
      return Array.isArray(body.readers) && typeof body.generatedAt === 'string' && typeof body.windowSeconds === 'number'
        ? { type, live: body as unknown as LiveDashboardDto }
        : null;
    case 'presence':
      return isReader(body.reader) && typeof body.online === 'boolean' ? { type, reader: body.reader, online: body.online } : null;
    case 'milestone':
      return isReaderId(body.readerId) && isObject(body.milestone) && typeof body.milestone.chapterId === 'string'
        ? { type, readerId: body.readerId, milestone: body.milestone as unknown as MilestoneDto }
        : null;
    case 'activity':
      return isReaderId(body.readerId) && isObject(body.event) && typeof body.event.id === 'number'
        ? { type, readerId: body.readerId, event: body.event as unknown as ActivityEventDto }
        : null;
    default:
      return null;
  }
}

/** The later of two ISO times (null counts as never). */
function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** The most readers the dashboard keeps on its list (the server's default `limit`). */
export const LIVE_LIST_LIMIT = 200;

/**
 * A presence event applied to the online list: online puts the reader at the top with their
 * lastActiveAt and counts them in, offline takes them off and counts them out. The list is
 * newest first, as the server sends it, and no longer than LIVE_LIST_LIMIT; `onlineCount` counts
 * everyone online, listed or not.
 */
export function applyPresence(live: LiveDashboardDto, reader: UserDto, online: boolean): LiveDashboardDto {
  const others = live.readers.filter((r) => r.id !== reader.id);
  const listed = others.length !== live.readers.length;
  if (!online) return { ...live, onlineCount: Math.max(others.length, live.onlineCount - 1), readers: listed ? others : live.readers };
  const previous = live.readers.find((r) => r.id === reader.id);
  const lastActiveAt = later(previous?.lastActiveAt ?? null, reader.lastActiveAt);
  const readers = [{ ...reader, lastActiveAt }, ...others].slice(0, Math.max(LIVE_LIST_LIMIT, live.readers.length));
  return {
    ...live,
    generatedAt: later(live.generatedAt, reader.lastActiveAt) ?? live.generatedAt,
    // a replayed "online" for a reader already listed is not a newcomer
    onlineCount: Math.max(readers.length, live.onlineCount + (previous ? 0 : 1)),
    readers,
  };
}

/**
 * Something a reader did at `at` (an activity or milestone event): an online reader moves to the
 * top with that lastActiveAt. `found` is false when the reader is not on the list, so the caller
 * can ask the server (they may be online without a presence event this client saw).
 */
export function touchReader(live: LiveDashboardDto, readerId: number, at: string): { live: LiveDashboardDto; found: boolean } {
  const reader = live.readers.find((r) => r.id === readerId);
  if (reader === undefined) return { live, found: false };
  const lastActiveAt = later(reader.lastActiveAt, at);
  if (lastActiveAt === reader.lastActiveAt) return { live, found: true };
  return {
    found: true,
    live: {
      ...live,
      generatedAt: later(live.generatedAt, at) ?? live.generatedAt,
      readers: [{ ...reader, lastActiveAt }, ...live.readers.filter((r) => r.id !== readerId)],
    },
  };
}

/**
 * Whether a milestone changes the "Stuck" list: it is now stuck, or it was on the list (so it has
 * left stuck, or moved).
 */
export function affectsStuckList(readerId: number, milestone: MilestoneDto, stuckPages: readonly StuckPageDto[] | undefined): boolean {
  if (milestone.status === 'stuck') return true;
  return (stuckPages ?? []).some((page) => page.stuck.some((entry) => entry.reader.id === readerId && entry.chapterId === milestone.chapterId));
}

/** A reader's counts after one chapter moved from `before` (null: not started) to `after`. */
export function moveCount(
  counts: ReaderSummaryDto['counts'],
  before: MilestoneDto['status'] | null,
  after: MilestoneDto['status'],
): ReaderSummaryDto['counts'] {
  if (before === after) return counts;
  const next = { ...counts };
  if (before !== null) next[before] = Math.max(0, next[before] - 1);
  next[after] += 1;
  return next;
}

/** A milestone event applied to a reader's progress: it replaces that chapter's milestone. */
export function applyMilestoneToProgress(progress: ReaderProgressDto, milestone: MilestoneDto): ReaderProgressDto {
  const current = progress.milestones.find((m) => m.chapterId === milestone.chapterId);
  // A replayed event older than what is shown changes nothing.
  if (current !== undefined && Date.parse(current.updatedAt) > Date.parse(milestone.updatedAt)) return progress;
  return {
    reader: { ...progress.reader, lastActiveAt: later(progress.reader.lastActiveAt, milestone.updatedAt) },
    milestones: [...progress.milestones.filter((m) => m.chapterId !== milestone.chapterId), milestone],
  };
}

/** The reader in a progress view, seen active at `at`. */
export function touchProgressReader(progress: ReaderProgressDto, at: string): ReaderProgressDto {
  const lastActiveAt = later(progress.reader.lastActiveAt, at);
  return lastActiveAt === progress.reader.lastActiveAt ? progress : { ...progress, reader: { ...progress.reader, lastActiveAt } };
}

/**
 * An activity event put at the top of a reader's newest page of activity, unless it is already
 * there. Later pages are untouched: their cursors still follow from their own last items.
 */
export function prependActivity(pages: readonly EventsPageDto[], event: ActivityEventDto): EventsPageDto[] {
  if (pages.some((page) => page.events.some((e) => e.id === event.id))) return [...pages];
  const [first, ...rest] = pages;
  if (first === undefined) return [];
  const newest = first.events[0];
  // Only newer events go on top; an older one (a replay) waits for the next refetch.
  if (newest !== undefined && newest.id > event.id) return [...pages];
  return [{ ...first, events: [event, ...first.events] }, ...rest];
}

/** How long to wait before trying the stream again after the `attempt`-th failure (1, 2, …). */
export function streamRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(60_000, 5_000 * 2 ** Math.max(0, attempt - 1));
  // ±20 % so that many dashboards do not come back at the same moment after a restart.
  return Math.round(base * (0.8 + 0.4 * random()));
}
