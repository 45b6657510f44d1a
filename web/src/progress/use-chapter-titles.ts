import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { fetchChapters } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { ChapterTitleLookup } from '../activity/activity-label.js';

/** The program's chapters (cached for a minute) and a lookup of their titles by id. */
export function useChapters() {
  const chaptersQuery = useQuery({ queryKey: queryKeys.chapters, queryFn: fetchChapters, staleTime: 60_000 });
  const chapters = chaptersQuery.data;
  const titleOf = useMemo<ChapterTitleLookup>(() => {
    const titles = new Map((chapters ?? []).map((chapter) => [chapter.id, chapter.title] as const));
    return (chapterId) => titles.get(chapterId);
  }, [chapters]);
  return { chaptersQuery, titleOf };
}
