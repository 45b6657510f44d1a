import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { recordActivity } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { UserDto } from '../api/types.js';
import { isPathForRole } from './role-routes.js';

/**
 * Records a PAGE_VIEW activity each time a reader arrives on a page, so that consultants see what
 * they are doing (and that they are online). Failures are ignored: this is a trace, not a task.
 */
export function usePageViews(user: UserDto | null, pathname: string): void {
  const queryClient = useQueryClient();
  const lastRecorded = useRef<string | null>(null);
  useEffect(() => {
    if (user === null || user.role !== 'reader' || !isPathForRole('reader', pathname)) {
      lastRecorded.current = null;
      return;
    }
    const key = `${user.id}:${pathname}`;
    // React's development double-run of effects must not log two views.
    if (lastRecorded.current === key) return;
    lastRecorded.current = key;
    recordActivity('PAGE_VIEW', { path: pathname })
      .then(() => queryClient.invalidateQueries({ queryKey: queryKeys.myActivity }))
      .catch(() => undefined);
  }, [user, pathname, queryClient]);
}
