import type { Clock, Heartbeat, Store, User } from '../domain/index.js';

export const LIVE_WINDOW_MS = 60_000;
/** Heartbeats written per transaction; the flush yields to requests between chunks. */
export const DEFAULT_FLUSH_CHUNK = 500;
/** Every this many flush ticks (about 5 s), activity stored by other processes is taken in. */
const STORE_SYNC_EVERY_TICKS = 5;
/** About 1 s: the period when other instances share the load and a reader's arrival must show within 2 s. */
export const CLUSTER_STORE_SYNC_EVERY_TICKS = 1;

export interface PresenceLog {
  error(obj: object, msg: string): void;
}

export interface PresenceOptions {
  readonly store: Pick<Store, 'readers' | 'users' | 'sessions'>;
  readonly clock: Clock;
  readonly flushIntervalMs: number;
  readonly log: PresenceLog;
  /** Called with the size of each flush, for metrics. */
  readonly onFlush?: (heartbeats: number) => void;
  /**
   * Called when a reader comes online (active again after more than the live window without
   * activity) and when one drops out of the window (noticed by `sweep`), for the live stream.
   */
  readonly onPresence?: (reader: User, online: boolean) => void;
  /** Flush ticks between takes of activity stored elsewhere; 5 when absent. */
  readonly storeSyncEveryTicks?: number;
  /** Heartbeats per transaction (DEFAULT_FLUSH_CHUNK when absent). */
  readonly flushChunk?: number;
  /** Lets the event loop run between two chunks; setImmediate when absent. */
  readonly yieldTurn?: () => Promise<void>;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The coalesced heartbeat. Every authenticated request touches the user's presence in memory;
 * about once a second the latest touch per session is written, in transactions of at most
 * `flushChunk` heartbeats with a turn of the event loop between them (10,000 readers make 20
 * short transactions, not one long stall), so a busy reader costs one row update per flush
 * instead of one write per request. Readers of presence
 * (the live view, idle expiry) merge what is still in memory, so they are never staler than now.
 */
export class Presence {
  private pending = new Map<string, Heartbeat>();
  /** Heartbeats handed to the store and not yet committed: still visible to readers. */
  private flushing = new Map<string, Heartbeat>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  /** Readers inside the live window and when each was last seen, for online/offline events. */
  private online = new Map<number, { reader: User; at: number }>();
  private membership = 0;

  constructor(private readonly options: PresenceOptions) {}

  /**
   * Records activity now for a user on a session. Returns the time recorded. A reader who had
   * not been active within the live window is announced online.
   */
  touch(user: User, tokenHash: string): number {
    const at = this.options.clock.now();
    this.pending.set(tokenHash, { userId: user.id, tokenHash, at });
    if (user.role === 'reader') {
      const previous = this.online.get(user.id)?.at ?? user.lastActiveAt;
      const reader = { ...user, lastActiveAt: at };
      this.online.set(user.id, { reader, at });
      if (previous === null || previous <= at - LIVE_WINDOW_MS) {
        this.membership += 1;
        this.options.onPresence?.(reader, true);
      }
    }
    return at;
  }

  /** Changes whenever a reader comes online or goes offline: a view of who is online is stale. */
  get membershipVersion(): number {
    return this.membership;
  }

  /** Announces offline the readers whose last activity has left the live window. */
  sweep(): void {
    const cutoff = this.options.clock.now() - LIVE_WINDOW_MS;
    for (const [id, { reader, at }] of this.online) {
      if (at > cutoff) continue;
      this.online.delete(id);
      this.membership += 1;
      this.options.onPresence?.(reader, false);
    }
  }

  /** Drops a deleted user: their unflushed heartbeats go, and a reader online is announced offline. */
  forget(userId: number): void {
    for (const [tokenHash, beat] of this.pending) if (beat.userId === userId) this.pending.delete(tokenHash);
    const known = this.online.get(userId);
    if (known) {
      this.online.delete(userId);
      this.membership += 1;
      this.options.onPresence?.(known.reader, false);
    }
  }

  /** The latest unflushed activity on a session, if any. */
  pendingLastSeen(tokenHash: string): number | undefined {
    return this.pending.get(tokenHash)?.at ?? this.flushing.get(tokenHash)?.at;
  }

  /**
   * Readers active within the live window, most recent first. Once started (so the store's
   * activity is taken in every 5 s), from memory: with 10,000 online, reading them all from the
   * store takes tens of milliseconds of the event loop. Before that, from the store.
   */
  async liveReaders(): Promise<User[]> {
    if (this.timer === undefined || !this.options.onPresence) return this.activeReaders();
    const since = this.options.clock.now() - LIVE_WINDOW_MS;
    const entries: { reader: User; at: number }[] = [];
    for (const entry of this.online.values()) if (entry.at > since) entries.push(entry);
    entries.sort((a, b) => b.at - a.at || a.reader.id - b.reader.id);
    return entries.map(({ reader, at }) => (reader.lastActiveAt === at ? reader : { ...reader, lastActiveAt: at }));
  }

  /** Readers active within the live window, most recent first, including unflushed activity. */
  async activeReaders(windowMs: number = LIVE_WINDOW_MS): Promise<User[]> {
    const since = this.options.clock.now() - windowMs;
    const stored = await this.options.store.readers.getAllActiveUsers(since);
    const latest = new Map<number, number>();
    for (const beat of [...this.flushing.values(), ...this.pending.values()]) {
      if (beat.at > since && beat.at > (latest.get(beat.userId) ?? 0)) latest.set(beat.userId, beat.at);
    }
    if (latest.size === 0) return stored;

    const byId = new Map(stored.map((user) => [user.id, user]));
    const missing = [...latest.keys()].filter((id) => !byId.has(id));
    for (const user of await this.options.store.users.getUsersByIds(missing)) {
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

  /** Flushes and sweeps on a timer; readers the store shows active are watched for going offline. */
  start(): void {
    if (this.timer) return;
    let ticks = 0;
    this.timer = setInterval(() => {
      this.sweep();
      void this.flush();
      ticks += 1;
      if (this.options.onPresence && ticks % (this.options.storeSyncEveryTicks ?? STORE_SYNC_EVERY_TICKS) === 0) void this.syncWithStore(true);
    }, this.options.flushIntervalMs);
    this.timer.unref();
    // After a restart, readers active before it are still in the window: watch them so they are
    // swept out in time (no announcement: they were online already).
    if (this.options.onPresence) void this.syncWithStore(false);
  }

  /** Stops the timer and writes whatever is pending. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /**
   * Takes in activity that reached the database from elsewhere (another process, such as
   * `readpulse demo --live`, or before a restart): readers it shows active are watched, moved
   * forward, and with `announce` those not yet online are announced online.
   */
  async syncWithStore(announce: boolean): Promise<void> {
    try {
      const since = this.options.clock.now() - LIVE_WINDOW_MS;
      const pageSize = Math.max(1, this.options.flushChunk ?? DEFAULT_FLUSH_CHUNK) * 2;
      // In pages with a turn of the event loop between them: 10,000 active readers in one read
      // would hold the loop for tens of milliseconds.
      let after: { lastActiveAt: number; id: number } | null = null;
      for (;;) {
        if (after !== null) await (this.options.yieldTurn ?? nextTurn)();
        const readers = await this.options.store.readers.getActiveReadersPage(since, after, pageSize);
        for (const reader of readers) this.takeIn(reader, announce);
        const last = readers.at(-1);
        if (readers.length < pageSize || last?.lastActiveAt == null) break;
        after = { lastActiveAt: last.lastActiveAt, id: last.id };
      }
    } catch (error) {
      this.options.log.error({ err: error }, 'could not read the active readers for presence events');
    }
  }

  private takeIn(reader: User, announce: boolean): void {
    if (reader.lastActiveAt === null) return;
    const known = this.online.get(reader.id);
    if (known && known.at >= reader.lastActiveAt) return;
    this.online.set(reader.id, { reader, at: reader.lastActiveAt });
    if (!known && announce) {
      this.membership += 1;
      this.options.onPresence?.(reader, true);
    }
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.size === 0) return;
    this.flushing = this.pending;
    this.pending = new Map();
    const batch = [...this.flushing.values()];
    const chunk = Math.max(1, this.options.flushChunk ?? DEFAULT_FLUSH_CHUNK);
    let written = 0;
    try {
      while (written < batch.length) {
        if (written > 0) await (this.options.yieldTurn ?? nextTurn)();
        await this.options.store.sessions.recordHeartbeats(batch.slice(written, written + chunk));
        written = Math.min(batch.length, written + chunk);
      }
      this.options.onFlush?.(batch.length);
    } catch (error) {
      this.options.log.error({ err: error, heartbeats: batch.length - written }, 'heartbeat flush failed; will retry');
      for (const beat of batch.slice(written)) {
        const newer = this.pending.get(beat.tokenHash);
        if (!newer || newer.at < beat.at) this.pending.set(beat.tokenHash, beat);
      }
    } finally {
      this.flushing = new Map();
    }
  }
}
