import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import { queryKeys } from '../api/query-keys.js';
import type { ReaderProgressDto, ReadersPageDto } from '../api/types.js';
import { applyLiveEvent } from './use-live-stream.js';

const T = '2026-11-24T18:45:10.123Z';
const rita = { id: 5, email: 'rita@example.com', name: 'Rita', role: 'reader' as const, createdAt: T, lastActiveAt: T };

function withList(counts = { started: 1, completed: 0, stuck: 0 }) {
  const client = new QueryClient();
  const list: InfiniteData<ReadersPageDto> = { pages: [{ readers: [{ ...rita, counts }], nextCursor: null }], pageParams: [undefined] };
  client.setQueryData(queryKeys.readers(''), list);
  return client;
}
const countsOf = (client: QueryClient) => client.getQueryData<InfiniteData<ReadersPageDto>>(queryKeys.readers(''))!.pages[0]!.readers[0]!.counts;
const milestone = (chapterId: string, status: 'started' | 'completed' | 'stuck') => ({
  type: 'milestone' as const,
  readerId: rita.id,
  milestone: { chapterId, status, score: null, updatedAt: T },
});

describe('readers-list counts follow the stream', () => {
  it('moves a count when the reader\'s progress says what the chapter was', () => {
    const client = withList();
    const progress: ReaderProgressDto = { reader: rita, milestones: [{ chapterId: 'c1', status: 'started', score: null, updatedAt: T }] };
    client.setQueryData(queryKeys.readerProgress(rita.id), progress);
    const refreshReaders = vi.fn();
    applyLiveEvent(client, milestone('c1', 'completed'), () => {}, refreshReaders);
    expect(countsOf(client)).toEqual({ started: 0, completed: 1, stuck: 0 });
    applyLiveEvent(client, milestone('c2', 'stuck'), () => {}, refreshReaders);
    expect(countsOf(client)).toEqual({ started: 0, completed: 1, stuck: 1 });
    expect(refreshReaders).not.toHaveBeenCalled();
  });

  it('asks for the lists again when it cannot know the chapter\'s earlier status', () => {
    const client = withList();
    const refreshReaders = vi.fn();
    applyLiveEvent(client, milestone('c1', 'completed'), () => {}, refreshReaders);
    expect(refreshReaders).toHaveBeenCalledOnce();
    expect(countsOf(client)).toEqual({ started: 1, completed: 0, stuck: 0 });
  });
});
