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

  constructor(private readonly options: PresenceAnnouncementsOptions) {}

  announce(change: PresenceChange): void {
    // Deleting first keeps the map in the order of each reader's latest change.
    this.waiting.delete(change.readerId);
    this.waiting.set(change.readerId, change);
    this.flushing ??= this.flushAll();
  }

  /** Resolves once every change announced so far is recorded (or failed and logged). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushAll(): Promise<void> {
    // Announcements made in the same task go together. A microtask, not a turn of the event loop:
    // the statement leaves before the write queue's next batch (which waits for a turn), so a
    // reader's arrival commits ahead of the write that announced it, and a consultant's stream
    // shows them online before their first event. Later announcements wait for this statement.
    await Promise.resolve();
    while (this.waiting.size > 0) {
      const changes = [...this.waiting.values()];
      this.waiting = new Map();
      try {
        await this.options.record(changes);
      } catch (error) {
        this.options.onError(error);
      }
    }
    this.flushing = undefined;
  }
}
