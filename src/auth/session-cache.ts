import type { SessionWithUser } from '../domain/index.js';

export interface SessionCacheOptions {
  /** How long a looked-up session is reused before the store is asked again. */
  readonly ttlMs: number;
  readonly maxEntries: number;
}

/**
 * Recently authenticated sessions, so that a busy reader's requests do not each read the
 * sessions table. Revocations made through this process (logout, password change) evict at once;
 * revocations made by another process (the CLI) take effect within `ttlMs`. Expiry is still
 * checked on every request against the cached session's times.
 */
export class SessionCache {
  private readonly entries = new Map<string, { found: SessionWithUser; cachedAt: number }>();

  constructor(private readonly options: SessionCacheOptions) {}

  get(tokenHash: string, now: number): SessionWithUser | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (now - entry.cachedAt >= this.options.ttlMs || now < entry.cachedAt) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry.found;
  }

  set(tokenHash: string, found: SessionWithUser, now: number): void {
    if (this.entries.size >= this.options.maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(tokenHash, { found, cachedAt: now });
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
