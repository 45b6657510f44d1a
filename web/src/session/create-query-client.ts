import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isApiError } from '../api/api-error.js';
import { queryKeys } from '../api/query-keys.js';

/** Client errors will not get better by asking again; network and server errors might. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (isApiError(error) && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

/**
 * What a mutation declares in its `meta` when a 401 from it means "wrong password" (deleting the
 * account, changing the password) rather than "the session is gone": the reader stays signed in.
 */
export const WRONG_PASSWORD_IS_401 = { wrongPasswordIs401: true } as const;

/**
 * The app's query client. Any other 401 means the session is gone (expired, revoked, signed out in
 * another tab), so it forgets the current user and the app shows the sign-in page.
 */
export function createQueryClient(): QueryClient {
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: forgetUserOnUnauthenticated }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (mutation.meta?.wrongPasswordIs401 === true) return;
        forgetUserOnUnauthenticated(error);
      },
    }),
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 5_000 },
      mutations: { retry: false },
    },
  });
  function forgetUserOnUnauthenticated(error: unknown): void {
    if (isApiError(error, 401)) queryClient.setQueryData(queryKeys.currentUser, null);
  }
  return queryClient;
}
