import { AppError, type User } from '../domain/index.js';

/**
 * Who may call a route. Every route declares one; a route without one cannot be registered.
 * - `public`: anyone, no session needed.
 * - `user`: any signed-in user, reader or consultant; data is scoped to that user.
 * - `consultant`: signed-in consultants only.
 */
export type RoutePolicy = 'public' | 'user' | 'consultant';
export const ROUTE_POLICIES: readonly RoutePolicy[] = ['public', 'user', 'consultant'];

/** Throws `unauthenticated` without a user, `forbidden` when the user's role falls short. */
export function requirePolicy(policy: RoutePolicy, user: User | null): void {
  if (policy === 'public') return;
  if (!user) throw new AppError('unauthenticated', 'Sign in to continue.');
  if (policy === 'consultant' && user.role !== 'consultant') {
    throw new AppError('forbidden', 'Only consultants may do this.');
  }
}
