import { AppError, type User } from '../domain/index.js';

/**
 * Who may call a route. Every route declares one; a route without one cannot be registered.
 * - `public`: anyone, no session needed.
 * - `user`: any signed-in user, reader or consultant; data is scoped to that user.
 * - `consultant`: signed-in consultants only.
 * - `lrs`: the Learning Record Store (/xapi): an LRS credential over HTTP Basic, checked by the LRS
 *   itself; sessions play no part.
 */
export type RoutePolicy = 'public' | 'user' | 'consultant' | 'lrs';
export const ROUTE_POLICIES: readonly RoutePolicy[] = ['public', 'user', 'consultant', 'lrs'];

/** Throws `unauthenticated` without a user, `forbidden` when the user's role falls short. */
export function requirePolicy(policy: RoutePolicy, user: User | null): void {
  if (policy === 'public' || policy === 'lrs') return;
  if (!user) throw new AppError('unauthenticated', 'Sign in to continue.');
  if (policy === 'consultant' && user.role !== 'consultant') {
    throw new AppError('forbidden', 'Only consultants may do this.');
  }
}
