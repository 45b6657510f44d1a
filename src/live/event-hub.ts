import { AppError, type Clock } from '../domain/index.js';
import { ClockSeededEventIds, type EventIdSource } from './event-ids.js';
import { plainEncoder, publishedEvent, type LiveEvent, type LiveEventEncoder, type PublishedEvent } from './live-event.js';
import { ReplayBuffer } from './replay-buffer.js';
import { FULL_STREAM, type StreamFilter } from './stream-filter.js';
import { Subscription, type SubscriptionHost } from './subscription.js';

export type { LiveEvent, PublishedEvent } from './live-event.js';
export { Subscription, type SubscriptionEnd } from './subscription.js';

export interface EventHubOptions {
  readonly clock: Clock;
  /** Where ids come from; ids seeded from the clock when absent (see ClockSeededEventIds). */
  readonly ids?: EventIdSource;
  /** An event's wire form after its id line; computed once per event. */
  readonly encode?: LiveEventEncoder;
  /** Replay buffer: events younger than this are kept for clients resuming with Last-Event-ID. */
  readonly replayMs?: number;
  /** Replay buffer: at most this many bytes of frames. */
  readonly replayBytes?: number;
  /** Replay buffer: at most this many events. */
  readonly replayEvents?: number;
  /** Per subscriber: events waiting to be written; past this the subscriber is dropped. */
  readonly maxQueuedEvents?: number;
  /** Per subscriber: bytes waiting to be written; past this the subscriber is dropped. */
  readonly maxQueuedBytes?: number;
  /** Subscribers at once; one more is refused with `unavailable`. */
  readonly maxSubscribers?: number;
  /** Runs the per-turn flush; setImmediate when absent (after this turn's I/O callbacks). */
  readonly schedule?: (flush: () => void) => void;
}

/** 35 s at 5,000 events/s is 175,000 events of ~300 bytes: about 50 MB, under the byte cap. */
export const DEFAULT_REPLAY_MS = 35_000;
export const DEFAULT_REPLAY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_REPLAY_EVENTS = 250_000;
/** A queue holds references to the replay buffer's events, so its bound costs little memory. */
export const DEFAULT_MAX_QUEUED_EVENTS = 100_000;
/** About 10 s of the full stream at 5,000 events/s before a stalled subscriber is dropped. */
export const DEFAULT_MAX_QUEUED_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_SUBSCRIBERS = 1000;

/**
 * The in-process hub behind the live stream. Publishing numbers an event, serializes it once,
 * keeps it for replay and queues it for every subscriber whose filter takes it; subscribers are
 * woken once per event-loop turn, so each stream writes a turn's events in one write. Memory
 * stays bounded: the replay buffer by age, bytes and count, each queue in bytes (a subscriber
 * past its bound has stopped reading and is dropped).
 */
export class EventHub implements SubscriptionHost {
  private readonly clock: Clock;
  private readonly ids: EventIdSource;
  private readonly encode: LiveEventEncoder;
  private readonly replay: ReplayBuffer;
  private readonly subscribers = new Set<Subscription>();
  private readonly schedule: (flush: () => void) => void;
  private flushScheduled = false;
  private pacingTimer: ReturnType<typeof setTimeout> | undefined;
  private pacingDue = Number.POSITIVE_INFINITY;
  private closed = false;
  readonly maxQueuedEvents: number;
  readonly maxQueuedBytes: number;
  private readonly maxSubscribers: number;

  constructor(options: EventHubOptions) {
    this.clock = options.clock;
    this.ids = options.ids ?? new ClockSeededEventIds(options.clock);
    this.encode = options.encode ?? plainEncoder;
    this.replay = new ReplayBuffer({
      maxAgeMs: options.replayMs ?? DEFAULT_REPLAY_MS,
      maxBytes: options.replayBytes ?? DEFAULT_REPLAY_BYTES,
      maxEvents: Math.max(1, options.replayEvents ?? DEFAULT_REPLAY_EVENTS),
    });
    this.maxQueuedEvents = options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS;
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.maxSubscribers = options.maxSubscribers ?? DEFAULT_MAX_SUBSCRIBERS;
    this.schedule = options.schedule ?? ((flush) => setImmediate(flush));
  }

  /** The id of the latest event published; nothing published yet is the starting id. */
  get latestId(): number {
    return this.ids.latest;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Events and bytes the replay buffer holds now. */
  get replayed(): { events: number; bytes: number } {
    return { events: this.replay.length, bytes: this.replay.keptBytes };
  }

  /** Numbers and serializes the event, keeps it for replay and queues it for every subscriber. */
  publish(event: LiveEvent): PublishedEvent {
    const now = this.clock.now();
    const published = publishedEvent(this.ids.next(), event, now, this.encode(event));
    this.replay.push(published, now);
    for (const subscriber of this.subscribers) subscriber.offer(published, now);
    this.scheduleFlush();
    return published;
  }

  /**
   * Subscribes to events published from now on, narrowed by the filter. With the id of the last
   * event a client saw (its Last-Event-ID, unparsed), the events it missed are queued first and
   * `resumed` is true; when that id is unknown, malformed, older than the buffer or more than a
   * queue can hold, `resumed` is false and the client needs a fresh snapshot. Throws
   * `unavailable` when the hub already has as many subscribers as it allows.
   */
  subscribe(lastEventId?: string, filter: StreamFilter = FULL_STREAM): Subscription {
    if (this.subscribers.size >= this.maxSubscribers) {
      throw new AppError('unavailable', 'Too many live streams are open; try again shortly.', { retryAfterSeconds: 5 });
    }
    const missed = this.missedSince(lastEventId);
    const subscription = new Subscription(this, this.ids.latest, missed !== undefined, filter);
    if (this.closed) {
      subscription.end('closed');
      return subscription;
    }
    this.subscribers.add(subscription);
    const now = this.clock.now();
    for (const event of missed ?? []) subscription.offer(event, now);
    return subscription;
  }

  /** Lets out the held `activity=latest` events now due, and wakes the subscribers. */
  tick(): void {
    const now = this.clock.now();
    const latestId = this.ids.latest;
    for (const subscriber of this.subscribers) subscriber.release(now, latestId);
    this.flush();
    this.pacingDue = Number.POSITIVE_INFINITY;
    let due = Number.POSITIVE_INFINITY;
    for (const subscriber of this.subscribers) due = Math.min(due, subscriber.nextDue ?? due);
    this.pacingPending(due);
  }

  /** Ends every subscription; later subscriptions end at once. */
  close(): void {
    this.closed = true;
    if (this.pacingTimer !== undefined) clearTimeout(this.pacingTimer);
    this.pacingTimer = undefined;
    for (const subscriber of [...this.subscribers]) subscriber.end('closed');
  }

  /** @internal Called by a subscription when it ends. */
  remove(subscription: Subscription): void {
    this.subscribers.delete(subscription);
  }

  /** @internal Called by a subscription holding back events: one timer serves the earliest due. */
  pacingPending(due: number): void {
    if (this.closed || due >= this.pacingDue) return;
    if (this.pacingTimer !== undefined) clearTimeout(this.pacingTimer);
    this.pacingDue = due;
    this.pacingTimer = setTimeout(() => {
      this.pacingTimer = undefined;
      this.tick();
    }, Math.max(0, due - this.clock.now()));
    this.pacingTimer.unref();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.schedule(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const subscriber of this.subscribers) subscriber.wake();
  }

  private missedSince(lastEventId: string | undefined): PublishedEvent[] | undefined {
    if (lastEventId === undefined || !/^\d{1,16}$/.test(lastEventId.trim())) return undefined;
    const since = Number(lastEventId.trim());
    this.replay.trim(this.clock.now());
    const latest = this.ids.latest;
    const oldest = this.replay.oldest?.id ?? latest + 1;
    // Resumable only if every event after `since` is still in the buffer.
    if (since > latest || since < oldest - 1) return undefined;
    const missed = this.replay.after(since);
    let bytes = 0;
    for (const event of missed) bytes += event.size;
    return missed.length <= this.maxQueuedEvents && bytes <= this.maxQueuedBytes ? missed : undefined;
  }
}
