import type { SessionWithUser } from '../domain/index.js';

export interface SessionCacheOptions {
  /** How long a looked-up session is reused before the store is asked again. */
  readonly ttlMs: number;
  readonly maxEntries: number;
}

/** A cached session and when this process last saw a request on it. */
export interface CachedSession {
  readonly found: SessionWithUser;
  readonly cachedAt: number;
  /** The latest request authenticated with it here: newer than the stored lastSeenAt. */
  seenAt: number;
}

/**
 * Recently authenticated sessions, so that a busy reader's requests do not each read the
 * sessions table. Revocations made in this process (logout, password change, user deletion)
 * evict at once; revocations made by another process (the CLI) take effect within `ttlMs`.
 * Expiry is still checked on every request against the cached session's times, with the
 * latest request seen here as its last activity.
 */
export class SessionCache {
  private readonly entries = new Map<string, CachedSession>();

  constructor(private readonly options: SessionCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get(tokenHash: string, now: number): CachedSession | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (now - entry.cachedAt >= this.options.ttlMs || now < entry.cachedAt) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry;
  }

  set(tokenHash: string, found: SessionWithUser, now: number): CachedSession {
    if (this.entries.size >= this.options.maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const entry = { found, cachedAt: now, seenAt: found.session.lastSeenAt };
    this.entries.set(tokenHash, entry);
    return entry;
  }

  evict(tokenHash: string): void {
    this.entries.delete(tokenHash);
  }

  /** Forgets every cached session. */
  clear(): void {
    this.entries.clear();
  }

  evictUser(userId: number): void {
    for (const [tokenHash, entry] of this.entries) {
      if (entry.found.user.id === userId) this.entries.delete(tokenHash);
    }
  }
}
