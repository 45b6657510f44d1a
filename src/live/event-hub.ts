import { AppError, type ActivityEvent, type AttentionItem, type Clock, type Milestone, type User } from '../domain/index.js';

/** Something consultants watch happen: a reader coming or going, a milestone, an activity event. */
export type LiveEvent =
  | { readonly type: 'presence'; readonly reader: User; readonly online: boolean }
  | { readonly type: 'milestone'; readonly readerId: number; readonly milestone: Milestone }
  | { readonly type: 'activity'; readonly readerId: number; readonly event: ActivityEvent }
  | { readonly type: 'attention'; readonly readerId: number; readonly item: AttentionItem };

/** A live event as the hub numbered it. Ids only grow. */
export interface PublishedEvent {
  readonly id: number;
  readonly event: LiveEvent;
  /** Approximate serialized size in bytes, measured once when first needed. */
  readonly size: number;
}

export type SubscriptionEnd = 'unsubscribed' | 'overflow' | 'closed';

export interface EventHubOptions {
  /** The first id is derived from the time the hub starts (see EventHub). */
  readonly clock: Clock;
  /** How many recent events are kept for clients resuming with Last-Event-ID. */
  readonly replayEvents?: number;
  /** Per subscriber: events waiting to be written; past this the subscriber is dropped. */
  readonly maxQueuedEvents?: number;
  /** Per subscriber: bytes waiting to be written; past this the subscriber is dropped. */
  readonly maxQueuedBytes?: number;
  /** Subscribers at once; one more is refused with `unavailable`. */
  readonly maxSubscribers?: number;
}

export const DEFAULT_REPLAY_EVENTS = 1000;
export const DEFAULT_MAX_QUEUED_EVENTS = 500;
export const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;
export const DEFAULT_MAX_SUBSCRIBERS = 1000;

/**
 * The in-process hub behind the live stream. Publishing numbers an event, keeps it in a ring
 * buffer of recent events and queues it for every subscriber. Memory stays bounded: the buffer
 * is fixed-size, and a subscriber whose queue outgrows its bound (a consumer that stopped
 * reading) is dropped rather than allowed to grow.
 */
export class EventHub {
  private readonly ring: (PublishedEvent | undefined)[];
  private ringStart = 0;
  private ringLength = 0;
  private lastId: number;
  private readonly subscribers = new Set<Subscription>();
  private closed = false;
  readonly maxQueuedEvents: number;
  readonly maxQueuedBytes: number;
  private readonly maxSubscribers: number;

  constructor(options: EventHubOptions) {
    this.ring = new Array<PublishedEvent | undefined>(Math.max(1, options.replayEvents ?? DEFAULT_REPLAY_EVENTS));
    this.maxQueuedEvents = options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS;
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.maxSubscribers = options.maxSubscribers ?? DEFAULT_MAX_SUBSCRIBERS;
    // Ids start from the clock (1,000 per millisecond) rather than 1, so an id a client kept from
    // an earlier run of the server is older than this run's buffer and gets a fresh snapshot
    // instead of being mistaken for an id of this run.
    this.lastId = options.clock.now() * 1000;
  }

  /** The id of the latest event published; nothing published yet is the starting id. */
  get latestId(): number {
    return this.lastId;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Numbers the event, keeps it for replay and queues it for every subscriber. */
  publish(event: LiveEvent): PublishedEvent {
    this.lastId += 1;
    let size: number | undefined;
    const published: PublishedEvent = {
      id: this.lastId,
      event,
      // Measured only if a subscriber has to queue it; most events go straight to a waiting one.
      get size() {
        return (size ??= Buffer.byteLength(JSON.stringify(event)));
      },
    };
    if (this.ringLength < this.ring.length) {
      this.ring[(this.ringStart + this.ringLength) % this.ring.length] = published;
      this.ringLength += 1;
    } else {
      this.ring[this.ringStart] = published;
      this.ringStart = (this.ringStart + 1) % this.ring.length;
    }
    for (const subscriber of this.subscribers) subscriber.enqueue(published);
    return published;
  }

  /**
   * Subscribes to events published from now on. With the id of the last event a client saw
   * (its Last-Event-ID, unparsed), the events it missed are queued first and `resumed` is true;
   * when that id is unknown, malformed, older than the buffer or more than a queue can hold,
   * `resumed` is false and the client needs a fresh snapshot. Throws `unavailable` when the hub
   * already has as many subscribers as it allows.
   */
  subscribe(lastEventId?: string): Subscription {
    if (this.subscribers.size >= this.maxSubscribers) {
      throw new AppError('unavailable', 'Too many live streams are open; try again shortly.', { retryAfterSeconds: 5 });
    }
    const missed = this.missedSince(lastEventId);
    const subscription = new Subscription(this, this.lastId, missed !== undefined);
    if (this.closed) {
      subscription.end('closed');
      return subscription;
    }
    this.subscribers.add(subscription);
    for (const event of missed ?? []) subscription.enqueue(event);
    return subscription;
  }

  /** Ends every subscription; later subscriptions end at once. */
  close(): void {
    this.closed = true;
    for (const subscriber of [...this.subscribers]) subscriber.end('closed');
  }

  /** @internal Called by a subscription when it ends. */
  remove(subscription: Subscription): void {
    this.subscribers.delete(subscription);
  }

  private missedSince(lastEventId: string | undefined): PublishedEvent[] | undefined {
    if (lastEventId === undefined || !/^\d{1,16}$/.test(lastEventId.trim())) return undefined;
    const since = Number(lastEventId.trim());
    const oldest = this.ringLength === 0 ? this.lastId + 1 : this.ring[this.ringStart]!.id;
    // Resumable only if every event after `since` is still in the buffer.
    if (since > this.lastId || since < oldest - 1) return undefined;
    const missed: PublishedEvent[] = [];
    for (let i = 0; i < this.ringLength; i += 1) {
      const event = this.ring[(this.ringStart + i) % this.ring.length]!;
      if (event.id > since) missed.push(event);
    }
    return missed.length <= this.maxQueuedEvents ? missed : undefined;
  }
}

/**
 * One subscriber's bounded queue of events. The consumer takes batches with `next()` as fast
 * as it can write them; when the queue overflows the subscription ends with `overflow`.
 */
export class Subscription {
  private queue: PublishedEvent[] = [];
  private queuedBytes = 0;
  private waiting: ((batch: PublishedEvent[] | null) => void) | undefined;
  private endListeners: ((reason: SubscriptionEnd) => void)[] = [];
  private endReason: SubscriptionEnd | undefined;

  constructor(
    private readonly hub: EventHub,
    /** The id of the last event published before this subscription started. */
    readonly startId: number,
    /** True when the events after the client's Last-Event-ID are queued; false when it needs a snapshot. */
    readonly resumed: boolean,
  ) {}

  /** Why the subscription ended, or undefined while it is open. */
  get ended(): SubscriptionEnd | undefined {
    return this.endReason;
  }

  get queuedEvents(): number {
    return this.queue.length;
  }

  /** All queued events, waiting for one if none is queued; null once the subscription ended. */
  next(): Promise<PublishedEvent[] | null> {
    if (this.endReason !== undefined) return Promise.resolve(null);
    if (this.queue.length > 0) return Promise.resolve(this.takeAll());
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** Runs the listener once when the subscription ends (at once if it already has). */
  onEnd(listener: (reason: SubscriptionEnd) => void): void {
    if (this.endReason !== undefined) listener(this.endReason);
    else this.endListeners.push(listener);
  }

  /** Stops receiving events. */
  unsubscribe(): void {
    this.end('unsubscribed');
  }

  /** @internal Called by the hub for each event published. */
  enqueue(event: PublishedEvent): void {
    if (this.endReason !== undefined) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve([event]);
      return;
    }
    this.queue.push(event);
    this.queuedBytes += event.size;
    if (this.queue.length > this.hub.maxQueuedEvents || this.queuedBytes > this.hub.maxQueuedBytes) {
      this.end('overflow');
    }
  }

  /** @internal */
  end(reason: SubscriptionEnd): void {
    if (this.endReason !== undefined) return;
    this.endReason = reason;
    this.queue = [];
    this.queuedBytes = 0;
    this.hub.remove(this);
    this.waiting?.(null);
    this.waiting = undefined;
    const listeners = this.endListeners;
    this.endListeners = [];
    for (const listener of listeners) listener(reason);
  }

  private takeAll(): PublishedEvent[] {
    const batch = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    return batch;
  }
}
