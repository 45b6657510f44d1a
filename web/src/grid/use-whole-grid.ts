import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { fetchGridPage } from '../api/insight-client.js';
import { queryKeys } from '../api/query-keys.js';
import { nextCursorOf } from '../pagination/merge-pages.js';
import type { GridRow } from './grid-rows.js';

/**
 * Every reader's row of the progress grid for a cohort (or everyone), loaded page after page
 * (200 readers each) so that sorting, filtering and the summaries cover everyone. The grid page,
 * the dashboard's summary and a chapter's page share this one cache entry.
 */
export function useWholeGrid(cohort: number | null) {
  const grid = useInfiniteQuery({
    queryKey: queryKeys.progressGrid(cohort === null ? '' : String(cohort)),
    queryFn: ({ pageParam }) => fetchGridPage({ cohort: cohort === null ? undefined : String(cohort) }, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: nextCursorOf,
    staleTime: 30_000,
  });
  useEffect(() => {
    if (grid.hasNextPage && !grid.isFetchingNextPage && !grid.isFetchNextPageError) void grid.fetchNextPage();
  }, [grid.hasNextPage, grid.isFetchingNextPage, grid.isFetchNextPageError, grid]);
  const chapters = grid.data?.pages[0]?.chapters ?? [];
  const rows = useMemo<GridRow[]>(() => grid.data?.pages.flatMap((p) => p.readers) ?? [], [grid.data]);
  return { grid, chapters, rows, complete: grid.data !== undefined && !grid.hasNextPage };
}
