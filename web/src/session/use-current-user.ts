import { useQuery } from '@tanstack/react-query';
import { isApiError } from '../api/api-error.js';
import { fetchCurrentUser } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { UserDto } from '../api/types.js';

/**
 * Every authenticated request is a heartbeat, so asking for /api/me now and then keeps a reader
 * who is quietly reading on the consultants' "Online now" list (its window is 60 s), and notices
 * an ended session.
 */
const HEARTBEAT_INTERVAL_MS = 30_000;

/** The signed-in user, null when there is no session (GET /api/me answered 401). */
export function useCurrentUser() {
  return useQuery<UserDto | null>({
    queryKey: queryKeys.currentUser,
    queryFn: async () => {
      try {
        return await fetchCurrentUser();
      } catch (error) {
        if (isApiError(error, 401)) return null;
        throw error;
      }
    },
    staleTime: 10_000,
    refetchInterval: (query) => (query.state.data ? HEARTBEAT_INTERVAL_MS : false),
  });
}
