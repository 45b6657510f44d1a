import type { PresenceChange } from './cluster-store.js';

export interface PresenceAnnouncementsOptions {
  /** Records a flush's changes (ClusterStore.recordPresence): one statement, one reader once. */
  readonly record: (changes: readonly PresenceChange[]) => Promise<void>;
  readonly onError: (error: unknown) => void;
}

/**
 * An instance's presence changes on their way to the database, one statement at a time: while a
 * statement runs, the changes announced meanwhile wait and go together in the next one, each
 * reader's latest change only (a reader seen online and then offline before the next statement
 * is recorded offline). When an instance starts, or a burst of readers arrives, it sees every
 * reader come online within moments; recorded one by one, that was a transaction for each, while
 * the requests that caused them waited behind the commits.
 */
export class PresenceAnnouncements {
  private waiting = new Map<number, PresenceChange>();
  private flushing: Promise<void> | undefined;
  /** Changes announced since the start, and how many of the first of them are settled. */
  private announced = 0;
  private settled = 0;
  private readonly watchers: { readonly upTo: number; readonly done: () => void }[] = [];

  constructor(private readonly options: PresenceAnnouncementsOptions) {}

  announce(change: PresenceChange): void {
    // Deleting first keeps the map in the order of each reader's latest change.
    this.waiting.delete(change.readerId);
    this.waiting.set(change.readerId, change);
    this.announced += 1;
    this.flushing ??= this.flushAll();
  }

  /**
   * Nothing when every change announced so far is settled (recorded, or failed and reported);
   * otherwise a promise of when they are. Changes announced later are not waited for, so a
   * stream of arrivals does not hold back the caller. The batched writer asks before each batch
   * (PostgresRuntime): a reader's arrival then commits before the first write that announced it.
   */
  recorded(): Promise<void> | undefined {
    if (this.settled === this.announced) return undefined;
    const upTo = this.announced;
    return new Promise((done) => this.watchers.push({ upTo, done }));
  }

  /** Resolves once every change announced so far is recorded (or failed and logged). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushAll(): Promise<void> {
    // Announcements made in the same task go together. A microtask, not a turn of the event loop:
    // the statement leaves before the write queue's next batch (which waits for a turn, and then
    // for recorded()), so the write that announced an arrival waits as little as it can.
    // Later announcements wait for this statement.
    await Promise.resolve();
    while (this.waiting.size > 0) {
      const changes = [...this.waiting.values()];
      const upTo = this.announced;
      this.waiting = new Map();
      try {
        await this.options.record(changes);
      } catch (error) {
        this.options.onError(error);
      }
      this.settle(upTo);
    }
    this.flushing = undefined;
  }

  private settle(upTo: number): void {
    this.settled = upTo;
    // Watchers come in the order of their counts.
    while (this.watchers.length > 0 && this.watchers[0]!.upTo <= upTo) this.watchers.shift()!.done();
  }
}
