import type { RoutePolicy } from '../auth/policy.js';
import { AppError, type Session, type User } from '../domain/index.js';
import type { FastifyRequest } from 'fastify';

/** Who made a request and how they proved it. */
export interface RequestAuth {
  readonly user: User;
  readonly session: Session;
  readonly via: 'bearer' | 'cookie';
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
  interface FastifyContextConfig {
    /** Who may call the route; see auth/policy.ts. Required on every route. */
    policy?: RoutePolicy;
    /**
     * A public read that answers something about a secret (an invite code): limited per client
     * address like the public writes (sign-in, registration), so it is no faster way to guess.
     */
    addressLimited?: boolean;
  }
}

/** The signed-in user of a request on a `user` or `consultant` route. Throws `unauthenticated`. */
export function requireAuth(request: FastifyRequest): RequestAuth {
  if (!request.auth) throw new AppError('unauthenticated', 'Sign in to continue.');
  return request.auth;
}

/** The id of the signed-in user: the only user id a reader route ever acts on. */
export function requireUserId(request: FastifyRequest): number {
  return requireAuth(request).user.id;
}
