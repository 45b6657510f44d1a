import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/index.js';
import { ClusterStore, type LiveEventCursor, type StoredLiveEvent } from './cluster-store.js';
import { ListenConnection } from './listen-connection.js';
import type { Pool } from './open-pool.js';

export interface ClusterChannelLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ClusterChannelOptions {
  readonly url: string;
  readonly pool: Pool;
  readonly clock: Clock;
  readonly log: ClusterChannelLog;
  /** Every live event, once each, in id order, from every instance (this one included). */
  readonly deliver: (stored: StoredLiveEvent) => void;
  /** Called once with the id before the first event this instance will deliver. */
  readonly startingAt?: (id: number) => void;
  /** On start, events created this recently are read too, so resuming clients find them. */
  readonly replayMs: number;
  /** Fallback read interval, for a wake-up that never came. */
  readonly pollIntervalMs?: number;
  /** Live events older than this are pruned (by one instance per interval). */
  readonly keepEventsMs?: number;
  /** How often the cluster records a tick (a batch of committed events), by whichever instance's turn it is. */
  readonly tickIntervalMs?: number;
}

export const LIVE_CHANNEL = 'readpulse_live';
export const SESSIONS_CHANNEL = 'readpulse_sessions';
export const SESSIONS_ACK_CHANNEL = 'readpulse_sessions_ack';
const DEFAULT_POLL_INTERVAL_MS = 1_000;
const DEFAULT_KEEP_EVENTS_MS = 10 * 60_000;
const READ_BATCH = 2_000;
const DEFAULT_TICK_INTERVAL_MS = 50;
const PRUNE_INTERVAL_MS = 60_000;
const PRUNE_BATCH = 10_000;
/**
 * How long a revocation waits for every listening instance to confirm it (normally a few
 * milliseconds); an instance that does not answer by then is stuck or gone, and the answer goes
 * out anyway.
 */
const REVOCATION_ACK_WAIT_MS = 2_000;

/**
 * The cross-instance channel on PostgreSQL. Live events are rows (migration 006), read in
 * batches that the cluster's ticker cuts from PostgreSQL's transaction snapshots (migration 008,
 * ADR 0022); the ticker's NOTIFY only says "there is a new batch", and this instance then reads
 * every batch after the last it read: on the hint, after (re)connecting its LISTEN connection,
 * and on a timer in case a hint was lost. Session revocations arrive on their own channel. See
 * ADR 0019.
 */
export class ClusterChannel {
  readonly store: ClusterStore;
  private readonly listener: ListenConnection;
  private cursor: LiveEventCursor = { tick: 0, xid: null, part: 0, rowId: 0, lastId: 0 };
  private tickTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private started = false;
  private readonly revocationListeners: (() => void)[] = [];
  /** Revocations this instance announced, by id: the confirmations heard so far and who waits. */
  private readonly revocationWaits = new Map<string, { acks: number; needed: number; done: () => void }>();

  constructor(private readonly options: ClusterChannelOptions) {
    this.store = new ClusterStore(options.pool);
    this.listener = new ListenConnection({
      url: options.url,
      channels: [LIVE_CHANNEL, SESSIONS_CHANNEL, SESSIONS_ACK_CHANNEL],
      log: options.log,
      onNotification: (channel, payload) => this.notified(channel, payload),
      onListening: () => {
        // Anything sent while not listening is lost: start again from what is stored.
        this.sessionsRevoked();
        if (this.started) this.catchUp();
      },
    });
  }

  /** Whether notifications reach this instance now (its LISTEN connection is up). */
  get listening(): boolean {
    return this.listener.listening;
  }

  /** Registers what to call when a session was revoked anywhere, or notifications may have been missed. */
  onRevoked(forgetCachedSessions: () => void): void {
    this.revocationListeners.push(forgetCachedSessions);
  }

  /**
   * Runs a write that revokes sessions, then announces it to every instance and resolves once
   * each instance that was listening has confirmed it emptied its session cache (or after a
   * bounded wait): by the time the client hears back, no instance would admit the old session.
   * The deletion's own trigger notifies too (for revocations made outside any instance, such as
   * the CLI's), but nobody confirms that one.
   */
  async revoking<T>(write: () => Promise<T>): Promise<T> {
    const result = await write();
    if (!this.listening) return result;
    const id = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const confirmed = new Promise<boolean>((resolve) => {
      const wait = { acks: 0, needed: Number.POSITIVE_INFINITY, done: () => resolve(true) };
      this.revocationWaits.set(id, wait);
      timer = setTimeout(() => resolve(false), REVOCATION_ACK_WAIT_MS);
    });
    try {
      const listeners = await this.store.announceRevocation(id);
      const wait = this.revocationWaits.get(id)!;
      wait.needed = listeners;
      if (wait.acks >= listeners) wait.done();
      if (!(await confirmed)) {
        this.options.log.warn({ confirmed: wait.acks, listening: listeners }, 'not every instance confirmed a session revocation in time');
      }
    } catch (error) {
      this.options.log.error({ err: error }, 'could not announce a session revocation; the other instances still hear the notification of the deletion itself');
    } finally {
      clearTimeout(timer);
      this.revocationWaits.delete(id);
    }
    return result;
  }

  /** The id of the last event delivered (or passed over: a deleted reader's). */
  get lastDeliveredId(): number {
    return this.cursor.lastId;
  }

  /**
   * Finds where to start (the replay window's first event), delivers what is stored since then,
   * and listens. Rejects if PostgreSQL cannot be reached.
   */
  async start(): Promise<number> {
    this.cursor = await this.store.liveEventsStart(this.options.replayMs);
    const startId = this.cursor.lastId;
    this.options.startingAt?.(startId);
    await this.listener.start();
    this.started = true;
    await this.read();
    this.pollTimer = setInterval(() => this.catchUp(), this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    this.pollTimer.unref();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
    const tickMs = this.options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS;
    this.tickTimer = setInterval(() => {
      if (this.ticking === undefined) void this.tick(tickMs);
    }, tickMs);
    this.tickTimer.unref();
    return startId;
  }

  /** Reads every event after the last delivered one; calls made while a read runs join it. */
  catchUp(): Promise<void> {
    if (!this.started) return Promise.resolve();
    if (this.reading) {
      this.readAgain = true;
      return this.reading;
    }
    this.reading = this.read()
      .catch((error: unknown) => this.options.log.error({ err: error }, 'could not read live events; will retry'))
      .finally(() => {
        this.reading = undefined;
        if (this.readAgain) {
          this.readAgain = false;
          void this.catchUp();
        }
      });
    return this.reading;
  }

  /**
   * Takes this instance's turn at the cluster's ticker (ADR 0022): if no instance recorded a tick
   * in the last interval and something committed since, records one, which wakes every instance
   * (this one reads at once). Any instance can tick, so the ticker survives the loss of any.
   */
  async tick(intervalMs: number = this.options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS): Promise<void> {
    while (this.ticking) await this.ticking;
    if (!this.started) return;
    this.ticking = (async () => {
      try {
        // A little less than the interval: the instances' timers are not in phase.
        if ((await this.store.tick(Math.floor(intervalMs * 0.8))) !== null) await this.catchUp();
      } catch (error) {
        this.options.log.error({ err: error }, 'could not record a live-event tick; will retry');
      } finally {
        this.ticking = undefined;
      }
    })();
    await this.ticking;
  }

  /** Deletes old live events once per interval across the cluster. */
  async prune(): Promise<number> {
    const now = this.options.clock.now();
    try {
      if (!(await this.store.claimJob('live-events-prune', now, PRUNE_INTERVAL_MS))) return 0;
      return await this.store.pruneLiveEvents(this.options.keepEventsMs ?? DEFAULT_KEEP_EVENTS_MS, PRUNE_BATCH);
    } catch (error) {
      this.options.log.error({ err: error }, 'could not prune live events; will retry');
      return 0;
    }
  }

  async close(): Promise<void> {
    this.started = false;
    clearInterval(this.pollTimer);
    clearInterval(this.pruneTimer);
    clearInterval(this.tickTimer);
    await this.listener.close();
    await this.ticking;
    await this.reading;
  }

  private notified(channel: string, payload: string): void {
    if (channel === LIVE_CHANNEL) {
      void this.catchUp();
    } else if (channel === SESSIONS_CHANNEL) {
      this.sessionsRevoked();
      // Confirmed only after the cache is empty; the announcer waits for every instance's word.
      if (payload !== '') {
        this.store.acknowledgeRevocation(payload).catch((error: unknown) => this.options.log.warn({ err: error }, 'could not confirm a session revocation'));
      }
    } else if (channel === SESSIONS_ACK_CHANNEL) {
      const wait = this.revocationWaits.get(payload);
      if (wait && ++wait.acks >= wait.needed) wait.done();
    }
  }

  private sessionsRevoked(): void {
    for (const forget of this.revocationListeners) forget();
  }

  private async read(): Promise<void> {
    for (;;) {
      const page = await this.store.liveEventsAfter(this.cursor, READ_BATCH);
      this.cursor = page.cursor;
      for (const stored of page.events) this.options.deliver(stored);
      if (page.rows < READ_BATCH) return;
    }
  }
}
