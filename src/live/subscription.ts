import { ActivityPacer } from './activity-pacer.js';
import { renumbered, type PublishedEvent } from './live-event.js';
import { passesFilter, type StreamFilter } from './stream-filter.js';

export type SubscriptionEnd = 'unsubscribed' | 'overflow' | 'closed';

/** What a subscription needs from its hub. */
export interface SubscriptionHost {
  readonly maxQueuedEvents: number;
  readonly maxQueuedBytes: number;
  remove(subscription: Subscription): void;
  /** Asks for release() to be called by `due` (epoch ms), when held events fall due. */
  pacingPending(due: number): void;
}

/**
 * One subscriber's bounded queue of events. The hub queues what the subscriber's filter lets
 * through and wakes it once per event-loop turn, so a consumer taking batches with `next()`
 * writes everything published in one turn at once. A queue past its bound in bytes (a consumer
 * that stopped reading) ends the subscription with `overflow`.
 */
export class Subscription {
  private queue: PublishedEvent[] = [];
  private queuedBytes = 0;
  private waiting: ((batch: PublishedEvent[] | null) => void) | undefined;
  private endListeners: ((reason: SubscriptionEnd) => void)[] = [];
  private endReason: SubscriptionEnd | undefined;
  private readonly pacer: ActivityPacer | undefined;

  constructor(
    private readonly host: SubscriptionHost,
    /** The id of the last event published before this subscription started. */
    readonly startId: number,
    /** True when the events after the client's Last-Event-ID are queued; false when it needs a snapshot. */
    readonly resumed: boolean,
    readonly filter: StreamFilter,
  ) {
    this.pacer = filter.activity === 'latest' ? new ActivityPacer() : undefined;
  }

  /** Why the subscription ended, or undefined while it is open. */
  get ended(): SubscriptionEnd | undefined {
    return this.endReason;
  }

  get queuedEvents(): number {
    return this.queue.length;
  }

  get bytesQueued(): number {
    return this.queuedBytes;
  }

  /** All queued events, waiting for the next batch if none is queued; null once the subscription ended. */
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

  /** @internal Called by the hub for each event published: queues it if the filter takes it. */
  offer(event: PublishedEvent, now: number): void {
    if (this.endReason !== undefined || !passesFilter(this.filter, event.event)) return;
    if (this.pacer !== undefined && event.event.type === 'activity' && !this.pacer.offer(event.event.readerId, event, now)) {
      const due = this.pacer.nextDue();
      if (due !== undefined) this.host.pacingPending(due);
      return;
    }
    this.push(event);
  }

  /**
   * @internal Queues the held activity events now due. They go out under `latestId`, the id of
   * the last event offered, so a client resuming from it neither misses nor repeats an event.
   */
  release(now: number, latestId: number): void {
    if (this.pacer === undefined || this.endReason !== undefined) return;
    for (const event of this.pacer.release(now)) this.push(renumbered(event, latestId));
  }

  /** @internal When release() should next run, if anything is held. */
  get nextDue(): number | undefined {
    return this.endReason === undefined ? this.pacer?.nextDue() : undefined;
  }

  /** @internal Hands the queued batch to a waiting consumer; the hub calls it once per turn. */
  wake(): void {
    if (this.waiting === undefined || this.queue.length === 0) return;
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve(this.takeAll());
  }

  /** @internal */
  end(reason: SubscriptionEnd): void {
    if (this.endReason !== undefined) return;
    this.endReason = reason;
    this.queue = [];
    this.queuedBytes = 0;
    this.host.remove(this);
    this.waiting?.(null);
    this.waiting = undefined;
    const listeners = this.endListeners;
    this.endListeners = [];
    for (const listener of listeners) listener(reason);
  }

  private push(event: PublishedEvent): void {
    this.queue.push(event);
    this.queuedBytes += event.size;
    if (this.queue.length > this.host.maxQueuedEvents || this.queuedBytes > this.host.maxQueuedBytes) {
      this.end('overflow');
    }
  }

  private takeAll(): PublishedEvent[] {
    const batch = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    return batch;
  }
}
