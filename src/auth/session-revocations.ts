/**
 * Sessions revoked by other instances. Several instances each cache sessions; a revocation on
 * one must hold on all of them at once, so each hears of it (PostgreSQL's channel) and empties
 * its cache, and trusts the cache only while it is hearing.
 */
export interface SessionRevocations {
  /** Whether revocations made elsewhere reach this instance now. */
  readonly listening: boolean;
  /** Registers what to call when a session was revoked elsewhere, or may have been. */
  onRevoked(forgetCachedSessions: () => void): void;
  /**
   * Runs a revoking write and resolves once every instance listening has confirmed that it
   * emptied its cache (or after a bounded wait), so the client's next request is refused anywhere.
   */
  revoking<T>(write: () => Promise<T>): Promise<T>;
}
