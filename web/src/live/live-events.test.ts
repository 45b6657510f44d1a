import { describe, expect, it } from 'vitest';
import type { ActivityEventDto, EventsPageDto, LiveDashboardDto, MilestoneDto, ReaderProgressDto, StuckPageDto, UserDto } from '../api/types.js';
import {
  affectsStuckList,
  applyMilestoneToProgress,
  applyPresence,
  LIVE_LIST_LIMIT,
  parseLiveEvent,
  prependActivity,
  streamRetryDelayMs,
  touchProgressReader,
  touchReader,
} from './live-events.js';

const T0 = '2026-11-24T18:45:00.000Z';
const T1 = '2026-11-24T18:45:10.000Z';
const T2 = '2026-11-24T18:45:20.000Z';

const reader = (id: number, lastActiveAt: string | null = T0): UserDto => ({
  id,
  email: `r${id}@example.test`,
  name: `Reader ${id}`,
  role: 'reader',
  createdAt: T0,
  lastActiveAt,
});
const liveOf = (...readers: UserDto[]): LiveDashboardDto => ({ windowSeconds: 60, generatedAt: T0, onlineCount: readers.length, readers });
const ids = (live: LiveDashboardDto) => live.readers.map((r) => r.id);
const milestone = (chapterId: string, status: MilestoneDto['status'], updatedAt = T1, score: number | null = null): MilestoneDto => ({
  chapterId,
  status,
  score,
  updatedAt,
});
const activity = (id: number, createdAt = T1): ActivityEventDto => ({ id, actionType: 'PAGE_VIEW', metadata: { path: '/reading' }, createdAt });

describe('parseLiveEvent', () => {
  it('parses each kind of event', () => {
    const live = liveOf(reader(1));
    expect(parseLiveEvent('snapshot', JSON.stringify(live))).toEqual({ type: 'snapshot', live });
    expect(parseLiveEvent('presence', JSON.stringify({ reader: reader(2), online: false }))).toEqual({ type: 'presence', reader: reader(2), online: false });
    const m = milestone('ch-1', 'stuck');
    expect(parseLiveEvent('milestone', JSON.stringify({ readerId: 2, milestone: m }))).toEqual({ type: 'milestone', readerId: 2, milestone: m });
    const a = activity(9);
    expect(parseLiveEvent('activity', JSON.stringify({ readerId: 2, event: a }))).toEqual({ type: 'activity', readerId: 2, event: a });
  });

  it('ignores malformed data and unknown events', () => {
    expect(parseLiveEvent('presence', 'not json')).toBeNull();
    expect(parseLiveEvent('presence', JSON.stringify({ reader: reader(2) }))).toBeNull();
    expect(parseLiveEvent('milestone', JSON.stringify({ readerId: '2', milestone: milestone('c', 'started') }))).toBeNull();
    expect(parseLiveEvent('snapshot', '[]')).toBeNull();
    expect(parseLiveEvent('other', '{}')).toBeNull();
  });
});

describe('applyPresence', () => {
  it('puts a reader who comes online at the top, with their lastActiveAt', () => {
    const next = applyPresence(liveOf(reader(1), reader(2)), reader(3, T1), true);
    expect(ids(next)).toEqual([3, 1, 2]);
    expect(next.readers[0]?.lastActiveAt).toBe(T1);
    expect(next.generatedAt).toBe(T1);
  });

  it('moves a reader already listed to the top instead of listing them twice', () => {
    const next = applyPresence(liveOf(reader(1), reader(2)), reader(2, T2), true);
    expect(ids(next)).toEqual([2, 1]);
    expect(next.readers[0]?.lastActiveAt).toBe(T2);
  });

  it('never moves lastActiveAt back when an older event is replayed', () => {
    const next = applyPresence(liveOf(reader(1, T2)), reader(1, T0), true);
    expect(next.readers[0]?.lastActiveAt).toBe(T2);
  });

  it('takes a reader who goes offline off the list, and leaves the list alone otherwise', () => {
    const live = liveOf(reader(1), reader(2));
    expect(ids(applyPresence(live, reader(1), false))).toEqual([2]);
    expect(applyPresence(live, reader(7), false).readers).toBe(live.readers);
  });

  it('counts readers in and out, listed or not, and never below the list', () => {
    const live = { ...liveOf(reader(1), reader(2)), onlineCount: 5000 };
    expect(applyPresence(live, reader(3, T1), true).onlineCount).toBe(5001);
    expect(applyPresence(live, reader(2, T1), true).onlineCount).toBe(5000); // already listed
    expect(applyPresence(live, reader(9), false).onlineCount).toBe(4999); // online but not listed
    expect(applyPresence(liveOf(reader(1)), reader(1), false).onlineCount).toBe(0);
  });

  it('keeps at most LIVE_LIST_LIMIT readers listed while counting all', () => {
    let live = liveOf();
    for (let id = 1; id <= LIVE_LIST_LIMIT + 50; id += 1) live = applyPresence(live, reader(id, T1), true);
    expect(live.readers).toHaveLength(LIVE_LIST_LIMIT);
    expect(live.readers[0]!.id).toBe(LIVE_LIST_LIMIT + 50);
    expect(live.onlineCount).toBe(LIVE_LIST_LIMIT + 50);
  });
});

describe('touchReader', () => {
  it('moves an online reader to the top with the time of what they did', () => {
    const { live, found } = touchReader(liveOf(reader(1), reader(2)), 2, T1);
    expect(found).toBe(true);
    expect(ids(live)).toEqual([2, 1]);
    expect(live.readers[0]?.lastActiveAt).toBe(T1);
  });

  it('says when the reader is not on the list, so the caller can ask the server', () => {
    const live = liveOf(reader(1));
    expect(touchReader(live, 5, T1)).toEqual({ live, found: false });
  });

  it('changes nothing for an event older than what is shown', () => {
    const live = liveOf(reader(1), reader(2, T2));
    expect(touchReader(live, 2, T1).live).toBe(live);
  });
});

describe('affectsStuckList', () => {
  const stuckPages: StuckPageDto[] = [{ stuck: [{ reader: reader(4), chapterId: 'ch-3', since: T0 }], nextCursor: null }];

  it('is true for a chapter marked stuck, and for one leaving the stuck list', () => {
    expect(affectsStuckList(9, milestone('ch-1', 'stuck'), undefined)).toBe(true);
    expect(affectsStuckList(4, milestone('ch-3', 'completed', T1, 80), stuckPages)).toBe(true);
  });

  it('is false for other changes', () => {
    expect(affectsStuckList(4, milestone('ch-1', 'started'), stuckPages)).toBe(false);
    expect(affectsStuckList(5, milestone('ch-3', 'started'), stuckPages)).toBe(false);
    expect(affectsStuckList(4, milestone('ch-3', 'started'), undefined)).toBe(false);
  });
});

describe('reader progress', () => {
  const progress: ReaderProgressDto = { reader: reader(4), milestones: [milestone('ch-1', 'started', T0), milestone('ch-2', 'stuck', T0)] };

  it('replaces the chapter’s milestone and notes the reader active', () => {
    const next = applyMilestoneToProgress(progress, milestone('ch-2', 'completed', T1, 90));
    expect(next.milestones).toHaveLength(2);
    expect(next.milestones.find((m) => m.chapterId === 'ch-2')).toMatchObject({ status: 'completed', score: 90 });
    expect(next.reader.lastActiveAt).toBe(T1);
    expect(applyMilestoneToProgress(progress, milestone('ch-9', 'started')).milestones).toHaveLength(3);
  });

  it('ignores a milestone older than the one shown', () => {
    const newer: ReaderProgressDto = { ...progress, milestones: [milestone('ch-1', 'completed', T2, 70)] };
    expect(applyMilestoneToProgress(newer, milestone('ch-1', 'started', T1))).toBe(newer);
  });

  it('moves lastActiveAt forward only', () => {
    expect(touchProgressReader(progress, T1).reader.lastActiveAt).toBe(T1);
    const later = touchProgressReader(progress, T2);
    expect(touchProgressReader(later, T1)).toBe(later);
  });
});

describe('prependActivity', () => {
  const pages: EventsPageDto[] = [
    { events: [activity(5), activity(4)], nextCursor: 'c1' },
    { events: [activity(3)], nextCursor: null },
  ];

  it('puts a new event at the top of the newest page', () => {
    const next = prependActivity(pages, activity(6, T2));
    expect(next[0]?.events.map((e) => e.id)).toEqual([6, 5, 4]);
    expect(next[0]?.nextCursor).toBe('c1');
    expect(next[1]).toBe(pages[1]);
  });

  it('skips an event already shown, or older than the newest one', () => {
    expect(prependActivity(pages, activity(4))).toEqual(pages);
    expect(prependActivity(pages, activity(2))).toEqual(pages);
    expect(prependActivity([], activity(7))).toEqual([]);
  });
});

describe('streamRetryDelayMs', () => {
  it('waits longer after each failure, up to a minute, with some jitter', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 10].map((attempt) => streamRetryDelayMs(attempt, middle))).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
    expect(streamRetryDelayMs(1, () => 0)).toBe(4_000);
    expect(streamRetryDelayMs(1, () => 1)).toBe(6_000);
  });
});
