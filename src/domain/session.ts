import type { User } from './user.js';

/** A stored session. Only the SHA-256 hash of its token is ever kept. */
export interface Session {
  readonly tokenHash: string;
  readonly userId: number;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds of the last request seen on it (flushed with the heartbeat). */
  readonly lastSeenAt: number;
  /** Epoch milliseconds after which it is invalid whatever its activity. */
  readonly expiresAt: number;
}

export interface SessionWithUser {
  readonly session: Session;
  readonly user: User;
}

/** One coalesced heartbeat: the latest request time of a user on one session. */
export interface Heartbeat {
  readonly userId: number;
  readonly tokenHash: string;
  /** Epoch milliseconds. */
  readonly at: number;
}

/** Sessions a store revoked: one by its token hash, or all of a user's (for caches to drop). */
export type SessionRevocation = { readonly tokenHash: string } | { readonly userId: number };
