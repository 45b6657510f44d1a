import type { PublishedEvent } from './live-event.js';

export interface ReplayBounds {
  /** Events younger than this are kept (unless a cap below is reached first). */
  readonly maxAgeMs: number;
  /** Cap on the frames' bytes kept. */
  readonly maxBytes: number;
  /** Cap on the number of events kept. */
  readonly maxEvents: number;
}

/**
 * The recent events, oldest first, kept so a reconnecting client resumes from its
 * Last-Event-ID. Bounded by age, bytes and count, whichever binds first.
 */
export class ReplayBuffer {
  private items: PublishedEvent[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly bounds: ReplayBounds) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get keptBytes(): number {
    return this.bytes;
  }

  /** The oldest event kept, if any. */
  get oldest(): PublishedEvent | undefined {
    return this.items[this.head];
  }

  push(event: PublishedEvent, now: number): void {
    this.items.push(event);
    this.bytes += event.size;
    this.trim(now);
  }

  /** Drops what is past the bounds; each call does work in proportion to what it drops. */
  trim(now: number): void {
    const { maxAgeMs, maxBytes, maxEvents } = this.bounds;
    while (this.length > 0) {
      const oldest = this.items[this.head]!;
      if (this.length <= maxEvents && this.bytes <= maxBytes && now - oldest.at < maxAgeMs) break;
      this.items[this.head] = undefined as never;
      this.head += 1;
      this.bytes -= oldest.size;
    }
    // Compact now and then, so the array does not grow without end.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** The events with ids above `since`, oldest first (ids only grow, so a binary search finds them). */
  after(since: number): PublishedEvent[] {
    let low = this.head;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.items[mid]!.id <= since) low = mid + 1;
      else high = mid;
    }
    return this.items.slice(low);
  }
}
