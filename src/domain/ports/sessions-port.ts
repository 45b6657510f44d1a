import type { Heartbeat, Session, SessionWithUser } from '../session.js';

/**
 * Signed-in sessions and the coalesced heartbeat that keeps them (and their users) fresh.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface SessionsPort {
  /** Stores a new session. Throws `not_found` if the user does not exist. */
  createSession(session: Session): Promise<void>;

  /** The session with this token hash and its user, or null. Does not check expiry. */
  findSession(tokenHash: string): Promise<SessionWithUser | null>;

  /** Revokes one session; revoking an unknown one is not an error. */
  deleteSession(tokenHash: string): Promise<void>;

  /** Revokes all of a user's sessions except, optionally, one. Returns how many were revoked. */
  deleteUserSessions(userId: number, exceptTokenHash?: string): Promise<number>;

  /** Removes sessions that expired before `now`. Returns how many. */
  deleteExpiredSessions(now: number, idleTimeoutMs: number): Promise<number>;

  /** Moves one user's lastActiveAt forward (never backward). The plan's single heartbeat. */
  updateHeartbeat(userId: number, at: number): Promise<void>;

  /**
   * Applies many coalesced heartbeats in one transaction: each user's lastActiveAt and each
   * session's lastSeenAt move forward, never backward; unknown users or sessions are ignored.
   */
  recordHeartbeats(heartbeats: readonly Heartbeat[]): Promise<void>;
}
