import type { Clock, Heartbeat, Store, User } from '../domain/index.js';

export const LIVE_WINDOW_MS = 60_000;

export interface PresenceLog {
  error(obj: object, msg: string): void;
}

export interface PresenceOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly flushIntervalMs: number;
  readonly log: PresenceLog;
  /** Called with the size of each flush, for metrics. */
  readonly onFlush?: (heartbeats: number) => void;
}

/**
 * The coalesced heartbeat. Every authenticated request touches the user's presence in memory;
 * about once a second the latest touch per session is written in one transaction, so a busy
 * reader costs one row update per flush instead of one write per request. Readers of presence
 * (the live view, idle expiry) merge what is still in memory, so they are never staler than now.
 */
export class Presence {
  private pending = new Map<string, Heartbeat>();
  /** Heartbeats handed to the store and not yet committed: still visible to readers. */
  private flushing = new Map<string, Heartbeat>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: PresenceOptions) {}

  /** Records activity now for a user on a session. Returns the time recorded. */
  touch(userId: number, tokenHash: string): number {
    const at = this.options.clock.now();
    this.pending.set(tokenHash, { userId, tokenHash, at });
    return at;
  }

  /** The latest unflushed activity on a session, if any. */
  pendingLastSeen(tokenHash: string): number | undefined {
    return this.pending.get(tokenHash)?.at ?? this.flushing.get(tokenHash)?.at;
  }

  /** Readers active within the live window, most recent first, including unflushed activity. */
  async activeReaders(windowMs: number = LIVE_WINDOW_MS): Promise<User[]> {
    const since = this.options.clock.now() - windowMs;
    const stored = await this.options.store.getAllActiveUsers(since);
    const latest = new Map<number, number>();
    for (const beat of [...this.flushing.values(), ...this.pending.values()]) {
      if (beat.at > since && beat.at > (latest.get(beat.userId) ?? 0)) latest.set(beat.userId, beat.at);
    }
    if (latest.size === 0) return stored;

    const byId = new Map(stored.map((user) => [user.id, user]));
    const missing = [...latest.keys()].filter((id) => !byId.has(id));
    for (const user of await this.options.store.getUsersByIds(missing)) {
      if (user.role === 'reader') byId.set(user.id, user);
    }
    const merged = [...byId.values()].map((user) => {
      const at = latest.get(user.id);
      return at !== undefined && at > (user.lastActiveAt ?? 0) ? { ...user, lastActiveAt: at } : user;
    });
    return merged.sort((a, b) => (b.lastActiveAt ?? 0) - (a.lastActiveAt ?? 0) || a.id - b.id);
  }

  /** Writes pending heartbeats in one transaction. Failed ones are kept for the next flush. */
  flush(): Promise<void> {
    this.inFlight = this.inFlight.then(() => this.flushOnce());
    return this.inFlight;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes whatever is pending. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.size === 0) return;
    this.flushing = this.pending;
    this.pending = new Map();
    const batch = [...this.flushing.values()];
    try {
      await this.options.store.recordHeartbeats(batch);
      this.options.onFlush?.(batch.length);
    } catch (error) {
      this.options.log.error({ err: error, heartbeats: batch.length }, 'heartbeat flush failed; will retry');
      for (const beat of batch) {
        const newer = this.pending.get(beat.tokenHash);
        if (!newer || newer.at < beat.at) this.pending.set(beat.tokenHash, beat);
      }
    } finally {
      this.flushing = new Map();
    }
  }
}
