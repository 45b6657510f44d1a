import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { toolkitQueryKeys } from '../api/toolkit-query-keys.js';
import { parseLiveEvent } from './live-events.js';
import { applyLiveEvent } from './use-live-stream.js';

const reader = { id: 7, email: 'r@example.test', name: 'R', role: 'reader', createdAt: '2026-11-24T12:00:00.000Z', lastActiveAt: null };
const item = { id: 3, reader, reason: 'stuck', chapterId: 'ch01', since: '2026-11-24T12:00:00.000Z', state: 'claimed' };

describe('attention events on the live stream', () => {
  it('parses an attention event and refuses a malformed one', () => {
    expect(parseLiveEvent('attention', JSON.stringify({ item }))).toEqual({ type: 'attention', item });
    expect(parseLiveEvent('attention', JSON.stringify({ item: { id: 'x' } }))).toBeNull();
    expect(parseLiveEvent('attention', '{')).toBeNull();
  });

  it('an attention event makes the queue and the navigation count stale, so they refetch', () => {
    const client = new QueryClient();
    client.setQueryData(toolkitQueryKeys.attentionList('open', null), { items: [], nextCursor: null });
    client.setQueryData(toolkitQueryKeys.attentionCounts(null), { open: 0, claimed: 0 });
    client.setQueryData(toolkitQueryKeys.cohorts, []);
    applyLiveEvent(client, parseLiveEvent('attention', JSON.stringify({ item }))!, () => undefined);
    expect(client.getQueryState(toolkitQueryKeys.attentionList('open', null))?.isInvalidated).toBe(true);
    expect(client.getQueryState(toolkitQueryKeys.attentionCounts(null))?.isInvalidated).toBe(true);
    expect(client.getQueryState(toolkitQueryKeys.cohorts)?.isInvalidated).toBe(false);
  });
});
