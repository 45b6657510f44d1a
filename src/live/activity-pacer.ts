import { LATEST_ACTIVITY_INTERVAL_MS } from './stream-filter.js';
import type { PublishedEvent } from './live-event.js';

/**
 * The `activity=latest` pacing of one stream: at most one activity event per reader per
 * LATEST_ACTIVITY_INTERVAL_MS. An event that comes sooner is held back, replacing any held
 * before it, and is let out when the interval is over, so the stream always ends on a reader's
 * newest activity. Work is in proportion to what is let out, however many readers are active.
 */
export class ActivityPacer {
  /** When each reader's last activity event went out. */
  private readonly lastSent = new Map<number, number>();
  /** Each reader's newest activity event held back. */
  private readonly held = new Map<number, PublishedEvent>();
  /** (reader, sent at) in the order they went out; times only grow. */
  private sentOrder: { readerId: number; at: number }[] = [];
  private sentHead = 0;

  /** True when the event goes out now; false when it is held back for later. */
  offer(readerId: number, event: PublishedEvent, now: number): boolean {
    const last = this.lastSent.get(readerId);
    if (last === undefined || now - last >= LATEST_ACTIVITY_INTERVAL_MS) {
      this.held.delete(readerId);
      this.markSent(readerId, now);
      return true;
    }
    this.held.set(readerId, event);
    return false;
  }

  /** The held events whose interval is over, to go out now; forgets readers gone quiet. */
  release(now: number): PublishedEvent[] {
    const out: PublishedEvent[] = [];
    while (this.sentHead < this.sentOrder.length) {
      const { readerId, at } = this.sentOrder[this.sentHead]!;
      if (now - at < LATEST_ACTIVITY_INTERVAL_MS) break;
      this.sentHead += 1;
      if (this.lastSent.get(readerId) !== at) continue; // sent again since
      const event = this.held.get(readerId);
      if (event === undefined) {
        this.lastSent.delete(readerId);
        continue;
      }
      this.held.delete(readerId);
      this.markSent(readerId, now);
      out.push(event);
    }
    if (this.sentHead > 1024 && this.sentHead * 2 > this.sentOrder.length) {
      this.sentOrder = this.sentOrder.slice(this.sentHead);
      this.sentHead = 0;
    }
    return out;
  }

  /**
   * When release() should next run, or undefined when nothing is held. It may be early (the
   * oldest reader sent may have nothing held); release() then only forgets.
   */
  nextDue(): number | undefined {
    if (this.held.size === 0) return undefined;
    const oldest = this.sentOrder[this.sentHead];
    return oldest === undefined ? undefined : oldest.at + LATEST_ACTIVITY_INTERVAL_MS;
  }

  private markSent(readerId: number, now: number): void {
    this.lastSent.set(readerId, now);
    this.sentOrder.push({ readerId, at: now });
  }
}
